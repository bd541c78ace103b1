/**
 * Secrets are never written down: the real `chuky worker` and `chuky api` processes (and the CLI) run with
 * distinctive values for CHUKY_SIGNING_SECRET, CHUKY_API_TOKEN, the database password in DATABASE_URL and the SMTP
 * password in SMTP_URL; a console user signs in with a distinctive password (and a wrong one); traffic includes
 * failures — the SMTP server refusing the login, bad links, a wrong API token, a wrong console password, a bad
 * CSRF token, a wrong database password, invalid configuration. None of the values (nor the session cookie) may
 * appear in any process's output, in any table of the database, or in the workflows' histories.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import { Client, Connection } from '@temporalio/client';
import { chuky, chukyBin, waitFor } from '../support/processes.js';
import { writeFixture } from '../support/fixtures.js';
import { createPool, type Db } from '../../db/pool.js';
import { signLink } from '../../auth/links.js';
import { freePort } from '../../stack/ports.js';
import { cycleWorkflowId, unitWorkflowId } from '../../domain/ids.js';
import { writeServicesFile } from '../../workers/services.js';

const tag = randomBytes(4).toString('hex');
const word = (name: string) => `${name}${tag}${randomBytes(12).toString('hex')}`;
const SECRETS = {
  signingSecret: word('SIGNINGSECRET'),
  apiToken: word('APITOKEN'),
  dbPassword: word('DBPASSWORD'),
  smtpPassword: word('SMTPPASSWORD'),
  consolePassword: word('CONSOLEPASSWORD'),
  wrongConsolePassword: word('WRONGCONSOLEPW'),
  wrongApiToken: word('WRONGAPITOKEN'),
  wrongDbPassword: word('WRONGDBPASSWORD'),
  shortSigningSecret: `SHORT${tag}`,
} as const;
const SMTP_USER = 'chuky-mailer';
const QUEUE = `it-secrets-${tag}`;

interface Proc {
  child: ChildProcess;
  output(): string;
}

function start(args: string[], env: Record<string, string>, stdin?: string): Proc {
  const child = spawn(process.execPath, [chukyBin(), ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  child.stdin.end(stdin ?? '');
  return { child, output: () => out };
}

async function stop(p: Proc | undefined): Promise<void> {
  if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return;
  const exited = new Promise((r) => p.child.once('exit', r));
  p.child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
}

/** Every form a secret could be written in: as is, URL-encoded, base64 (an SMTP AUTH exchange). */
function spellings(name: string, value: string): [string, string][] {
  const out: [string, string][] = [
    [name, value],
    [`${name} (URL-encoded)`, encodeURIComponent(value)],
    [`${name} (base64)`, Buffer.from(value).toString('base64')],
    [`${name} (base64url)`, Buffer.from(value).toString('base64url')],
  ];
  if (name === 'smtpPassword') out.push(['SMTP AUTH PLAIN', Buffer.from(`\0${SMTP_USER}\0${value}`).toString('base64')]);
  return out;
}

/** All the text in a history: strings as they are, payloads (bytes) decoded. */
function textOf(value: unknown, out: string[] = []): string[] {
  if (value === null || value === undefined) return out;
  if (typeof value === 'string') out.push(value);
  else if (value instanceof Uint8Array) out.push(Buffer.from(value).toString('utf8'));
  else if (Array.isArray(value)) for (const v of value) textOf(v, out);
  else if (typeof value === 'object') for (const v of Object.values(value as Record<string, unknown>)) textOf(v, out);
  return out;
}

describe('secrets never logged nor stored', () => {
  const services = inject('services');
  let db: Db;
  let connection: Connection;
  let temporal: Client;
  let smtp: SMTPServer;
  let smtpPort = 0;
  const auth = { refuse: true, refused: 0, accepted: 0, passwordsSeen: new Set<string>() };
  const mails: string[] = [];
  let worker: Proc | undefined;
  let api: Proc | undefined;
  const outputs: Record<string, string> = {};
  const role = `chuky_secret_${tag}`;
  let databaseUrl = '';
  let apiUrl = '';
  let env: Record<string, string> = {};
  let cycleId = '';

  beforeAll(async () => {
    db = createPool(services.databaseUrl);
    connection = await Connection.connect({ address: services.temporalAddress });
    temporal = new Client({ connection });
    // The application's database role, with its own distinctive password.
    await db.query(`CREATE ROLE ${role} LOGIN SUPERUSER PASSWORD '${SECRETS.dbPassword}'`);
    const url = new URL(services.databaseUrl);
    url.username = role;
    url.password = SECRETS.dbPassword;
    databaseUrl = url.toString();

    // An SMTP relay that wants a login: it refuses it (454, try later) until told otherwise, then checks it.
    smtpPort = await freePort();
    smtp = new SMTPServer({
      banner: 'secrets test relay',
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      authMethods: ['PLAIN', 'LOGIN'],
      logger: false,
      onAuth(a, _session, callback) {
        auth.passwordsSeen.add(a.password ?? '');
        if (auth.refuse) {
          auth.refused += 1;
          callback(Object.assign(new Error('4.7.0 Temporary authentication failure'), { responseCode: 454 }));
        } else if (a.username === SMTP_USER && a.password === SECRETS.smtpPassword) {
          auth.accepted += 1;
          callback(null, { user: a.username });
        } else callback(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
      },
      onData(stream, _session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          mails.push(Buffer.concat(chunks).toString('utf8'));
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(smtpPort, '127.0.0.1', resolve));

    const apiPort = await freePort();
    apiUrl = `http://127.0.0.1:${apiPort}`;
    env = {
      TEMPORAL_ADDRESS: services.temporalAddress,
      DATABASE_URL: databaseUrl,
      SMTP_URL: `smtp://${SMTP_USER}:${encodeURIComponent(SECRETS.smtpPassword)}@127.0.0.1:${smtpPort}`,
      CHUKY_TASK_QUEUE: QUEUE,
      CHUKY_SIGNING_SECRET: SECRETS.signingSecret,
      CHUKY_API_TOKEN: SECRETS.apiToken,
      PUBLIC_BASE_URL: apiUrl,
      API_PORT: String(apiPort),
    };
    worker = start(['worker'], env);
    api = start(['api'], env);
    await waitFor('the worker to poll', async () => worker!.output().includes('worker polling'), 90_000);
    await waitFor('the API to listen', async () => api!.output().includes('API on'), 60_000);
  });

  afterAll(async () => {
    await Promise.all([stop(worker), stop(api)]);
    // Stop the workflows: without a worker they would wait on their task queue for ever.
    if (cycleId) {
      for (const id of [cycleWorkflowId(cycleId), unitWorkflowId(cycleId, 'U001')])
        await temporal.workflow
          .getHandle(id)
          .terminate('secrets test done')
          .catch(() => undefined);
    }
    await new Promise<void>((r) => (smtp ? smtp.close(() => r()) : r()));
    const { rows } = await db.query(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [role]);
    if (rows.length) {
      await db.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [role]);
      await db.query(`DROP ROLE ${role}`).catch(() => undefined);
    }
    await connection?.close();
    await db?.end();
  });

  it("keeps `chuky dev`'s services file, which names the embedded database with its password, to its owner", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'chuky-services-'));
    try {
      const file = path.join(root, 'services.json');
      fs.writeFileSync(file, '{}', { mode: 0o644 }); // left by an older version
      writeServicesFile(
        {
          temporalAddress: 'x:1',
          temporalNamespace: 'default',
          databaseUrl: `postgres://postgres:${SECRETS.dbPassword}@127.0.0.1:5433/chuky`,
          smtpUrl: 'smtp://127.0.0.1:1025',
          pid: 1,
        },
        root,
      );
      expect(fs.readFileSync(file, 'utf8')).toContain(SECRETS.dbPassword);
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('drives the processes through failures and successes, and finds no secret written anywhere', async () => {
    const fx = writeFixture({
      code: `ITSECRET${tag.toUpperCase()}`,
      issuedOn: '2027-03-01',
      deadline: '2027-04-09',
      closesOn: '2027-06-30',
      units: 1,
    });
    const cli = async (name: string, args: string[], extra: Record<string, string> = {}) => {
      const r = await chuky(args, { ...env, ...extra });
      outputs[name] = `${r.stdout}\n${r.stderr}`;
      return r;
    };

    // Independent of the rest, in parallel: the CLI with a wrong database password, and with a configuration it
    // refuses (a database URL and an SMTP URL of the wrong kinds, both with their passwords; a short secret).
    const wrongDb = new URL(databaseUrl);
    wrongDb.password = SECRETS.wrongDbPassword;
    const refusals = Promise.all([
      cli('cycle status, wrong password', ['cycle', 'status', '--cycle', 'ANY-2027', '--json'], { DATABASE_URL: wrongDb.toString() }),
      cli('migrate, wrong password', ['migrate'], { DATABASE_URL: wrongDb.toString() }),
      cli('migrate, bad configuration', ['migrate'], {
        DATABASE_URL: `mysql://${role}:${SECRETS.dbPassword}@127.0.0.1/chuky`,
        SMTP_URL: `http://${SMTP_USER}:${SECRETS.smtpPassword}@127.0.0.1:1`,
        CHUKY_SIGNING_SECRET: SECRETS.shortSigningSecret,
      }),
    ]);

    // A console user, its password read from standard input; the cycle, whose first email meets the relay's
    // refusals (the worker retries); `chuky doctor`, which meets one too.
    const username = `secrets-${tag}`;
    const added = start(
      ['console', 'user', 'add', '--username', username, '--role', 'admin', '--name', 'Quản trị thử', '--password-stdin'],
      env,
      `${SECRETS.consolePassword}\n`,
    );
    const [started, doctor] = await Promise.all([
      cli('cycle start', ['cycle', 'start', '--config', fx.file, '--seconds-per-day', '10', '--json']),
      cli('doctor', ['doctor', '--json']),
      new Promise((r) => added.child.once('exit', r)),
    ]);
    outputs['console user add'] = added.output();
    expect(added.child.exitCode, added.output()).toBe(0);
    expect(started.code, started.stderr).toBe(0);
    cycleId = (JSON.parse(started.stdout) as { cycleId: string }).cycleId;
    expect(doctor.code).toBe(1);
    expect(JSON.parse(doctor.stdout).checks.find((c: { name: string }) => c.name === 'smtp')).toMatchObject({
      ok: false,
      detail: expect.stringContaining('454'),
    });
    await waitFor(
      'the relay to refuse the worker',
      async () => (await db.query("SELECT 1 FROM emails WHERE cycle_id = $1 AND last_error LIKE '%454%'", [cycleId])).rows.length > 0,
      90_000,
    );
    auth.refuse = false;
    await waitFor('the notice to be sent', async () => mails.length > 0, 60_000);
    expect(auth.refused).toBeGreaterThanOrEqual(2);
    expect(auth.accepted).toBeGreaterThan(0);
    expect(auth.passwordsSeen.has(SECRETS.smtpPassword)).toBe(true); // the password was really in use

    // The unit's form, through the link in its email.
    const mail = await simpleParser(mails[0]!);
    const link = /http:\/\/127\.0\.0\.1:\d+\/f\/[A-Za-z0-9_.-]+/.exec(mail.text ?? '')?.[0];
    expect(link, mail.text).toBeDefined();
    expect((await fetch(link!)).status).toBe(200);
    const submitted = await fetch(link!, {
      method: 'POST',
      body: new URLSearchParams({ confirmedBy: 'Bí thư thử', requestId: `secrets-${randomUUID()}` }),
    });
    const submittedPage = await submitted.text();
    expect(submitted.status, /id="notice"[^>]*>([^<]*)/.exec(submittedPage)?.[1]).toBe(200);
    expect(
      (await fetch(link!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ confirmedBy: 'x' }) }))
        .status,
    ).toBe(400);
    expect((await fetch(`${apiUrl}/f/not-a-link`)).status).toBe(403);
    const forged = await signLink(
      { cycleId, unitCode: 'U001', phase: 'plan' },
      'another-secret-that-is-long-enough-0000',
      Date.now() + 3_600_000,
    );
    expect((await fetch(`${apiUrl}/f/${forged}`, { method: 'POST', body: new URLSearchParams({ confirmedBy: 'x' }) })).status).toBe(403);

    // The operator API: a wrong token, the right one, a refused (audited) repair.
    expect((await fetch(`${apiUrl}/api/v1/cycles`, { headers: { authorization: `Bearer ${SECRETS.wrongApiToken}` } })).status).toBe(401);
    const bearer = { authorization: `Bearer ${SECRETS.apiToken}`, 'content-type': 'application/json' };
    expect((await fetch(`${apiUrl}/api/v1/cycles/${cycleId}/status`, { headers: bearer })).status).toBe(200);
    const extend = await fetch(`${apiUrl}/api/v1/cycles/${cycleId}/units/U001/extend`, {
      method: 'POST',
      headers: bearer,
      body: JSON.stringify({ phase: 'plan', reason: 'Kiểm thử bí mật' }),
    });
    expect(extend.status).toBe(400);

    // The console: a wrong password, the right one, a page, a POST with a bad CSRF token, sign-out.
    const jar = new Map<string, string>();
    const browse = async (method: string, path: string, form?: Record<string, string>) => {
      const res = await fetch(apiUrl + path, {
        method,
        redirect: 'manual',
        headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '), ...(method === 'POST' ? { origin: apiUrl } : {}) },
        ...(form ? { body: new URLSearchParams(form) } : {}),
      });
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(';');
        const [k, ...v] = pair!.split('=');
        if (v.join('=')) jar.set(k!, v.join('='));
      }
      return res;
    };
    const csrfOf = async (path: string) => /name="_csrf" value="([^"]+)"/.exec(await (await browse('GET', path)).text())![1]!;
    expect(
      (
        await browse('POST', '/console/dang-nhap', {
          _csrf: await csrfOf('/console/dang-nhap'),
          username,
          password: SECRETS.wrongConsolePassword,
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await browse('POST', '/console/dang-nhap', {
          _csrf: await csrfOf('/console/dang-nhap'),
          username,
          password: SECRETS.consolePassword,
        })
      ).status,
    ).toBe(303);
    const sessionCookie = jar.get('chuky_console')!;
    expect(sessionCookie).toBeTruthy();
    expect((await browse('GET', '/console/nhat-ky')).status).toBe(200);
    expect(
      (await browse('POST', '/console/sua-chua/remind', { _csrf: 'wrong', cycleId, unitCode: 'U001', phase: 'plan', reason: 'Thử' }))
        .status,
    ).toBe(403);
    expect((await browse('POST', '/console/dang-xuat', { _csrf: await csrfOf('/console/') })).status).toBe(303);

    const [refusedDb, migrateWrong, badConfig] = await refusals;
    expect(refusedDb.code).not.toBe(0);
    expect(refusedDb.stderr).toMatch(/password authentication failed/);
    expect(migrateWrong.code).not.toBe(0);
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr).toContain('DATABASE_URL');
    expect(badConfig.stderr).toContain('CHUKY_SIGNING_SECRET');

    await Promise.all([stop(worker), stop(api)]);
    outputs.worker = worker!.output();
    outputs.api = api!.output();
    // The processes did log the failures (so the search below looks at real error text).
    expect(outputs.worker).toMatch(/454|Temporary authentication failure/);

    // Every table of the database, as text.
    const { rows: tables } = await db.query(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    );
    const places: Record<string, string> = { ...outputs };
    for (const { table_name: table } of tables) {
      const { rows } = await db.query(`SELECT coalesce(string_agg(t::text, E'\\n'), '') AS text FROM "${table}" t`);
      places[`table ${table}`] = rows[0].text;
    }
    expect(places['table audit_log']).toContain('Kiểm thử bí mật');
    expect(places['table emails']).toContain(cycleId); // (its error column was cleared when the email went out)
    expect(places['table console_signin_attempts']).toContain(username);
    // The workflows' histories (activity failures carry the errors' messages and stacks).
    for (const id of [cycleWorkflowId(cycleId), unitWorkflowId(cycleId, 'U001')]) {
      const history = await temporal.workflow.getHandle(id).fetchHistory();
      places[`history ${id}`] = textOf(history).join('\n');
    }
    expect(places[`history ${unitWorkflowId(cycleId, 'U001')}`]).toMatch(/454/);

    const secrets: [string, string][] = [
      ...Object.entries(SECRETS).flatMap(([n, v]) => spellings(n, v)),
      ['session cookie', sessionCookie],
      ['session cookie (URL-encoded)', encodeURIComponent(sessionCookie)],
    ];
    const leaks: string[] = [];
    for (const [where, text] of Object.entries(places)) {
      for (const [name, value] of secrets) if (text.includes(value)) leaks.push(`${name} in ${where}`);
    }
    expect(leaks).toEqual([]);
    // The search looks at real text: the cycle's id and the database role's name are found where they belong.
    expect(places['table cycles']).toContain(cycleId);
    expect(places['cycle status, wrong password']).toContain(role);
  });
});
