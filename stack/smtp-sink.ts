// A real SMTP server on loopback that keeps every message it receives, for
// development and tests: chuky's mailer speaks genuine SMTP to it, and tests
// read the result back over a small HTTP API (see inbox-http.ts). It can also
// be told to refuse mail, to exercise retry (4xx) and bounce (5xx) handling.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { inboxApp, type SinkMode } from './inbox-http.js';
import type { StackLog } from './log.js';
import { loadStoredMail, parseStoredMail, storedIds, type StoredEnvelope, type StoredMail } from './stored-mail.js';

export type { SinkMode } from './inbox-http.js';
export type { StoredAttachment, StoredMail } from './stored-mail.js';
export { clearInbox, fetchInbox, setInboxMode, waitForMail } from './inbox-client.js';

export interface SmtpSinkOptions {
  /** SMTP port; any free port when omitted. */
  port?: number;
  /** HTTP inbox port; any free port when omitted. */
  httpPort?: number;
  /** When given, each message is also written there as <id>.eml. */
  storeDir?: string;
  /** Largest accepted message; default 25 MiB like common providers. */
  maxMessageBytes?: number;
  /**
   * false: messages are counted (`received()`), not parsed nor kept for the inbox. A rehearsal only counts what
   * arrived, and parsing thousands of messages in its process took CPU from its worker (bench/README.md).
   */
  parse?: boolean;
  log?: StackLog;
}

export interface SmtpSink {
  /** smtp://127.0.0.1:<port> */
  url: string;
  port: number;
  /** http://127.0.0.1:<httpPort> */
  inboxUrl: string;
  messages(): StoredMail[];
  /** Messages accepted since the sink started or was last cleared (parsed or not). */
  received(): number;
  clear(): void;
  setMode(mode: SinkMode): void;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

/** Recipients at this domain are refused with 550 (see onRcptTo). */
export const BOUNCE_DOMAIN = 'bounce.invalid';

type SmtpError = Error & { responseCode?: number };

function smtpError(responseCode: number, message: string): SmtpError {
  return Object.assign(new Error(message), { responseCode });
}

/** The refusal a non-accepting mode gives, or undefined in 'accept' mode. */
function refusal(mode: SinkMode, stage: string): SmtpError | undefined {
  if (mode === 'tempfail') return smtpError(451, `4.3.0 Temporary failure at ${stage} (sink in tempfail mode), try again later`);
  if (mode === 'permfail') return smtpError(550, `5.7.1 Rejected at ${stage} (sink in permfail mode)`);
  return undefined;
}

/** Continue numbering after any .eml files already in storeDir, so nothing is overwritten. */
async function nextIdAfterStored(storeDir: string | undefined): Promise<number> {
  if (!storeDir) return 1;
  const ids = await storedIds(storeDir);
  return ids.length ? ids[ids.length - 1]! + 1 : 1;
}

function readStream(stream: SMTPServerDataStream): Promise<Buffer> {
  return new Promise((resolveRead, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.once('end', () => resolveRead(Buffer.concat(chunks)));
    stream.once('error', reject);
  });
}

export async function startSmtpSink(opts: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const log = opts.log ?? (() => undefined);
  const storeDir = opts.storeDir ? resolve(opts.storeDir) : undefined;
  if (storeDir) await mkdir(storeDir, { recursive: true });
  const maxBytes = opts.maxMessageBytes ?? 25 * 1024 * 1024;

  let mode: SinkMode = 'accept';
  let stored: StoredMail[] = [];
  let received = 0;
  const parse = opts.parse ?? true;
  let nextId = await nextIdAfterStored(storeDir);
  // A restarted sink shows every message kept in its folder, not only those received since it started.
  if (storeDir && parse) {
    stored = await loadStoredMail(storeDir, log);
    if (stored.length) log(`smtp sink: ${stored.length} stored message(s) loaded from ${storeDir}`);
  }

  async function receive(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<string> {
    const raw = await readStream(stream);
    if (stream.sizeExceeded) throw smtpError(552, `5.3.4 Message exceeds the ${maxBytes}-byte limit`);
    // The mode may have changed between RCPT and the end of DATA.
    const refused = refusal(mode, 'DATA');
    if (refused) throw refused;
    const id = nextId++;
    const envelope = {
      from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
      to: session.envelope.rcptTo.map((r) => r.address),
    };
    const receivedAt = new Date();
    if (storeDir) {
      await writeFile(join(storeDir, `${id}.eml`), raw);
      const side: StoredEnvelope = { ...envelope, receivedAt: receivedAt.toISOString() };
      await writeFile(join(storeDir, `${id}.json`), JSON.stringify(side));
    }
    received += 1;
    if (!parse) return `2.0.0 Ok: queued as ${id}`;
    const mail = await parseStoredMail(id, raw, envelope, receivedAt);
    stored.push(mail);
    log(`smtp sink: #${id} ${envelope.from} → ${envelope.to.join(', ')}: ${mail.subject}`);
    return `2.0.0 Ok: queued as ${id}`;
  }

  const smtp = new SMTPServer({
    banner: 'chuky SMTP sink',
    authOptional: true,
    // Plain SMTP on loopback; no certificate to manage, and clients that do not
    // require TLS (our mailer in dev) never try to upgrade.
    disabledCommands: ['STARTTLS'],
    size: maxBytes,
    logger: false,
    disableReverseLookup: true,
    closeTimeout: 2_000,
    onRcptTo(address, _session, callback) {
      // The reserved domain bounce.invalid (RFC 2606) has no mailboxes: a permanent per-recipient refusal, the
      // way a real server refuses an unknown address, so bounces can be exercised in dev and tests.
      if (address.address.toLowerCase().endsWith(`@${BOUNCE_DOMAIN}`)) {
        callback(smtpError(550, `5.1.1 <${address.address}>: mailbox unavailable`));
        return;
      }
      callback(refusal(mode, 'RCPT TO') ?? null);
    },
    onData(stream, session, callback) {
      receive(stream, session).then(
        (message) => callback(null, message),
        (err: SmtpError) => {
          if (!err.responseCode) err.responseCode = 451;
          callback(err);
        },
      );
    },
  });
  smtp.on('error', (err) => log(`smtp sink error: ${err.message}`));

  const port = await new Promise<number>((resolveListen, reject) => {
    const onError = (err: Error) => reject(err);
    smtp.server.once('error', onError);
    smtp.listen(opts.port ?? 0, HOST, () => {
      smtp.server.removeListener('error', onError);
      resolveListen((smtp.server.address() as AddressInfo).port);
    });
  });

  // Clearing empties the folder too: a cleared inbox stays cleared after a restart.
  const clear = () => {
    const ids = stored.map((m) => m.id);
    stored = [];
    received = 0;
    if (storeDir) for (const id of ids) for (const ext of ['eml', 'json']) void rm(join(storeDir, `${id}.${ext}`), { force: true });
  };
  const app = inboxApp({
    messages: () => [...stored],
    clear,
    mode: () => mode,
    setMode: (m) => {
      mode = m;
    },
  });
  let http: ServerType | undefined;
  let httpPort: number;
  try {
    httpPort = await new Promise<number>((resolveListen, reject) => {
      http = serve({ fetch: app.fetch, hostname: HOST, port: opts.httpPort ?? 0 }, (info) => resolveListen(info.port));
      http.once('error', reject);
    });
  } catch (err) {
    await new Promise<void>((r) => smtp.close(() => r()));
    throw err;
  }
  log(`smtp sink listening on ${HOST}:${port}, inbox http://${HOST}:${httpPort}`);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await Promise.all([
        new Promise<void>((r) => smtp.close(() => r())),
        new Promise<void>((r) => {
          if (!http) return r();
          const server = http;
          server.close(() => r());
          // Browsers keep connections alive; do not let them hold stop() up.
          if ('closeAllConnections' in server && typeof server.closeAllConnections === 'function') server.closeAllConnections();
        }),
      ]);
    })());

  return {
    url: `smtp://${HOST}:${port}`,
    port,
    inboxUrl: `http://${HOST}:${httpPort}`,
    messages: () => [...stored],
    received: () => received,
    clear,
    setMode: (m) => {
      mode = m;
    },
    stop,
  };
}
