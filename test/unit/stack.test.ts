// Fast checks of the stack's building blocks; the services themselves are
// exercised for real in test/integration/stack.test.ts.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withDirLock } from '../../stack/dir-lock.js';
import { installExecutable } from '../../stack/install-file.js';
import { inboxApp, type SinkMode } from '../../stack/inbox-http.js';
import { escapeHtml } from '../../stack/inbox-page.js';
import { OutputTail } from '../../stack/log.js';
import { dataDir, projectRoot, toolsDir } from '../../config/paths.js';
import { canConnect, ephemeralRange, freePort, isPortFree, pickRange } from '../../stack/ports.js';
import { clearStalePostmaster } from '../../stack/postmaster-pid.js';
import { describeResult, runCommand, succeeded } from '../../stack/run-command.js';
import { isAddressedTo, parseStoredMail, type StoredMail } from '../../stack/stored-mail.js';

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'chuky-stack-unit-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('paths', () => {
  it('finds the chuky package root and puts .tools and .data under it', () => {
    const root = projectRoot();
    expect(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).name).toBe('chuky');
    expect(toolsDir()).toBe(join(root, '.tools'));
    expect(dataDir()).toBe(join(root, '.data'));
  });
});

describe('ports', () => {
  it('hands out a bindable loopback port that nothing listens on', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(1023);
    expect(await isPortFree(port)).toBe(true);
    expect(await canConnect(port)).toBe(false);
  });

  it('picks outside the kernel ephemeral range, and never the same port twice in one process', async () => {
    const ephemeral = ephemeralRange();
    const ports = await Promise.all(Array.from({ length: 40 }, () => freePort()));
    expect(new Set(ports).size).toBe(ports.length);
    for (const port of ports) expect(port < ephemeral.low || port > ephemeral.high).toBe(true);
  });

  it('reads the ephemeral range from the kernel file, and falls back to the IANA range', async () => {
    const file = join(scratch, 'ip_local_port_range');
    await writeFile(file, '32768\t60999\n');
    expect(ephemeralRange(file)).toEqual({ low: 32768, high: 60999 });
    await writeFile(file, 'garbage\n');
    expect(ephemeralRange(file)).toEqual({ low: 49152, high: 65535 });
    expect(ephemeralRange(join(scratch, 'missing'))).toEqual({ low: 49152, high: 65535 });
  });

  it('leaves room below the ephemeral range, else above it, else lets the kernel pick', () => {
    expect(pickRange({ low: 32768, high: 60999 })).toEqual({ low: 20000, high: 32767 });
    expect(pickRange({ low: 10000, high: 60999 })).toEqual({ low: 61000, high: 65535 });
    expect(pickRange({ low: 1024, high: 65535 })).toBeUndefined();
  });
});

describe('withDirLock', () => {
  it('lets one holder in at a time', async () => {
    const lock = join(scratch, 'a.lock');
    const events: string[] = [];
    const holder = (name: string) =>
      withDirLock(lock, async () => {
        events.push(`${name}+`);
        await new Promise((r) => setTimeout(r, 50));
        events.push(`${name}-`);
      });
    await Promise.all([holder('x'), holder('y')]);
    expect([
      ['x+', 'x-', 'y+', 'y-'],
      ['y+', 'y-', 'x+', 'x-'],
    ]).toContainEqual(events);
    expect(existsSync(lock)).toBe(false);
  });

  it('breaks a lock whose owner process is dead', async () => {
    const lock = join(scratch, 'stale.lock');
    await mkdir(lock);
    await writeFile(
      join(lock, 'owner.json'),
      JSON.stringify({ pid: 2 ** 22 + 1, host: (await import('node:os')).hostname(), since: Date.now() }),
    );
    expect(await withDirLock(lock, async () => 'got it', { timeoutMs: 2_000 })).toBe('got it');
  });
});

describe('runCommand', () => {
  it('reports a program that cannot start instead of throwing', async () => {
    const r = await runCommand('chuky-no-such-program', ['--version']);
    expect(succeeded(r)).toBe(false);
    expect(r.spawnError).toMatch(/ENOENT/);
    expect(describeResult(r)).toContain('could not start');
  });

  it('captures output and exit code', async () => {
    const r = await runCommand('sh', ['-c', 'echo out; echo err >&2; exit 3']);
    expect(r.code).toBe(3);
    expect(r.stdout.trim()).toBe('out');
    expect(describeResult(r)).toContain('exit code 3');
  });
});

describe('installExecutable', () => {
  it('copies into place with execute bits and leaves no partial file', async () => {
    const src = join(scratch, 'tool.sh');
    await writeFile(src, '#!/bin/sh\necho hi\n');
    const target = join(scratch, 'bin', 'tool');
    await installExecutable(src, target);
    expect(statSync(target).mode & 0o777).toBe(0o755);
    expect((await runCommand(target, [])).stdout.trim()).toBe('hi');
  });
});

describe('OutputTail', () => {
  it('keeps the last lines across chunk boundaries', () => {
    const tail = new OutputTail(2);
    tail.push('one\ntw');
    tail.push('o\nthree\nfo');
    expect(tail.text()).toBe('two\nthree\nfo');
  });
});

describe('clearStalePostmaster', () => {
  it('removes a lock file naming a dead pid or a live non-postgres process', async () => {
    const dir = join(scratch, 'pgdata');
    await mkdir(dir, { recursive: true });
    const lock = join(dir, 'postmaster.pid');
    const logged: string[] = [];
    for (const pid of [2 ** 22 + 3, process.pid]) {
      await writeFile(lock, `${pid}\n${dir}\n0\n5433\n\n127.0.0.1\n0 0\nready\n`);
      await clearStalePostmaster(dir, (m) => logged.push(m));
      expect(existsSync(lock)).toBe(false);
    }
    expect(logged).toHaveLength(2);
    await clearStalePostmaster(dir, (m) => logged.push(m)); // no lock: nothing to do
    expect(logged).toHaveLength(2);
  });
});

const RAW = [
  'From: =?UTF-8?B?VsSDbiBwaMOybmc=?= <vp@example.vn>',
  'To: "Bí thư" <BiThu@chibo.example.vn>, pbt@chibo.example.vn',
  'Cc: luu@example.vn',
  'Subject: =?UTF-8?Q?H=E1=BA=A1n_n=E1=BB=99p?=',
  'Message-ID: <abc.123@example.vn>',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="b1"',
  '',
  '--b1',
  'Content-Type: text/plain; charset=utf-8',
  'Content-Transfer-Encoding: base64',
  '',
  Buffer.from('Kế hoạch số 64-KH/ĐUK').toString('base64'),
  '--b1',
  'Content-Type: text/csv; charset=utf-8; name="ds.csv"',
  'Content-Disposition: attachment; filename="ds.csv"',
  '',
  'đơn vị,hạn',
  '--b1',
  'Content-Type: application/pdf; name="kh.pdf"',
  'Content-Disposition: attachment; filename="kh.pdf"',
  'Content-Transfer-Encoding: base64',
  '',
  Buffer.from('%PDF-1.4').toString('base64'),
  '--b1--',
  '',
].join('\r\n');

describe('parseStoredMail', () => {
  it('decodes headers, body and attachments', async () => {
    const mail = await parseStoredMail(7, Buffer.from(RAW), { from: 'bounce@example.vn', to: ['bithu@chibo.example.vn', 'x@bcc.vn'] });
    expect(mail).toMatchObject({
      id: 7,
      envelopeFrom: 'bounce@example.vn',
      messageId: '<abc.123@example.vn>',
      subject: 'Hạn nộp',
      to: ['BiThu@chibo.example.vn', 'pbt@chibo.example.vn'],
      cc: ['luu@example.vn'],
      html: '',
    });
    expect(mail.from).toContain('Văn phòng');
    expect(mail.text.trim()).toBe('Kế hoạch số 64-KH/ĐUK');
    expect(mail.attachments).toEqual([
      { filename: 'ds.csv', contentType: 'text/csv', content: 'đơn vị,hạn' },
      { filename: 'kh.pdf', contentType: 'application/pdf', content: Buffer.from('%PDF-1.4').toString('base64') },
    ]);
    expect(mail.raw).toBe(RAW);
    expect(isAddressedTo(mail, 'bithu@CHIBO.example.vn')).toBe(true);
    expect(isAddressedTo(mail, 'x@bcc.vn')).toBe(true);
    expect(isAddressedTo(mail, 'y@bcc.vn')).toBe(false);
  });
});

describe('inbox HTTP app', () => {
  let store: StoredMail[] = [];
  let mode: SinkMode = 'accept';
  const app = inboxApp({
    messages: () => store,
    clear: () => {
      store = [];
    },
    mode: () => mode,
    setMode: (m) => {
      mode = m;
    },
  });

  beforeAll(async () => {
    const a = await parseStoredMail(1, Buffer.from(RAW), { from: 'a@x.vn', to: ['bithu@chibo.example.vn'] });
    const b = { ...a, id: 2, subject: '<script>alert(1)</script>', envelopeTo: ['other@x.vn'], to: ['other@x.vn'], cc: [] };
    store = [a, b];
  });

  it('filters messages by recipient and lists newest first in HTML, escaped', async () => {
    const filtered = (await (await app.request('/api/messages?to=other@x.vn')).json()) as StoredMail[];
    expect(filtered.map((m) => m.id)).toEqual([2]);
    const page = await (await app.request('/')).text();
    expect(page).toContain('<meta charset="utf-8">');
    expect(page).not.toContain('<script>alert');
    expect(page.indexOf('/messages/2')).toBeLessThan(page.indexOf('/messages/1'));
    expect((await app.request('/messages/99')).status).toBe(404);
    expect(await (await app.request('/messages/1/raw')).text()).toBe(RAW);
  });

  it('switches mode only to a known value, and clears', async () => {
    const bad = await app.request('/api/mode', {
      method: 'POST',
      body: JSON.stringify({ mode: 'explode' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.status).toBe(400);
    const ok = await app.request('/api/mode', {
      method: 'POST',
      body: JSON.stringify({ mode: 'tempfail' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(ok.status).toBe(200);
    expect(mode).toBe('tempfail');
    await app.request('/api/messages', { method: 'DELETE' });
    expect(store).toEqual([]);
  });

  it('escapes HTML special characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
