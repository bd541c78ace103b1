// Starts every real service the stack provides and talks to each the way
// chuky will: SQL over TCP, SMTP with nodemailer, gRPC with the Temporal client.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import nodemailer from 'nodemailer';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SEARCH_ATTRIBUTES,
  createTimeSkippingEnv,
  fetchInbox,
  setInboxMode,
  startDevServer,
  startEmbeddedPostgres,
  startSmtpSink,
  waitForMail,
  type SmtpSink,
} from '../../stack/index.js';

const SLOW = 300_000;
const timings: string[] = [];
const log = (m: string) => timings.push(m);

async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  try {
    return await fn();
  } finally {
    timings.push(`${label}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
}

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'chuky-stack-'));
});
afterAll(async () => {
  if (process.env.CHUKY_STACK_TIMINGS) console.log(timings.join('\n'));
  await rm(scratch, { recursive: true, force: true });
});

describe('embedded PostgreSQL', { timeout: SLOW }, () => {
  it('initialises, answers SQL in UTF-8, persists across restarts and survives a stale postmaster.pid', async () => {
    const dataDir = join(scratch, 'pg');
    const first = await timed('postgres first start (initdb)', () => startEmbeddedPostgres({ dataDir, log }));
    expect(first.url).toMatch(/^postgres:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/chuky$/);
    let client = new pg.Client({ connectionString: first.url });
    await client.connect();
    try {
      expect((await client.query('select 1 as one')).rows[0]).toEqual({ one: 1 });
      const enc = await client.query<{ server_encoding: string }>('show server_encoding');
      expect(enc.rows[0]?.server_encoding).toBe('UTF8');
      await client.query('create table note (body text)');
      await client.query('insert into note values ($1)', ['Đảng ủy khối — hạn nộp']);
      const lower = await client.query<{ l: string }>('select lower(body) as l from note');
      expect(lower.rows[0]?.l).toBe('đảng ủy khối — hạn nộp');
    } finally {
      await client.end();
    }
    await first.stop();

    // A crashed run leaves postmaster.pid behind; make it name a live process
    // that is not postgres (this test runner), the case PostgreSQL cannot judge.
    await writeFile(join(dataDir, 'postmaster.pid'), `${process.pid}\n${dataDir}\n0\n${first.port}\n\n127.0.0.1\n0 0\nready\n`);
    const second = await timed('postgres restart on existing cluster', () => startEmbeddedPostgres({ dataDir, log }));
    client = new pg.Client({ connectionString: second.url });
    await client.connect();
    try {
      const rows = await client.query<{ body: string }>('select body from note');
      expect(rows.rows.map((r) => r.body)).toEqual(['Đảng ủy khối — hạn nộp']);
    } finally {
      await client.end();
      await second.stop();
    }
  });
});

describe('SMTP sink', { timeout: 60_000 }, () => {
  let sink: SmtpSink;
  const storeDir = () => join(scratch, 'mail');
  beforeAll(async () => {
    sink = await timed('smtp sink start', () => startSmtpSink({ storeDir: storeDir(), log }));
  });
  afterAll(async () => {
    await sink?.stop();
  });

  const transport = () => nodemailer.createTransport({ host: '127.0.0.1', port: sink.port, secure: false, ignoreTLS: true });

  it('receives a real SMTP message with Vietnamese text and serves it over HTTP', async () => {
    const subject = 'Kế hoạch số 64-KH/ĐUK — hạn nộp';
    const info = await transport().sendMail({
      from: '"Văn phòng Đảng ủy" <vanphong@dangbo.example.vn>',
      to: 'bithu@chibo1.example.vn',
      cc: 'phobithu@chibo1.example.vn',
      bcc: 'luutru@dangbo.example.vn',
      subject,
      text: 'Kế hoạch số 64-KH/ĐUK — hạn nộp báo cáo kiểm điểm: 15/12.',
      html: '<p>Kế hoạch số <b>64-KH/ĐUK</b> — hạn nộp</p>',
      attachments: [{ filename: 'lich.ics', content: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n', contentType: 'text/calendar' }],
    });

    const inbox = await fetchInbox(sink.inboxUrl, { to: 'bithu@chibo1.example.vn' });
    expect(inbox).toHaveLength(1);
    const mail = inbox[0]!;
    expect(mail.subject).toBe(subject);
    expect(mail.text).toContain('Kế hoạch số 64-KH/ĐUK — hạn nộp');
    expect(mail.html).toContain('<b>64-KH/ĐUK</b>');
    expect(mail.messageId).toBe(info.messageId);
    expect(mail.from).toContain('Văn phòng Đảng ủy');
    expect(mail.to).toEqual(['bithu@chibo1.example.vn']);
    expect(mail.cc).toEqual(['phobithu@chibo1.example.vn']);
    expect(mail.envelopeTo).toContain('luutru@dangbo.example.vn');
    expect(mail.attachments[0]).toMatchObject({ filename: 'lich.ics', contentType: 'text/calendar' });
    expect(mail.attachments[0]?.content).toContain('BEGIN:VCALENDAR');

    // Bcc recipients are found through the envelope; strangers are not.
    expect(await fetchInbox(sink.inboxUrl, { to: 'LUUTRU@dangbo.example.vn' })).toHaveLength(1);
    expect(await fetchInbox(sink.inboxUrl, { to: 'nobody@example.vn' })).toHaveLength(0);
    expect(await waitForMail(sink.inboxUrl, (m) => m.subject === subject, { timeoutMs: 2_000 })).toHaveLength(1);

    const eml = await readFile(join(storeDir(), `${mail.id}.eml`), 'utf8');
    expect(eml).toContain(info.messageId);

    const page = await (await fetch(sink.inboxUrl)).text();
    expect(page).toContain('<meta charset="utf-8">');
    expect(page).toContain('Kế hoạch số 64-KH/ĐUK');
    const detail = await fetch(`${sink.inboxUrl}/messages/${mail.id}`);
    expect(detail.status).toBe(200);
    expect(await detail.text()).toContain('srcdoc=');
  });

  it('refuses with 451 in tempfail mode and 550 in permfail mode, then accepts again', async () => {
    sink.setMode('tempfail');
    const temp = await transport()
      .sendMail({ from: 'a@example.vn', to: 'b@example.vn', subject: 'thử lại', text: 'x' })
      .then(
        () => undefined,
        (err: { responseCode?: number }) => err,
      );
    expect(temp?.responseCode).toBe(451);

    await setInboxMode(sink.inboxUrl, 'permfail');
    const perm = await transport()
      .sendMail({ from: 'a@example.vn', to: 'b@example.vn', subject: 'từ chối', text: 'x' })
      .then(
        () => undefined,
        (err: { responseCode?: number }) => err,
      );
    expect(perm?.responseCode).toBe(550);

    await setInboxMode(sink.inboxUrl, 'accept');
    await transport().sendMail({ from: 'a@example.vn', to: 'b@example.vn', subject: 'đã nhận', text: 'x' });
    const got = await waitForMail(sink.inboxUrl, (m) => m.envelopeTo.includes('b@example.vn'));
    expect(got.map((m) => m.subject)).toEqual(['đã nhận']);

    const cleared = await fetch(`${sink.inboxUrl}/api/messages`, { method: 'DELETE' });
    expect(cleared.ok).toBe(true);
    expect(sink.messages()).toHaveLength(0);
  });
});

describe('Temporal dev server', { timeout: SLOW }, () => {
  it('starts on free ports with chuky search attributes registered, and keeps them across a restart', async () => {
    const dbFile = join(scratch, 'temporal', 'dev.sqlite');
    // start-dev registers --search-attribute flags only in namespaces it
    // creates, so the restart must re-add one missing from an existing file;
    // the third start asks for a namespace the file lacks.
    const runs = [
      { label: 'dev server first start (incl. CLI provisioning)', namespace: 'chuky-test' },
      { label: 'dev server restart on same db (re-adds a missing attribute)', namespace: 'chuky-test' },
      { label: 'dev server restart with a new namespace', namespace: 'chuky-later' },
    ];
    for (const { label, namespace } of runs) {
      const server = await timed(label, () => startDevServer({ dbFile, namespace, log }));
      try {
        expect(server.address).toMatch(/^127\.0\.0\.1:\d+$/);
        expect(server.namespace).toBe(namespace);
        expect(server.pid).toBeGreaterThan(0);
        const connection = await Connection.connect({ address: server.address });
        try {
          const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
          expect(Object.keys(customAttributes ?? {})).toEqual(expect.arrayContaining(Object.keys(SEARCH_ATTRIBUTES)));
          expect(customAttributes?.ChukyStatus).toBeDefined();
          if (label.includes('first start')) {
            // Simulate a database made before ChukyCycle existed: the next start must add it back.
            await connection.operatorService.removeSearchAttributes({ namespace, searchAttributes: ['ChukyCycle'] });
          }
        } finally {
          await connection.close();
        }
        const ui = await fetch(server.uiUrl);
        expect(ui.ok).toBe(true);
      } finally {
        await server.stop();
      }
    }
    expect(existsSync(dbFile)).toBe(true);
  });
});

describe('Temporal time-skipping test server', { timeout: SLOW }, () => {
  it('creates a TestWorkflowEnvironment and skips a day', async () => {
    const env = await timed('time-skipping env (incl. provisioning)', () => createTimeSkippingEnv({ log }));
    try {
      expect(env.supportsTimeSkipping).toBe(true);
      const before = await env.currentTimeMs();
      await env.sleep('1 day');
      const after = await env.currentTimeMs();
      expect(after - before).toBeGreaterThanOrEqual(24 * 3600 * 1000);
    } finally {
      await env.teardown();
    }
  });
});
