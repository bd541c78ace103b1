/**
 * Who a committee's email is from (mail/sender.ts): the standing body's name always; its address when it is in
 * MAIL_FROM's domain (or a subdomain), else MAIL_FROM's address with the standing body as Reply-To; bounces to
 * MAIL_FROM's address either way.
 */
import { describe, expect, it } from 'vitest';
import { committeeSender, inDomain, parseMailFrom } from '../../mail/sender.js';

const MAIL_FROM = '"Ban Tuyên giáo (chuky)" <chuky@hatinh.dcs.vn>';

describe('a committee’s sender', () => {
  it('reads MAIL_FROM with or without a name', () => {
    expect(parseMailFrom(MAIL_FROM)).toEqual({ name: 'Ban Tuyên giáo (chuky)', address: 'chuky@hatinh.dcs.vn' });
    expect(parseMailFrom('chuky@localhost')).toEqual({ name: '', address: 'chuky@localhost' });
  });

  it('sends from the standing body’s own address in the deployment’s domain or a subdomain of it', () => {
    const body = { name: 'Ban Tuyên giáo Đảng ủy Khối', email: 'btg.duk@hatinh.dcs.vn' };
    expect(committeeSender(MAIL_FROM, body)).toEqual({
      from: { name: 'Ban Tuyên giáo Đảng ủy Khối', address: 'btg.duk@hatinh.dcs.vn' },
      sender: 'chuky@hatinh.dcs.vn',
      envelopeFrom: 'chuky@hatinh.dcs.vn',
    });
    expect(committeeSender(MAIL_FROM, { ...body, email: 'btg@huyenky.HATINH.dcs.vn' }).from.address).toBe('btg@huyenky.HATINH.dcs.vn');
  });

  it('keeps the deployment’s address under the standing body’s name, replies to the standing body, elsewhere', () => {
    const body = { name: 'Ban Tuyên giáo Huyện ủy'.normalize('NFD'), email: 'btg@huyenuy.gmail.com' };
    expect(committeeSender(MAIL_FROM, body)).toEqual({
      from: { name: 'Ban Tuyên giáo Huyện ủy', address: 'chuky@hatinh.dcs.vn' },
      replyTo: 'btg@huyenuy.gmail.com',
      envelopeFrom: 'chuky@hatinh.dcs.vn',
    });
    // A look-alike domain is not a subdomain.
    expect(inDomain('btg@evilhatinh.dcs.vn', 'hatinh.dcs.vn')).toBe(false);
    expect(inDomain('btg@x.hatinh.dcs.vn', 'hatinh.dcs.vn')).toBe(true);
  });
});
