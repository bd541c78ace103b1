/**
 * `chuky doctor`: is everything chuky needs there? Temporal, PostgreSQL, the migrations, SMTP, a worker on the
 * task queue and chuky's search attributes. Each check is timed and says in one line what it found; a service
 * that does not answer is a failed check, never an exception, so the report is always complete.
 */
import fs from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import pg from 'pg';
import { projectRoot } from '../config/paths.js';
import { appliedMigrations, serverVersion } from '../db/doctor.js';
import { describeDown, readServicesFile, servicesLiveness } from '../workers/services.js';
import * as searchAttributes from '../workflows/search-attributes.js';
import { DEFAULT_POLLER_GRACE_SECONDS, ago, describeMissing, describePollers, missingPollers } from './pollers.js';
import { errorLine } from './error-line.js';
import type { DoctorCheck, OpsDeps } from './types.js';

/** No check waits longer than this for a service: a black-holed address must not hang the report. */
export const CHECK_TIMEOUT_MS = 8_000;

// Wire values of temporal.api.enums.v1.IndexedValueType for the types the SDK's search attribute keys use.
const INDEXED_VALUE_TYPE: Record<string, number> = { TEXT: 1, KEYWORD: 2, INT: 3, DOUBLE: 4, BOOL: 5, DATETIME: 6, KEYWORD_LIST: 7 };

export type DoctorDeps = OpsDeps & {
  databaseUrl: string;
  smtpUrl: string;
  /** host:port of the Temporal frontend, for the message (optional). */
  temporalAddress?: string;
  /** A worker counts as missing after this long without a poll (default DEFAULT_POLLER_GRACE_SECONDS, as `stalled`). */
  pollerGraceSeconds?: number;
};

function withTimeout<T>(what: string, p: Promise<T>, ms = CHECK_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms);
    }),
  ]);
}

async function timed(name: DoctorCheck['name'], fn: () => Promise<{ ok: boolean; detail: string }>): Promise<DoctorCheck> {
  const started = performance.now();
  let result: { ok: boolean; detail: string };
  try {
    result = await fn();
  } catch (err) {
    result = { ok: false, detail: errorLine(err) };
  }
  return { name, ok: result.ok, detail: result.detail, ms: Math.round(performance.now() - started) };
}

/** host:port (and database) of a URL, never its user or password. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname && u.pathname !== '/' ? u.pathname : ''}`;
  } catch {
    return '(unparseable URL)';
  }
}

/** Migration files shipped with this build: node-pg-migrate records each by its file name without extension. */
export function migrationFiles(dir = path.join(projectRoot(), 'db', 'migrations')): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /\.(sql|js|cjs|mjs|ts)$/.test(f))
    .map((f) => f.replace(/\.[^.]+$/, ''))
    .sort();
}

/** Every search attribute key chuky's workflows set (workflows/search-attributes.ts), by name and type. */
export function expectedSearchAttributes(): { name: string; type: string }[] {
  return (Object.values(searchAttributes) as unknown[])
    .filter((v): v is { name: string; type: string } => typeof v === 'object' && v !== null && 'name' in v && 'type' in v)
    .map((k) => ({ name: k.name, type: String(k.type) }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

/**
 * When the addresses checked are those a `chuky dev` wrote (.data/services.json, kept after it dies): each part of
 * that stack, named — Temporal, PostgreSQL, SMTP, the worker process, the API — with what is down.
 */
async function devStackCheck(deps: DoctorDeps): Promise<DoctorCheck | undefined> {
  const file = readServicesFile();
  if (!file || file.temporalAddress !== deps.temporalAddress || file.databaseUrl !== deps.databaseUrl) return undefined;
  return timed('dev-stack', async () => {
    const parts = await servicesLiveness(file);
    const down = describeDown(parts, file);
    return {
      ok: !down,
      detail:
        down ??
        `\`chuky dev\` (pid ${file.pid}) and all its parts answer: ${parts
          .filter((p) => p.part !== 'chuky dev')
          .map((p) => p.part)
          .join(', ')}`,
    };
  });
}

export async function runDoctor(deps: DoctorDeps): Promise<DoctorCheck[]> {
  const dev = devStackCheck(deps);
  const deadline = () => Date.now() + CHECK_TIMEOUT_MS;
  const conn = deps.client.connection;
  const temporalWhere = `${deps.temporalAddress ?? 'Temporal'}, namespace "${deps.namespace}"`;

  const temporal = timed('temporal', async () => {
    // ensureConnected first: an unreachable address then fails in one clear line, within the check's time.
    try {
      await withTimeout(`Temporal at ${temporalWhere}`, conn.ensureConnected(), CHECK_TIMEOUT_MS);
    } catch (err) {
      return { ok: false, detail: `${temporalWhere}: not reachable (${errorLine(err)})` };
    }
    const info = await conn.withDeadline(deadline(), () => deps.client.workflowService.getSystemInfo({}));
    await conn.withDeadline(deadline(), () => deps.client.workflowService.describeNamespace({ namespace: deps.namespace }));
    return { ok: true, detail: `${temporalWhere} reachable (server ${info.serverVersion || 'version unknown'})` };
  });

  const postgres = (async () => {
    // A client of its own with a connect timeout: the pool's state (or its lack of a timeout) says nothing.
    const client = new pg.Client({
      connectionString: deps.databaseUrl,
      connectionTimeoutMillis: CHECK_TIMEOUT_MS,
      statement_timeout: CHECK_TIMEOUT_MS,
    });
    let connected = false;
    const where = redactUrl(deps.databaseUrl);
    const pgCheck = await timed('postgres', async () => {
      try {
        await withTimeout(`PostgreSQL at ${where}`, client.connect());
      } catch (err) {
        return { ok: false, detail: `${where}: not reachable (${errorLine(err)})` };
      }
      connected = true;
      const server = await serverVersion(client);
      return { ok: server.answered, detail: `${where} reachable (PostgreSQL ${server.version})` };
    });
    const migrations = await timed('migrations', async () => {
      if (!connected) return { ok: false, detail: `cannot check: PostgreSQL at ${where} is not reachable` };
      const files = migrationFiles();
      const applied = await appliedMigrations(client);
      if (!applied) return { ok: false, detail: `no migrations applied (${files.length} pending); run \`chuky migrate\`` };
      const pending = files.filter((f) => !applied.has(f));
      const unknown = [...applied].filter((a) => !files.includes(a)).sort();
      if (pending.length)
        return { ok: false, detail: `${pending.length} migration(s) not applied: ${pending.join(', ')}; run \`chuky migrate\`` };
      return {
        ok: true,
        detail:
          `all ${files.length} migrations ` +
          `applied${unknown.length ? ` (the database also has ${unknown.join(', ')}, from a newer build)` : ''}`,
      };
    });
    if (connected) await client.end().catch(() => undefined);
    else client.end().catch(() => undefined);
    return [pgCheck, migrations];
  })();

  const smtp = timed('smtp', async () => {
    const where = redactUrl(deps.smtpUrl);
    const url = new URL(deps.smtpUrl);
    // Short timeouts: verify() connects, greets and authenticates; it sends nothing.
    for (const [k, v] of Object.entries({ connectionTimeout: '5000', greetingTimeout: '5000', socketTimeout: '5000' }))
      if (!url.searchParams.has(k)) url.searchParams.set(k, v);
    const transport = nodemailer.createTransport(url.toString());
    try {
      await withTimeout(`SMTP at ${where}`, transport.verify());
      return { ok: true, detail: `${where} accepts connections` };
    } catch (err) {
      return { ok: false, detail: `${where}: ${errorLine(err)}` };
    } finally {
      transport.close();
    }
  });

  const worker = () =>
    timed('worker', async () => {
      const views = await conn.withDeadline(deadline(), () => describePollers(deps.client, deps.namespace, deps.taskQueue));
      const now = Date.now();
      const missing = missingPollers(views, deps.pollerGraceSeconds ?? DEFAULT_POLLER_GRACE_SECONDS, now);
      if (missing.length) return { ok: false, detail: describeMissing(deps.taskQueue, missing, now) };
      const last = views.map((v) => `${v.type} ${ago(now - (v.lastSeen ?? now))} ago`).join(', ');
      return {
        ok: true,
        detail:
          `a worker polls task queue "${deps.taskQueue}" (last ` +
          `polls: ${last}; ${views.find((v) => v.identity)?.identity ?? 'identity unknown'})`,
      };
    });

  const attributes = () =>
    timed('search-attributes', async () => {
      const expected = expectedSearchAttributes();
      let registered: Record<string, number>;
      try {
        const res = await conn.withDeadline(deadline(), () => conn.operatorService.listSearchAttributes({ namespace: deps.namespace }));
        registered = Object.fromEntries(Object.entries(res.customAttributes ?? {}).map(([k, v]) => [k, Number(v)]));
      } catch (err) {
        // Some deployments do not expose the operator service to workers; the frontend's own list will do.
        if (!/unimplemented|permission|not ?allowed|unauthori[sz]ed/i.test(errorLine(err))) throw err;
        const res = await conn.withDeadline(deadline(), () => deps.client.workflowService.getSearchAttributes({}));
        registered = Object.fromEntries(Object.entries(res.keys ?? {}).map(([k, v]) => [k, Number(v)]));
      }
      const missing = expected.filter((e) => registered[e.name] === undefined).map((e) => `${e.name} (${e.type})`);
      const wrong = expected
        .filter(
          (e) =>
            registered[e.name] !== undefined &&
            INDEXED_VALUE_TYPE[e.type] !== undefined &&
            registered[e.name] !== INDEXED_VALUE_TYPE[e.type],
        )
        .map((e) => `${e.name} is not ${e.type}`);
      if (missing.length || wrong.length) {
        return {
          ok: false,
          detail:
            `${[missing.length ? `missing on namespace "${deps.namespace}": ${missing.join(', ')}` : '', wrong.join(', ')].filter(Boolean).join('; ')}; ` +
            `register them with \`temporal operator search-attribute create\` (see ` +
            `workflows/search-attributes.ts)`,
        };
      }
      return { ok: true, detail: `all ${expected.length} registered on namespace "${deps.namespace}"` };
    });

  // The worker and search-attribute checks ask Temporal: when it does not answer, say so instead of waiting again.
  const temporalChecks = temporal.then(async (t): Promise<DoctorCheck[]> => {
    if (t.ok) return [t, ...(await Promise.all([worker(), attributes()]))];
    const skipped = (name: DoctorCheck['name']): DoctorCheck => ({
      name,
      ok: false,
      detail: `cannot check: Temporal at ${temporalWhere} is not reachable`,
      ms: 0,
    });
    return [t, skipped('worker'), skipped('search-attributes')];
  });
  const [[t, w, a], [p, m], s, d] = await Promise.all([temporalChecks, postgres, smtp, dev]);
  return [...(d ? [d] : []), t!, p!, m!, s, w!, a!];
}
