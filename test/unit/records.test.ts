import { describe, expect, it } from 'vitest';
import { InvalidRecordError, parseRecord, RECORD_KINDS, safeParseRecord } from '../../domain/records.js';
import { checkLink, LinkError, REVOKED_LINK_MESSAGE, signLink, verifyLink } from '../../auth/links.js';
import { decodeJwt } from 'jose';

const issues = (kind: string, input: unknown) => {
  const r = safeParseRecord(kind, input);
  if (r.success) throw new Error(`expected ${kind} to be refused`);
  return Object.fromEntries(r.issues.map((i) => [i.field, i.message]));
};

describe('committee records', () => {
  it('has the five kinds the seed counts', () => {
    expect(RECORD_KINDS).toEqual(['document', 'conference', 'commendation', 'contest', 'charity', 'inspection']);
  });

  it('accepts a directive document, NFC-normalised, and a leading "Số"', () => {
    const r = parseRecord('document', {
      type: 'ke-hoach',
      number: 'Số 64-KH/ĐUK'.normalize('NFD'),
      issuedOn: '2027-01-10',
      title: '  Kế hoạch học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh năm 2027 '.normalize('NFD'),
    });
    expect(r.kind).toBe('document');
    expect(r.data).toEqual({
      type: 'ke-hoach',
      number: '64-KH/ĐUK',
      issuedOn: '2027-01-10',
      title: 'Kế hoạch học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh năm 2027',
    });
    expect(
      parseRecord('document', { type: 'chuong-trinh', number: '12-CTr/ĐUK', issuedOn: '2027-02-01', title: 'Chương trình' }).data,
    ).toMatchObject({ number: '12-CTr/ĐUK' });
  });

  it('refuses a bad document field by field, in Vietnamese', () => {
    expect(issues('document', { type: 'nghi-quyet', number: '64KH', issuedOn: '2027-02-30', title: '  ' })).toEqual({
      type: 'Loại văn bản: cần là một trong: ke-hoach, chuong-trinh, cong-van, giay-moi, bao-cao, huong-dan, thong-bao, khac',
      number: 'Số, ký hiệu: cần dạng số-ký hiệu/cơ quan ban hành, ví dụ 64-KH/ĐUK',
      issuedOn: 'Ngày ban hành: ngày không hợp lệ, cần dạng năm-tháng-ngày (YYYY-MM-DD)',
      title: 'Trích yếu: không được để trống',
    });
    expect(issues('document', {})).toMatchObject({
      type: 'Loại văn bản: không được để trống',
      number: 'Số, ký hiệu: không được để trống',
      issuedOn: 'Ngày ban hành: không được để trống',
    });
  });

  it('accepts a conference and checks its counts', () => {
    const ok = parseRecord('conference', {
      heldOn: '2027-03-15',
      theme: 'Chuyên đề năm 2027',
      online: true,
      connectionPoints: 102,
      attendees: 4320,
      kind: 'chuyen-de-hang-nam',
    });
    expect(ok.data).toMatchObject({ connectionPoints: 102, attendees: 4320, online: true });
    expect(
      issues('conference', { heldOn: '2027-03-15', theme: 'X', online: 'có', connectionPoints: -1, attendees: 12.5, kind: 'hoi-thao' }),
    ).toEqual({
      online: 'Trực tuyến: cần là true (có) hoặc false (không)',
      connectionPoints: 'Số điểm cầu: không được là số âm',
      attendees: 'Số người tham dự: cần là số nguyên (ví dụ 1250)',
      kind: 'Loại hội nghị: cần là một trong: chuyen-de-toan-khoa, chu-de-nam, chuyen-de-hang-nam, khac',
    });
    expect(
      issues('conference', { heldOn: '2027-03-15', theme: 'X', online: true, connectionPoints: 0, attendees: 10, kind: 'khac' }),
    ).toEqual({
      connectionPoints: 'Số điểm cầu: hội nghị trực tuyến cần ít nhất 1 điểm cầu',
    });
  });

  it('accepts commendations, contests and charity with their optional fields', () => {
    expect(parseRecord('commendation', { decidedOn: '2027-05-19', level: 'ban-thuong-vu', organisations: 5, members: 12 }).data).toEqual({
      decidedOn: '2027-05-19',
      level: 'ban-thuong-vu',
      organisations: 5,
      members: 12,
    });
    expect(
      parseRecord('commendation', {
        decidedOn: '2027-05-19',
        decisionNumber: '120-QĐ/ĐUK',
        level: 'cap-tren',
        organisations: 1,
        members: 0,
        note: '',
      }).data,
    ).toEqual({
      decidedOn: '2027-05-19',
      decisionNumber: '120-QĐ/ĐUK',
      level: 'cap-tren',
      organisations: 1,
      members: 0,
    });
    expect(issues('commendation', { decidedOn: '2027-05-19', level: 'ban-thuong-vu', organisations: 0, members: 0 })).toEqual({
      members: 'Số cá nhân được khen: cần ít nhất một tập thể hoặc một cá nhân được khen',
    });
    expect(
      parseRecord('contest', { name: 'Cuộc thi tìm hiểu', heldOn: '2027-08-01', participants: 1500, prizes: '1 giải Nhất' }).data,
    ).toMatchObject({ participants: 1500 });
    expect(parseRecord('charity', { description: 'Quỹ Vì người nghèo', amountVnd: 250_000_000 }).data).toEqual({
      description: 'Quỹ Vì người nghèo',
      amountVnd: 250_000_000,
    });
    expect(issues('charity', { description: 'Quỹ', amountVnd: -5, heldOn: '15/03/2027' })).toEqual({
      amountVnd: 'Số tiền (đồng): không được là số âm',
      heldOn: 'Ngày thực hiện: ngày không hợp lệ, cần dạng năm-tháng-ngày (YYYY-MM-DD)',
    });
  });

  it('refuses an unknown kind, an unknown field and a non-object', () => {
    expect(issues('meeting', {})).toEqual({
      kind: 'Loại hồ sơ không hợp lệ: "meeting"; cần một trong: document, conference, commendation, contest, charity, inspection',
    });
    expect(issues('contest', { name: 'X', heldOn: '2027-08-01', participants: 1, partcipants: 2 })).toEqual({
      partcipants: 'Trường "partcipants" không có trong loại hồ sơ này (kiểm tra chính tả)',
    });
    expect(issues('charity', [1, 2])).toEqual({ '': 'Hồ sơ cần là một đối tượng JSON, ví dụ {"heldOn": "2027-03-15", …}' });
    expect(() => parseRecord('charity', null)).toThrow(InvalidRecordError);
  });
});

describe('revocable links', () => {
  const secret = 's'.repeat(40);
  const scope = { cycleId: 'X-2027', unitCode: 'U1', phase: 'plan' };

  it('carry their issue time, and verifyLink still answers the scope', async () => {
    const token = await signLink(scope, secret, Date.now() + 60_000, 1_800_000_123_456);
    expect(decodeJwt(token).iat).toBe(1_800_000_123);
    expect(await verifyLink(token, secret)).toEqual(scope);
  });

  it('checkLink asks about the unit and the issue time, and refuses a revoked link in Vietnamese', async () => {
    const token = await signLink(scope, secret, Date.now() + 60_000, 1_800_000_123_456);
    const asked: unknown[] = [];
    expect(await checkLink(token, secret, async (s, at) => (asked.push([s, at]), false))).toEqual(scope);
    expect(asked).toEqual([[scope, 1_800_000_123_000]]);
    await expect(checkLink(token, secret, async () => true)).rejects.toThrow(new LinkError(REVOKED_LINK_MESSAGE));
    expect(REVOKED_LINK_MESSAGE).toBe('Đường dẫn này đã bị thu hồi. Xin liên hệ Ban Tuyên giáo để nhận đường dẫn mới.');
  });

  it('checkLink refuses a forged or expired link before asking about revocation', async () => {
    let asked = false;
    const never = async () => ((asked = true), false);
    await expect(checkLink(await signLink(scope, 'x'.repeat(40), Date.now() + 60_000), secret, never)).rejects.toThrow('không hợp lệ');
    await expect(checkLink(await signLink(scope, secret, Date.now() - 5_000), secret, never)).rejects.toThrow('hết hạn');
    expect(asked).toBe(false);
  });
});
