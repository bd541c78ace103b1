/**
 * The email outbox against real PostgreSQL and the real SMTP sink, calling the activity function directly (no
 * Temporal): a key is sent at most once, a temporary refusal leaves the row pending and throws so the activity
 * retries, a permanent one records a bounce, concurrent attempts deliver one message, the database going away
 * right after the SMTP answer does not send the message again, what arrives carries its key, its calendar and
 * correct Vietnamese, and each row says in Vietnamese why its email was sent.
 */
import { parseMailFrom } from '../../mail/sender.js';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/activity';
import { createPool, type Db } from '../../db/pool.js';
import { registerCycle } from '../../db/cycles.js';
import { loadCycleFile } from '../../config/cycle.js';
import { loadEnv } from '../../config/env.js';
import { createEmailActivities } from '../../activities/email.js';
import type { SendUnitEmailInput, SendUnitEmailResult } from '../../domain/workflow-io.js';
import { createMailer, isPermanentSmtpFailure, type Mailer } from '../../mail/transport.js';
import { verifyLink } from '../../auth/links.js';
import { cycleId as makeCycleId, emailKey } from '../../domain/ids.js';
import { REAL_CLOCK } from '../../domain/clock.js';
import { fetchInbox, setInboxMode, type StoredMail } from '../../stack/smtp-sink.js';
import { writeFixture, type Fixture } from '../support/fixtures.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

const DEADLINE = '2027-02-15';
// Keys carry this run's tag, so re-running the file against the same services never finds an old row.
const RUN = Date.now() % 1_000_000_000;

interface EmailRow {
  status: string;
  attempts: number;
  last_error: string | null;
  message_id: string;
  sent_at: Date | null;
  to_addrs: string[];
  cc_addrs: string[];
  subject: string;
  reason: string | null;
}

/** The header block of a raw message, unfolded, as name (lower case) → values. */
function headersOf(raw: string): Map<string, string[]> {
  const end = raw.search(/\r?\n\r?\n/);
  const block = (end < 0 ? raw : raw.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  const out = new Map<string, string[]>();
  for (const line of block.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    out.set(name, [...(out.get(name) ?? []), line.slice(i + 1).trim()]);
  }
  return out;
}

describe('email outbox (real PostgreSQL and SMTP)', () => {
  const services = inject('services');
  const env = loadEnv({});
  let db: Db;
  let mailer: Mailer;
  let fx: Fixture;
  let cycleId: string;
  let send: (input: SendUnitEmailInput) => Promise<SendUnitEmailResult>;

  const input = (
    unitCode: string,
    kind: SendUnitEmailInput['kind'],
    purpose: string,
    extra: Partial<SendUnitEmailInput> = {},
  ): SendUnitEmailInput => ({
    key: emailKey({ cycle: cycleId, unit: unitCode, phase: 'plan', kind: `${purpose}`, deadline: DEADLINE, seq: RUN }),
    cycleId,
    unitCode,
    phase: 'plan',
    kind,
    deadline: DEADLINE,
    calendarAt: Date.now(),
    ...extra,
  });
  const row = async (key: string): Promise<EmailRow> => {
    const { rows } = await db.query<EmailRow>(
      'SELECT status, attempts, last_error, message_id, sent_at, to_addrs, cc_addrs, subject, reason FROM emails WHERE email_key = $1',
      [key],
    );
    expect(rows, `outbox row for ${key}`).toHaveLength(1);
    return rows[0]!;
  };
  const received = async (messageId: string): Promise<StoredMail[]> =>
    (await fetchInbox(services.inboxUrl)).filter((m) => m.messageId === messageId);

  beforeAll(async () => {
    db = createPool(services.databaseUrl);
    mailer = createMailer(services.smtpUrl);
    fx = writeFixture({ code: 'OUTBOX', issuedOn: '2027-01-11', deadline: DEADLINE, units: 6 });
    const loaded = loadCycleFile(fx.file);
    cycleId = makeCycleId(loaded.definition.committee.code, loaded.definition.year);
    await registerCycle(db, {
      id: cycleId,
      definition: loaded.definition,
      units: loaded.units,
      clock: REAL_CLOCK,
      sourceFile: loaded.sourceFile,
    });
    send = createEmailActivities({
      db,
      mailer,
      mailFrom: env.mailFrom,
      publicBaseUrl: env.publicBaseUrl,
      signingSecret: env.signingSecret,
    }).sendUnitEmail;
    await setInboxMode(services.inboxUrl, 'accept');
  });

  afterEach(async () => {
    // The sink is shared with every other test file.
    await setInboxMode(services.inboxUrl, 'accept');
  });

  afterAll(async () => {
    await setInboxMode(services.inboxUrl, 'accept').catch(() => undefined);
    mailer?.close();
    await db?.end();
  });

  it('sends one key once: the second call finds it sent and sends nothing', async () => {
    const email = input('U001', 'reminder', 'reminder-3d', { days: 3 });
    const first = await send(email);
    expect(first.status).toBe('sent');
    expect(first.to).toEqual([fx.unitEmail('U001', 'contact'), fx.unitEmail('U001', 'secretary')]);
    expect(first.messageId).toMatch(/^<[^<>@\s]+@localhost>$/);

    const second = await send(email);
    expect(second).toEqual({ status: 'already_sent', messageId: first.messageId, to: first.to });

    expect(await received(first.messageId)).toHaveLength(1);
    const r = await row(email.key);
    expect(r).toMatchObject({
      status: 'sent',
      attempts: 1,
      last_error: null,
      message_id: first.messageId,
      cc_addrs: [],
      reason: 'nhắc hạn tự động 3 ngày trước hạn 15/02/2027',
    });
    expect(r.to_addrs).toEqual(first.to);
    expect(r.sent_at).toBeInstanceOf(Date);
  });

  it('on a temporary refusal (451) throws for a retry and keeps the row pending; the retry sends once', async () => {
    const email = input('U002', 'reminder', 'reminder-1d', { days: 1 });
    await setInboxMode(services.inboxUrl, 'tempfail');
    try {
      const err = await send(email).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, 'the call must throw').toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(/451/);
      expect(isPermanentSmtpFailure(err)).toBe(false);
      // A plain error, not a non-retryable failure: Temporal retries the activity.
      expect(err instanceof ApplicationFailure && err.nonRetryable).toBe(false);

      // The refusal is recorded on the row (committed although the call throws), its reason with it.
      const pending = await row(email.key);
      expect(pending).toMatchObject({
        status: 'pending',
        attempts: 1,
        sent_at: null,
        reason: 'nhắc hạn tự động 1 ngày trước hạn 15/02/2027',
      });
      expect(pending.last_error).toMatch(/451/);

      // Still refusing: a second attempt counts, and still sends nothing.
      await expect(send(email)).rejects.toThrow(/451/);
      expect(await row(email.key)).toMatchObject({ status: 'pending', attempts: 2 });
      expect(await received(pending.message_id)).toHaveLength(0);
    } finally {
      await setInboxMode(services.inboxUrl, 'accept');
    }

    const retried = await send(email);
    expect(retried.status).toBe('sent');
    const sent = await row(email.key);
    expect(sent).toMatchObject({ status: 'sent', attempts: 3, last_error: null, message_id: retried.messageId });
    expect(await received(retried.messageId)).toHaveLength(1);
    // And a retry after the success (say the worker died before reporting it) sends nothing more.
    expect((await send(email)).status).toBe('already_sent');
    expect(await received(retried.messageId)).toHaveLength(1);
  });

  it('on a permanent refusal (550) records a bounce and never sends that key', async () => {
    const email = input('U003', 'notice', 'notice');
    await setInboxMode(services.inboxUrl, 'permfail');
    let bounced: SendUnitEmailResult;
    try {
      bounced = await send(email);
    } finally {
      await setInboxMode(services.inboxUrl, 'accept');
    }
    expect(bounced.status).toBe('bounced');
    const r = await row(email.key);
    expect(r).toMatchObject({ status: 'bounced', attempts: 1, sent_at: null, message_id: bounced.messageId });
    expect(r.last_error).toMatch(/550/);

    // The sink accepts again, but the bounce stands: the same key does not send.
    const later = await send(email);
    expect(later).toEqual({ status: 'bounced', messageId: bounced.messageId, to: bounced.to });
    expect(await row(email.key)).toMatchObject({ status: 'bounced', attempts: 1 });
    expect(await received(bounced.messageId)).toHaveLength(0);
  });

  it("removes the relay's request for a key it sends, with the send's outcome, and keeps a bounced key's", async () => {
    const request = async (e: SendUnitEmailInput) =>
      db.query('INSERT INTO email_requests (email_key, task_queue, workflow_id, cycle_id, input) VALUES ($1, $2, $3, $4, $5)', [
        e.key,
        'outbox-test',
        `unit-${e.unitCode}`,
        cycleId,
        JSON.stringify(e),
      ]);
    const left = async (key: string) => (await db.query('SELECT 1 FROM email_requests WHERE email_key = $1', [key])).rowCount;
    const sent = input('U005', 'receipt', 'receipt-relayed', { version: 1 });
    await request(sent);
    expect((await send(sent)).status).toBe('sent');
    expect(await left(sent.key)).toBe(0);
    expect((await row(sent.key)).status).toBe('sent');

    // A bounce is the relay's to tell the unit's workflow first: its request stays until then.
    const bounced = input('U005', 'receipt', 'receipt-bounced', { version: 2 });
    await request(bounced);
    await setInboxMode(services.inboxUrl, 'permfail');
    try {
      expect((await send(bounced)).status).toBe('bounced');
    } finally {
      await setInboxMode(services.inboxUrl, 'accept');
    }
    expect(await left(bounced.key)).toBe(1);
    await db.query('DELETE FROM email_requests WHERE email_key = $1', [bounced.key]);
  });

  it('delivers one message when two attempts of a new key run at once', async () => {
    const email = input('U004', 'reminder', 'reminder-7d', { days: 7 });
    const results = await Promise.allSettled([send(email), send(email)]);
    const fulfilled = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const rejected = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error & { code?: string }] : []));
    // One sends. The other either waited for it and found it sent, or found the row locked (NOWAIT) and failed,
    // which Temporal retries.
    expect(fulfilled.filter((r) => r.status === 'sent')).toHaveLength(1);
    for (const r of fulfilled.filter((x) => x.status !== 'sent')) expect(r.status).toBe('already_sent');
    for (const e of rejected) expect(e.code, String(e)).toBe('55P03');
    const messageId = fulfilled[0]!.messageId;
    expect(await received(messageId)).toHaveLength(1);
    expect(await send(email)).toMatchObject({ status: 'already_sent', messageId });
    expect(await row(email.key)).toMatchObject({ status: 'sent', attempts: 1 });
    expect(await received(messageId)).toHaveLength(1);
  });

  it('delivers one message when several retries of a pending key run at once', async () => {
    const email = input('U005', 'overdue', 'overdue');
    await setInboxMode(services.inboxUrl, 'tempfail');
    try {
      await expect(send(email)).rejects.toThrow(/451/);
    } finally {
      await setInboxMode(services.inboxUrl, 'accept');
    }
    // The row exists now, so concurrent attempts meet its lock (FOR UPDATE NOWAIT) rather than the insert.
    const results = await Promise.allSettled(Array.from({ length: 4 }, () => send(email)));
    const fulfilled = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const rejected = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error & { code?: string }] : []));
    expect(fulfilled.filter((r) => r.status === 'sent')).toHaveLength(1);
    for (const r of fulfilled.filter((x) => x.status !== 'sent')) expect(r.status).toBe('already_sent');
    for (const e of rejected) expect(e.code, String(e)).toBe('55P03');
    const { message_id } = await row(email.key);
    expect(await received(message_id)).toHaveLength(1);
    // Temporal's retry of a rejected attempt then finds the email sent.
    expect(await send(email)).toMatchObject({ status: 'already_sent', messageId: message_id });
    expect(await row(email.key)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(await received(message_id)).toHaveLength(1);
  });

  describe('when the database goes away after the SMTP server accepted the message and before the commit', () => {
    /**
     * The send's own database connection runs through a proxy that the mailer cuts the moment the SMTP server has
     * accepted the message, as a PostgreSQL restart ends every session, and restores after `downMs`. The claim's
     * transaction is lost; before the fix its retry found the row free and sent the message again.
     */
    const downMs = 1_500;
    let proxy: TcpProxy;
    let cutDb: Db;
    let sendThroughCut: (input: SendUnitEmailInput) => Promise<SendUnitEmailResult>;
    let cuts = 0;

    beforeAll(async () => {
      const target = new URL(services.databaseUrl);
      proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
      const viaProxy = new URL(services.databaseUrl);
      viaProxy.hostname = '127.0.0.1';
      viaProxy.port = String(proxy.port);
      cutDb = createPool(viaProxy.toString());
      const cuttingMailer: Mailer = {
        async send(mail) {
          const answer = await mailer.send(mail);
          cuts += 1;
          proxy.cut();
          setTimeout(() => proxy.restore(), downMs);
          return answer;
        },
        close: () => undefined,
      };
      sendThroughCut = createEmailActivities({
        db: cutDb,
        mailer: cuttingMailer,
        mailFrom: env.mailFrom,
        publicBaseUrl: env.publicBaseUrl,
        signingSecret: env.signingSecret,
      }).sendUnitEmail;
    });

    afterAll(async () => {
      await cutDb?.end().catch(() => undefined);
      await proxy?.close();
    });

    it('records the new key as sent once the database is back, and its retry sends nothing', async () => {
      const email = input('U001', 'reminder', 'reminder-lost-claim', { days: 2 });
      const before = cuts;
      const started = Date.now();
      const first = await sendThroughCut(email);
      expect(cuts - before, 'the database was cut once, after the SMTP answer').toBe(1);
      expect(first.status).toBe('sent');
      // It waited for the database to come back rather than leave the row to a retry.
      expect(Date.now() - started).toBeGreaterThanOrEqual(downMs);
      expect(await row(email.key)).toMatchObject({ status: 'sent', attempts: 1, last_error: null, message_id: first.messageId });
      expect((await row(email.key)).sent_at).toBeInstanceOf(Date);
      expect(await send(email)).toMatchObject({ status: 'already_sent', messageId: first.messageId });
      expect(await received(first.messageId)).toHaveLength(1);
    });

    it('settles a key left pending by an earlier refusal, keeping its count of attempts', async () => {
      const email = input('U002', 'reminder', 'reminder-lost-claim-pending', { days: 2 });
      await setInboxMode(services.inboxUrl, 'tempfail');
      try {
        await expect(send(email)).rejects.toThrow(/451/);
      } finally {
        await setInboxMode(services.inboxUrl, 'accept');
      }
      const result = await sendThroughCut(email);
      expect(result.status).toBe('sent');
      expect(await row(email.key)).toMatchObject({ status: 'sent', attempts: 2, last_error: null });
      expect(await send(email)).toMatchObject({ status: 'already_sent', messageId: result.messageId });
      expect(await received(result.messageId)).toHaveLength(1);
    });
  });

  it('sends a reminder with its key header, calendar attachment, signed link and Vietnamese text and HTML', async () => {
    const email = input('U006', 'reminder', 'reminder-content', { days: 3 });
    const result = await send(email);
    expect(result.status).toBe('sent');
    const [m] = await received(result.messageId);
    expect(m).toBeDefined();
    const mail = m!;

    const headers = headersOf(mail.raw);
    expect(headers.get('x-chuky-key')).toEqual([email.key]);
    expect(headers.get('x-chuky-kind')).toEqual(['reminder']);
    expect(headers.get('message-id')).toEqual([result.messageId]);
    // From the committee's standing body by name; its address is in another domain than MAIL_FROM's, so the From
    // keeps MAIL_FROM's address and replies go to the standing body; bounces come back to MAIL_FROM (mail/sender.ts).
    const deployment = parseMailFrom(env.mailFrom).address;
    expect(mail.from).toContain('Ban Tuyên giáo và Dân vận Đảng ủy Khối');
    expect(mail.from).toContain(`<${deployment}>`);
    expect(headers.get('reply-to')).toEqual([fx.standingBodyEmail]);
    expect(mail.envelopeFrom).toBe(deployment);
    expect(mail.to).toEqual([fx.unitEmail('U006', 'contact'), fx.unitEmail('U006', 'secretary')]);
    expect(mail.envelopeTo.sort()).toEqual([fx.unitEmail('U006', 'contact'), fx.unitEmail('U006', 'secretary')].sort());
    expect(mail.cc).toEqual([]);

    // Correct diacritics, in NFC, in subject, text and HTML.
    const unitName = 'Đảng bộ Công ty Điện lực 6';
    expect(mail.subject).toBe(
      `Nhắc hạn: còn 3 ngày — Tiếp nhận kế hoạch và nộp kế hoạch thực hiện của đơn vị (${unitName}, hạn 15/02/2027)`,
    );
    expect(await row(email.key)).toMatchObject({ subject: mail.subject });
    for (const part of [mail.subject, mail.text, mail.html]) expect(part).toBe(part.normalize('NFC'));
    expect(mail.text).toContain('Kính gửi đồng chí Trần Thị Liên Hệ 6,');
    expect(mail.text).toContain(
      `Đơn vị ${unitName} chưa hoàn thành: Tiếp nhận kế hoạch và nộp kế hoạch thực hiện của đơn vị theo 64-KH/ĐUK.`,
    );
    expect(mail.text).toContain('Còn 3 ngày — hạn 15/02/2027.');
    expect(mail.html).toContain(`Đơn vị <b>${unitName}</b> chưa hoàn thành`);
    expect(mail.html).toContain('ĐẢNG ỦY KHỐI THỬ NGHIỆM OUTBOX');
    expect(mail.html).toContain('Ban Tuyên giáo và Dân vận Đảng ủy Khối');
    expect(mail.raw).toMatch(/Content-Type: text\/plain; charset=utf-8/i);
    expect(mail.raw).toMatch(/Content-Type: text\/html; charset=utf-8/i);

    // The link in the email is signed for this unit and obligation only.
    const link = /Xác nhận và nộp tại: (\S+)/.exec(mail.text)?.[1];
    expect(link).toBeDefined();
    expect(link!.startsWith(`${env.publicBaseUrl}/f/`)).toBe(true);
    await expect(verifyLink(link!.slice(`${env.publicBaseUrl}/f/`.length), env.signingSecret)).resolves.toEqual({
      cycleId,
      unitCode: 'U006',
      phase: 'plan',
    });

    // The deadline as an all-day calendar event, replacing any earlier one for the same obligation.
    expect(mail.attachments).toHaveLength(1);
    const ics = mail.attachments[0]!;
    expect(ics.filename).toBe('han-nop.ics');
    expect(ics.contentType).toBe('text/calendar');
    expect(ics.content).toContain('BEGIN:VCALENDAR\r\n');
    expect(ics.content).toContain('DTSTART;VALUE=DATE:20270215\r\n');
    expect(ics.content).toContain('DTEND;VALUE=DATE:20270216\r\n');
    expect(ics.content).toContain(`UID:${cycleId}/U006/plan@localhost\r\n`);
    expect(ics.content).toContain('SEQUENCE:270215\r\n');
    expect(ics.content).toContain('BEGIN:VALARM\r\n');
    expect(ics.content.replace(/\r\n[ \t]/g, '')).toContain(
      `SUMMARY:Hạn: Tiếp nhận kế hoạch và nộp kế hoạch thực hiện của đơn vị (${unitName})`,
    );
    expect(ics.content.endsWith('END:VCALENDAR\r\n')).toBe(true);
  });

  it('sends level 2 to the leaders, copied to the standing body, without a calendar', async () => {
    const email = input('U006', 'escalation2', 'escalation-2', { days: 7 });
    const result = await send(email);
    expect(result.status).toBe('sent');
    const [m] = await received(result.messageId);
    expect(m).toBeDefined();
    const mail = m!;
    expect(headersOf(mail.raw).get('x-chuky-key')).toEqual([email.key]);
    expect(headersOf(mail.raw).get('x-chuky-kind')).toEqual(['escalation2']);
    expect(mail.attachments).toEqual([]);
    expect(mail.raw).not.toMatch(/text\/calendar/i);
    expect(mail.to).toEqual(fx.leaderEmails);
    expect(mail.cc).toEqual([fx.standingBodyEmail]);
    expect(mail.subject).toBe(
      'Báo cáo: Đảng bộ Công ty Điện lực 6 quá hạn 7 ngày — Tiếp nhận kế hoạch và nộp kế hoạch thực hiện của đơn vị',
    );
    expect(mail.text).toContain('Kính gửi Thường trực Đảng ủy Khối,');
    expect(mail.text).toContain('(bí thư: đồng chí Nguyễn Văn Bí Thư 6) đã quá hạn 7 ngày');
    expect(mail.html).toContain('đã quá hạn <b>7 ngày</b>');
    expect(mail.html).toContain('Đề nghị Thường trực chỉ đạo.');
  });

  it('writes why each email is sent on its row: the operator and reason of a repair, the days of an escalation', async () => {
    const cases: Array<[SendUnitEmailInput & { actor?: string }, string]> = [
      [
        { ...input('U001', 'extension', 'extension'), reason: 'Đơn vị đang kiện toàn cấp ủy', actor: 'operator:tester' },
        'gia hạn đến 15/02/2027 — tester: Đơn vị đang kiện toàn cấp ủy',
      ],
      [{ ...input('U002', 'exemption', 'exemption'), reason: 'Sáp nhập, chờ quyết định' }, 'miễn nghĩa vụ: Sáp nhập, chờ quyết định'],
      [
        {
          ...input('U003', 'reminder', 'reminder-manual'),
          key: emailKey({ cycle: cycleId, unit: 'U003', phase: 'plan', kind: 'reminder-manual', deadline: `req-${RUN}` }),
          days: 2,
          reason: 'Đơn vị báo chưa nhận được thư',
          actor: 'operator:tester',
        },
        'nhắc hạn thủ công (chuky remind) — tester: Đơn vị báo chưa nhận được thư',
      ],
      [
        input('U004', 'escalation3', 'escalation-3', { days: 30 }),
        'quá hạn 15/02/2027 30 ngày, đến mức 3: ghi nhận không nộp, đề nghị kiểm tra',
      ],
      [input('U005', 'receipt', 'receipt', { version: 2, late: true }), 'xác nhận đã nhận bản nộp lần 2 (nộp chậm)'],
    ];
    for (const [email, reason] of cases) {
      expect((await send(email)).status).toBe('sent');
      expect(await row(email.key)).toMatchObject({ reason });
    }
  });

  it('refuses, without retrying, a cycle or unit that is not registered', async () => {
    const unknownCycle = send({ ...input('U001', 'notice', 'notice-unknown'), cycleId: 'NOPE-2027' });
    await expect(unknownCycle).rejects.toBeInstanceOf(ApplicationFailure);
    await expect(unknownCycle).rejects.toMatchObject({ nonRetryable: true, type: 'UnknownCycle' });
    const unknownUnit = send(input('U999', 'notice', 'notice-unknown'));
    await expect(unknownUnit).rejects.toMatchObject({ nonRetryable: true, type: 'UnknownUnit' });
    const { rows } = await db.query('SELECT 1 FROM emails WHERE email_key LIKE $1', ['%notice-unknown%']);
    expect(rows).toEqual([]);
  });
});
