// The dev inbox after a restart: every message kept in its folder is listed again (not only those received since
// the restart), with its SMTP envelope, numbering goes on after them, and a long inbox is paged, never cut.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, describe, expect, it } from 'vitest';
import { INBOX_PAGE_SIZE, renderInboxPage } from '../../stack/inbox-page.js';
import { fetchInbox, startSmtpSink, type SmtpSink } from '../../stack/smtp-sink.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function send(sink: SmtpSink, n: number, from: number): Promise<void> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: sink.port,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: 2,
  });
  try {
    for (let i = from; i < from + n; i++) {
      await transport.sendMail({
        from: '"Văn phòng" <vp@dangbo.example.vn>',
        to: `bithu${i}@chibo.example.vn`,
        bcc: 'luutru@dangbo.example.vn',
        subject: `Nhắc hạn số ${i}`,
        text: `Thư thứ ${i}`,
      });
    }
  } finally {
    transport.close();
  }
}

describe('SMTP sink inbox across a restart', { timeout: 60_000 }, () => {
  it('lists every stored message after a restart, envelope included, and pages a long inbox', async () => {
    const storeDir = await mkdtemp(join(tmpdir(), 'chuky-inbox-'));
    dirs.push(storeDir);
    const first = await startSmtpSink({ storeDir });
    await send(first, 120, 1);
    expect(first.messages()).toHaveLength(120);
    await first.stop();

    const second = await startSmtpSink({ storeDir });
    try {
      await send(second, 39, 121);
      const all = await fetchInbox(second.inboxUrl);
      expect(all).toHaveLength(159);
      expect(all.map((m) => m.id)).toEqual(Array.from({ length: 159 }, (_, i) => i + 1));
      const old = all.find((m) => m.id === 7)!;
      expect(old.subject).toBe('Nhắc hạn số 7');
      // The Bcc recipient is only in the envelope: it survives the restart through the side file.
      expect(old.envelopeTo).toEqual(['bithu7@chibo.example.vn', 'luutru@dangbo.example.vn']);
      expect(old.envelopeFrom).toBe('vp@dangbo.example.vn');
      expect(await fetchInbox(second.inboxUrl, { to: 'luutru@dangbo.example.vn' })).toHaveLength(159);

      // The web inbox: 159 in all, newest first, on two pages that between them hold every message.
      const page1 = await (await fetch(second.inboxUrl)).text();
      const page2 = await (await fetch(`${second.inboxUrl}/?page=2`)).text();
      expect(page1).toContain('159 thư');
      expect(page1).toContain(`Trang 1/2`);
      const ids = (html: string) => [...html.matchAll(/href="\/messages\/(\d+)"/g)].map((m) => Number(m[1]));
      expect(ids(page1)).toHaveLength(INBOX_PAGE_SIZE);
      expect(ids(page1)[0]).toBe(159);
      expect(new Set([...ids(page1), ...ids(page2)]).size).toBe(159);
      expect((await fetch(`${second.inboxUrl}/messages/3`)).status).toBe(200);

      // Clearing empties the folder too: a cleared inbox stays cleared after the next restart.
      await fetch(`${second.inboxUrl}/api/messages`, { method: 'DELETE' });
    } finally {
      await second.stop();
    }
    await new Promise((r) => setTimeout(r, 200));
    expect((await readdir(storeDir)).filter((f) => f.endsWith('.eml'))).toHaveLength(0);
    const third = await startSmtpSink({ storeDir });
    try {
      expect(third.messages()).toHaveLength(0);
    } finally {
      await third.stop();
    }
  });

  it('renders a page number past the end as the last page, and one page with no pager', () => {
    const mail = (id: number) => ({
      id,
      receivedAt: new Date(0).toISOString(),
      envelopeFrom: 'a@x.vn',
      envelopeTo: ['b@x.vn'],
      messageId: '',
      subject: `s${id}`,
      from: 'a@x.vn',
      to: ['b@x.vn'],
      cc: [],
      text: '',
      html: '',
      attachments: [],
      raw: '',
    });
    const five = [1, 2, 3, 4, 5].map(mail);
    expect(renderInboxPage(five, 'accept', { pageSize: 2, page: 9 })).toContain('Trang 3/3');
    expect(renderInboxPage(five, 'accept', { pageSize: 2, page: 9 })).toContain('href="/messages/1"');
    expect(renderInboxPage(five, 'accept')).not.toContain('Trang');
  });
});
