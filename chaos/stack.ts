/**
 * The fault suite's own services, each restartable on the same address with its data kept: Temporal — the CLI's
 * dev server (its SQLite file) or, for `--engine server`, the real server split into frontend, history, matching
 * and worker processes on the same PostgreSQL instance as chuky's data — an embedded PostgreSQL (its cluster
 * folder) and the SMTP sink (its .eml folder).
 * Every message the sink accepts, across its restarts, is kept in `mails` with its arrival time: the suite counts
 * duplicates by Message-ID there, at the receiving server, not in chuky's own outbox.
 */
import fs from 'node:fs';
import path from 'node:path';
import { startDevServer, type DevServer } from '../stack/temporal-dev-server.js';
import { startTemporalServer, type ServerService, type TemporalServer } from '../stack/temporal-server.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../stack/postgres.js';
import { startSmtpSink, type SinkMode, type SmtpSink, type StoredMail } from '../stack/smtp-sink.js';
import { freePort } from '../stack/ports.js';
import { migrate } from '../db/migrate.js';
import type { Engine } from './plan.js';

export interface ReceivedMail {
  messageId: string;
  /** X-Chuky-Key: the outbox key, the same in every run of the same year. */
  key: string;
  kind: string;
  to: string[];
  receivedAtMs: number;
}

/** A header's value from the raw message, unfolded (RFC 5322 §2.2.3). */
function header(raw: string, name: string): string {
  const head = raw.split(/\r?\n\r?\n/, 1)[0]!.replace(/\r?\n[ \t]+/g, ' ');
  const m = new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head);
  return m ? m[1]!.trim() : '';
}

export function received(m: StoredMail): ReceivedMail {
  return {
    messageId: m.messageId,
    key: header(m.raw, 'X-Chuky-Key'),
    kind: header(m.raw, 'X-Chuky-Kind'),
    to: m.to,
    receivedAtMs: Date.parse(m.receivedAt),
  };
}

export class ChaosStack {
  private temporal: DevServer | undefined;
  private server: TemporalServer | undefined;
  private pg: EmbeddedPostgres | undefined;
  private sink: SmtpSink | undefined;
  private smtpStarts = 0;
  private readonly earlier: ReceivedMail[] = [];
  temporalAddress = '';
  databaseUrl = '';
  smtpUrl = '';

  private constructor(
    readonly dir: string,
    readonly engine: Engine,
    private readonly ports: { temporal: number; ui: number; pg: number; smtp: number; inbox: number },
    private readonly log: (m: string) => void,
  ) {}

  static async start(dir: string, log: (m: string) => void, engine: Engine = 'dev'): Promise<ChaosStack> {
    fs.mkdirSync(dir, { recursive: true });
    const ports = {
      temporal: await freePort(),
      ui: await freePort(),
      pg: await freePort(),
      smtp: await freePort(),
      inbox: await freePort(),
    };
    const stack = new ChaosStack(dir, engine, ports, log);
    try {
      if (engine === 'server') {
        // The server's databases live on chuky's PostgreSQL instance: it must be up first.
        await Promise.all([stack.startPostgres(), stack.startSmtp()]);
        await stack.startServer();
      } else await Promise.all([stack.startTemporal(), stack.startPostgres(), stack.startSmtp()]);
      await migrate(stack.databaseUrl);
    } catch (err) {
      await stack.stop();
      throw err;
    }
    return stack;
  }

  private async startServer(): Promise<void> {
    this.server = await startTemporalServer({
      postgresUrl: this.databaseUrl,
      dir: path.join(this.dir, 'temporal-server'),
      split: true,
      port: this.ports.temporal,
      log: (m) => this.log(`[temporal-server] ${m}`),
    });
    this.temporalAddress = this.server.address;
  }

  /** The real server's processes (server engine). */
  serverProcesses(): ReturnType<TemporalServer['processes']> {
    return this.server?.processes() ?? [];
  }

  /** Stops one service of the split server, keeps it down for `downMs`, starts it again and waits until it serves. */
  async restartService(name: ServerService, downMs: number): Promise<void> {
    if (!this.server) throw new Error('restartService: the stack runs no Temporal server (engine dev)');
    await this.server.stopService(name);
    await new Promise((r) => setTimeout(r, downMs));
    await this.server.startService(name);
  }

  async startTemporal(): Promise<void> {
    this.temporal = await startDevServer({
      dbFile: path.join(this.dir, 'temporal.sqlite'),
      port: this.ports.temporal,
      uiPort: this.ports.ui,
      log: (m) => this.log(`[temporal] ${m}`),
    });
    this.temporalAddress = this.temporal.address;
  }

  async stopTemporal(): Promise<void> {
    await this.temporal?.stop();
    this.temporal = undefined;
  }

  async startPostgres(): Promise<void> {
    this.pg = await startEmbeddedPostgres({
      dataDir: path.join(this.dir, 'postgres'),
      port: this.ports.pg,
      log: (m) => this.log(`[postgres] ${m}`),
    });
    this.databaseUrl = this.pg.url;
  }

  async stopPostgres(): Promise<void> {
    await this.pg?.stop();
    this.pg = undefined;
  }

  async startSmtp(): Promise<void> {
    // A folder per start: the sink reloads what its folder holds, and what an earlier start received is already
    // counted in `earlier` (one folder would count it twice).
    const storeDir = path.join(this.dir, `mail-${++this.smtpStarts}`);
    this.sink = await startSmtpSink({ port: this.ports.smtp, httpPort: this.ports.inbox, storeDir, log: (m) => this.log(`[smtp] ${m}`) });
    this.smtpUrl = this.sink.url;
  }

  /** Stops listening: connections are refused until `startSmtp`. What it received so far is kept. */
  async stopSmtp(): Promise<void> {
    if (!this.sink) return;
    this.earlier.push(...this.sink.messages().map(received));
    await this.sink.stop();
    this.sink = undefined;
  }

  setSmtpMode(mode: SinkMode): void {
    this.sink?.setMode(mode);
  }

  /** Every message the sink accepted in this run, across its restarts, in arrival order. */
  mails(): ReceivedMail[] {
    return [...this.earlier, ...(this.sink?.messages().map(received) ?? [])].sort((a, b) => a.receivedAtMs - b.receivedAtMs);
  }

  async stop(): Promise<void> {
    // The server first: stopped after its database, its services would log errors until they gave up.
    await this.server?.stop().catch(() => undefined);
    this.server = undefined;
    await Promise.allSettled([this.stopTemporal(), this.stopPostgres(), this.stopSmtp()]);
  }
}
