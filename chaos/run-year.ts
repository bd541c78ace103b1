/**
 * One run of the fault suite's year, on its own stack: the worker and the API as supervised programs, the cycle
 * launched on a compressed calendar, units submitting through the HTTP API throughout (retrying, with the same
 * request id, as a browser's user would when a page fails), and — in the faulty run — the planned faults. It
 * ends when the cycle has closed and frozen its year and no email is still waiting, and returns what an
 * auditor would compare: what was accepted, what is stored, what reached the mail server, the final statuses,
 * the report's figures.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { writeFixture } from '../test/support/fixtures.js';
import { startCycle } from '../cli/commands/cycle.js';
import { createPool, type Db } from '../db/pool.js';
import { cycleStatus } from '../db/records.js';
import { calendarToReal, type ClockMap } from '../domain/clock.js';
import { unitWorkflowId } from '../domain/ids.js';
import { analyse, loadYears } from '../report/compile.js';
import { freePort } from '../stack/ports.js';
import { startApiProxy, type ApiProxy } from '../workers/api-proxy.js';
import { ChaosStack, type ReceivedMail } from './stack.js';
import { Supervised } from './supervisor.js';
import {
  processCounts,
  CLOSES_ON,
  ISSUED_ON,
  LADDER,
  PHASES,
  STUDY_TARGET,
  closingInstant,
  plannedFaults,
  plannedSubmissions,
  type ChaosOptions,
  type FaultKind,
  type PlannedFault,
  type PlannedSubmission,
} from './plan.js';

export interface SubmissionResult {
  requestId: string;
  unitCode: string;
  phase: string;
  attempts: number;
  outcome: 'accepted' | 'refused' | 'gave-up';
  status?: number;
  message?: string;
  /** From the first attempt to the answer, ms. */
  latencyMs: number;
}

export interface FaultRecord {
  kind: FaultKind;
  /** Real instants (ms): the fault began, the service was back (for a kill: the worker started again). */
  downAt: number;
  upAt: number;
  detail: string;
  /** API kill: submissions in flight through the proxy to the killed API, answered with an error and retried. */
  hit?: number;
  /** API kill: the killed process's pid, and each cut submission's Update as the workflow histories hold it. */
  killedPid?: number;
  cut?: Array<{ requestId: string; unitCode: string; acceptedUpdates: number; fromKilledApi: boolean }>;
}

export interface YearOutcome {
  faulty: boolean;
  cycleId: string;
  clock: Extract<ClockMap, { kind: 'compressed' }>;
  wallMs: number;
  submissions: SubmissionResult[];
  /** submission_key of every row in the submissions table. */
  storedKeys: string[];
  mails: ReceivedMail[];
  outbox: Record<string, number>;
  /** `unit/phase` → `status level versions`. */
  statuses: Record<string, string>;
  figures: Record<string, number>;
  failedWorkflows: string[];
  faults: FaultRecord[];
  /** `worker` and `api` sum their processes; `worker 1`, `api 2` … each process when there are several. */
  processes: Record<string, { starts: number; selfExits: number }>;
  engine: 'dev' | 'server';
}

/** One submission attempt of a unit, as the harness saw it: when it was sent and how it ended. */
interface Attempt {
  requestId: string;
  unitCode: string;
  startedAt: number;
  endedAt?: number;
  /** HTTP status, or 0 when no answer came (connection reset, timeout). */
  status?: number;
}

/** Every attempt of the year, for the API kill to find the submissions it cut. */
class Attempts {
  readonly all: Attempt[] = [];
  begin(requestId: string, unitCode: string): Attempt {
    const a: Attempt = { requestId, unitCode, startedAt: Date.now() };
    this.all.push(a);
    return a;
  }
  inFlight(): Attempt[] {
    return this.all.filter((a) => a.endedAt === undefined);
  }
}

const TOKEN = 'chaos-operator-token-0123456789abcdef';
const SECRET = 'chaos-signing-secret-0123456789abcdef0123';
const TASK_QUEUE = 'chaos';

export async function runYear(opts: ChaosOptions & { faulty: boolean; dir: string; log: (m: string) => void }): Promise<YearOutcome> {
  const started = Date.now();
  const log = (m: string) => opts.log(`[${opts.faulty ? 'faults' : 'baseline'} ${((Date.now() - started) / 1000).toFixed(1)}s] ${m}`);
  const engine = opts.engine ?? 'dev';
  fs.rmSync(opts.dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(opts.dir, 'logs'), { recursive: true });
  const stackLog = fs.createWriteStream(path.join(opts.dir, 'logs', 'stack.log'), { flags: 'a' });
  const stack = await ChaosStack.start(opts.dir, (m) => stackLog.write(`${new Date().toISOString()} ${m}\n`), engine);
  log(`stack up (${engine}): temporal ${stack.temporalAddress}`);
  const counts = processCounts(engine);
  // One API is reached directly (dev); several sit behind the round-robin proxy, whose address is the public one.
  const publicPort = await freePort();
  const apiPorts = counts.apis === 1 ? [publicPort] : await distinctPorts(counts.apis, [publicPort]);
  const apiUrl = `http://127.0.0.1:${publicPort}`;
  const env = (port: number) => () => ({
    TEMPORAL_ADDRESS: stack.temporalAddress,
    DATABASE_URL: stack.databaseUrl,
    SMTP_URL: stack.smtpUrl,
    CHUKY_TASK_QUEUE: TASK_QUEUE,
    CHUKY_API_TOKEN: TOKEN,
    CHUKY_SIGNING_SECRET: SECRET,
    API_PORT: String(port),
    PUBLIC_BASE_URL: apiUrl,
    ...(counts.apis > 1 ? { CHUKY_TRUST_PROXY: 'true' } : {}),
  });
  const name = (kind: string, i: number, n: number) => (n === 1 ? kind : `${kind}-${i + 1}`);
  const workers = Array.from(
    { length: counts.workers },
    (_, i) =>
      new Supervised(
        name('worker', i, counts.workers),
        ['worker'],
        env(publicPort),
        path.join(opts.dir, 'logs', `${name('worker', i, counts.workers)}.log`),
      ),
  );
  const apis = apiPorts.map(
    (port, i) =>
      new Supervised(name('api', i, counts.apis), ['api'], env(port), path.join(opts.dir, 'logs', `${name('api', i, counts.apis)}.log`)),
  );
  for (const p of [...workers, ...apis]) p.start();
  // Only the APIs whose process runs get requests, as in `chuky stack up` (workers/topology.ts).
  const proxy: ApiProxy | undefined =
    counts.apis > 1
      ? await startApiProxy(() => apiPorts.filter((_, i) => apis[i]!.running).map((p) => `http://127.0.0.1:${p}`), publicPort)
      : undefined;

  const connection = await Connection.connect({ address: stack.temporalAddress });
  const client = new Client({ connection });
  const db: Db = createPool(stack.databaseUrl, 4);
  const faults: FaultRecord[] = [];
  const attempts = new Attempts();
  try {
    for (const port of apiPorts)
      await waitUntil(
        `the API on port ${port} answers`,
        async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok === true,
        60_000,
      );
    // Several workers: the year starts once each polls, so both runs begin with the same capacity.
    if (counts.workers > 1)
      await waitUntil(
        `${counts.workers} workers polling`,
        async () => (await pollingWorkers(connection, workers).catch(() => 0)) >= counts.workers,
        120_000,
        500,
      );
    const fixture = writeFixture({
      code: opts.code,
      issuedOn: ISSUED_ON,
      deadline: PHASES[0].deadline,
      units: opts.units,
      reminders: [...LADDER.reminders],
      overdueNotice: true,
      level2AfterDays: LADDER.level2AfterDays,
      level3AfterDays: LADDER.level3AfterDays,
      closesOn: CLOSES_ON,
      phases: PHASES.map((p) => ({ ...p })),
      targets: { studyPercent: STUDY_TARGET },
      dir: path.join(opts.dir, 'cycle'),
    });
    const launched = await startCycle({ db, client, taskQueue: TASK_QUEUE, configFile: fixture.file, secondsPerDay: opts.secondsPerDay });
    if (launched.clock.kind !== 'compressed') throw new Error('the fault suite runs on a compressed calendar');
    const clock = launched.clock;
    const real = (calendarMs: number) => calendarToReal(clock, calendarMs);
    log(`cycle ${launched.cycleId} launched: ${launched.units} units, one day = ${opts.secondsPerDay} s`);

    const planned = plannedSubmissions(opts);
    // A unit learns of an obligation that arises during the year (a make-up session) only from its notice, so
    // it cannot submit before the notice reached it: the harness waits for it too, or a fault that delays the
    // notice would show as a refusal no unit could have met.
    const configured = new Set<string>(PHASES.map((p) => p.id));
    const noticeArrived = (s: PlannedSubmission) => () =>
      stack.mails().some((m) => m.key.startsWith(`${launched.cycleId}/${s.unitCode}/${s.phase}/notice`));
    const submitting = Promise.all(
      planned.map((s) =>
        submitAt(
          apiUrl,
          launched.cycleId,
          s,
          real(s.at),
          real(closingInstant()),
          attempts,
          configured.has(s.phase) ? undefined : noticeArrived(s),
        ),
      ),
    );

    const faulting = opts.faulty
      ? injectFaults(plannedFaults(opts), real, { stack, workers, apis, attempts, faults, log })
      : Promise.resolve();

    const handle = client.workflow.getHandle(launched.workflowId);
    await waitUntil(
      'the cycle to close and freeze its year',
      async () => {
        try {
          const d = await handle.describe();
          return d.status.name === 'COMPLETED' || d.status.name === 'FAILED' || d.status.name === 'TERMINATED';
        } catch {
          return false; // the server is restarting
        }
      },
      real(closingInstant()) - Date.now() + 180_000,
      1_000,
    );
    await faulting;
    const submissions = await submitting;
    await waitUntil(
      'no email waiting in the outbox or for the email relay',
      async () => {
        try {
          // A receipt is a request for the workers' relay until it is sent (workers/email-relay.ts); one a killed
          // worker held waits out its lease (60 s) first.
          const { rows } = await db.query(
            `SELECT (SELECT count(*) FROM emails WHERE cycle_id = $1 AND status = 'pending')
                  + (SELECT count(*) FROM email_requests WHERE cycle_id = $1) AS n`,
            [launched.cycleId],
          );
          return Number(rows[0].n) === 0;
        } catch {
          return false;
        }
      },
      180_000,
      1_000,
    );
    log(`closed; ${submissions.filter((s) => s.outcome === 'accepted').length}/${submissions.length} submissions accepted`);

    const storedKeys = (await db.query('SELECT submission_key FROM submissions WHERE cycle_id = $1', [launched.cycleId])).rows.map(
      (r) => r.submission_key as string,
    );
    const outbox = Object.fromEntries(
      (await db.query('SELECT status, count(*)::int AS n FROM emails WHERE cycle_id = $1 GROUP BY status', [launched.cycleId])).rows.map(
        (r) => [r.status, r.n],
      ),
    );
    const statuses = Object.fromEntries(
      (await cycleStatus(db, launched.cycleId)).map((r) => [
        `${r.unitCode}/${r.phase}`,
        `${r.status} L${r.escalationLevel} v${r.versions}`,
      ]),
    );
    const { years } = await loadYears(db, { cycleIds: [launched.cycleId] });
    const figures = Object.fromEntries(
      analyse(years)
        .figures.all()
        .map((f) => [f.id, f.value]),
    );
    for (const f of faults) if (f.cut) await readCutUpdates(client, launched.cycleId, f);
    const failedWorkflows: string[] = [];
    for await (const wf of client.workflow.list({
      query: `ExecutionStatus = 'Failed' OR ExecutionStatus = 'Terminated' OR ExecutionStatus = 'TimedOut'`,
    }))
      failedWorkflows.push(wf.workflowId);
    const outcome: YearOutcome = {
      faulty: opts.faulty,
      cycleId: launched.cycleId,
      clock,
      wallMs: Date.now() - started,
      submissions,
      storedKeys,
      mails: stack.mails(),
      outbox,
      statuses,
      figures,
      failedWorkflows,
      faults: faults.sort((a, b) => a.downAt - b.downAt),
      processes: processFigures(workers, apis),
      engine,
    };
    fs.writeFileSync(path.join(opts.dir, 'outcome.json'), JSON.stringify(outcome, null, 1));
    return outcome;
  } finally {
    await Promise.allSettled([...workers, ...apis].map((p) => p.stop()));
    await proxy?.close().catch(() => undefined);
    await db.end().catch(() => undefined);
    await connection.close().catch(() => undefined);
    await stack.stop();
    await new Promise<void>((r) => stackLog.end(r));
  }
}

/**
 * For each submission an API kill cut: how many Updates with its request id the unit's workflow accepted (every
 * run of it), and whether the one accepted came through the killed API (the client identity is the API's
 * pid@host). One accepted Update from the killed process means the cut request had reached Temporal and the
 * unit's retry through the other API was answered from it.
 */
async function readCutUpdates(client: Client, cycleId: string, f: FaultRecord): Promise<void> {
  for (const c of f.cut ?? []) {
    const workflowId = unitWorkflowId(cycleId, c.unitCode);
    let accepted = 0;
    let fromKilled = false;
    for await (const run of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
      const history = await client.workflow.getHandle(workflowId, run.runId).fetchHistory();
      for (const e of history.events ?? []) {
        const meta = e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.meta;
        if (meta?.updateId !== c.requestId) continue;
        accepted++;
        if (f.killedPid !== undefined && meta.identity?.split('@')[0] === String(f.killedPid)) fromKilled = true;
      }
    }
    c.acceptedUpdates = accepted;
    c.fromKilledApi = fromKilled;
  }
  const reached = (f.cut ?? []).filter((c) => c.fromKilledApi).length;
  f.detail += `; ${reached} of the ${f.cut?.length ?? 0} had reached Temporal through the killed API before it died`;
}

async function distinctPorts(n: number, taken: number[]): Promise<number[]> {
  const out: number[] = [];
  while (out.length < n) {
    const p = await freePort();
    if (!taken.includes(p) && !out.includes(p)) out.push(p);
  }
  return out;
}

/** Starts and self exits per kind (summed) and per process when a kind has several. */
function processFigures(workers: Supervised[], apis: Supervised[]): YearOutcome['processes'] {
  const out: YearOutcome['processes'] = {};
  for (const [kind, list] of [
    ['worker', workers],
    ['api', apis],
  ] as const) {
    out[kind] = { starts: list.reduce((n, p) => n + p.starts, 0), selfExits: list.reduce((n, p) => n + p.selfExits, 0) };
    if (list.length > 1) for (const p of list) out[p.name] = { starts: p.starts, selfExits: p.selfExits };
  }
  return out;
}

/** How many of the running workers poll the task queue for both workflow and activity tasks (identity pid@host). */
async function pollingWorkers(connection: Connection, workers: Supervised[]): Promise<number> {
  const live = new Set(workers.map((w) => w.pid).filter((p): p is number => p !== undefined));
  const seen: Array<Set<number>> = [];
  for (const taskQueueType of [1, 2]) {
    const res = await connection.workflowService.describeTaskQueue({
      namespace: 'default',
      taskQueue: { name: TASK_QUEUE, kind: 1 },
      taskQueueType,
    });
    seen.push(new Set((res.pollers ?? []).map((p) => Number((p.identity ?? '').split('@')[0]))));
  }
  return [...live].filter((pid) => seen.every((s) => s.has(pid))).length;
}

async function waitUntil(what: string, fn: () => Promise<boolean>, timeoutMs: number, everyMs = 250): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Whether an answer means "try again" to a unit's browser: no answer, a server error, a gateway timeout. */
const retryable = (status: number) => status >= 500 || status === 408 || status === 429;

/**
 * One unit's submission at its real instant (and not before its notice, when `noticeArrived` is given),
 * retried every second with the same request id until the API gives an answer that is not a server error, or
 * the year is over.
 */
async function submitAt(
  apiUrl: string,
  cycleId: string,
  s: PlannedSubmission,
  atMs: number,
  giveUpAtMs: number,
  tracker: Attempts,
  noticeArrived?: () => boolean,
): Promise<SubmissionResult> {
  await sleep(Math.max(0, atMs - Date.now()));
  while (noticeArrived && !noticeArrived() && Date.now() < giveUpAtMs) await sleep(250);
  const first = Date.now();
  let attempts = 0;
  let last = '';
  while (Date.now() < giveUpAtMs) {
    attempts++;
    const attempt = tracker.begin(s.requestId, s.unitCode);
    try {
      const res = await fetch(`${apiUrl}/api/v1/cycles/${encodeURIComponent(cycleId)}/units/${encodeURIComponent(s.unitCode)}/submit`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          phase: s.phase,
          payload: s.payload,
          actor: { id: `unit:${s.unitCode}`, via: 'api' },
          requestId: s.requestId,
        }),
        signal: AbortSignal.timeout(20_000),
      });
      const text = await res.text();
      attempt.status = res.status;
      attempt.endedAt = Date.now();
      if (res.ok)
        return {
          requestId: s.requestId,
          unitCode: s.unitCode,
          phase: s.phase,
          attempts,
          outcome: 'accepted',
          status: res.status,
          latencyMs: Date.now() - first,
        };
      if (!retryable(res.status))
        return {
          requestId: s.requestId,
          unitCode: s.unitCode,
          phase: s.phase,
          attempts,
          outcome: 'refused',
          status: res.status,
          message: text.slice(0, 300),
          latencyMs: Date.now() - first,
        };
      last = `${res.status} ${text.slice(0, 200)}`;
    } catch (err) {
      attempt.status = 0;
      attempt.endedAt = Date.now();
      last = err instanceof Error ? err.message : String(err);
    }
    await sleep(1_000);
  }
  return {
    requestId: s.requestId,
    unitCode: s.unitCode,
    phase: s.phase,
    attempts,
    outcome: 'gave-up',
    message: last,
    latencyMs: Date.now() - first,
  };
}

/**
 * Each fault at its calendar instant, each on its own: a fault that waits for its service (a killed worker held
 * down, a restarted service) must not hold up the next one, which may fall while it waits (the API kill comes
 * half an hour after a worker kill). Faults of the dev plan do not overlap, so for it this is the same as one after
 * the other.
 */
/** What injecting a fault needs: the stack, the processes to kill, and where its record goes. */
interface InjectionContext {
  stack: ChaosStack;
  workers: Supervised[];
  apis: Supervised[];
  attempts: Attempts;
  faults: FaultRecord[];
  log: (m: string) => void;
}

async function injectFaults(planned: PlannedFault[], real: (calendarMs: number) => number, ctx: InjectionContext): Promise<void> {
  await Promise.all(planned.map((f) => injectOne(f, real, ctx)));
}

async function injectOne(f: PlannedFault, real: (calendarMs: number) => number, ctx: InjectionContext): Promise<void> {
  const { stack, workers, apis, attempts, faults, log } = ctx;
  await sleep(Math.max(0, real(f.at) - Date.now()));
  let downAt = Date.now();
  let record: FaultRecord;
  const several = workers.length > 1;
  switch (f.kind) {
    case 'worker-kill': {
      const worker = workers[(f.target ?? 0) % workers.length]!;
      const startsBefore = worker.startTimes.length;
      worker.kill9(f.downMs);
      await waitUntil(`${worker.name} to be started again`, async () => worker.startTimes.length > startsBefore, 60_000, 100);
      record = {
        kind: f.kind,
        downAt,
        upAt: worker.startTimes[startsBefore]!,
        detail: `kill -9${several ? ` of ${worker.name}` : ''}, restarted after ${f.downMs} ms`,
      };
      break;
    }
    case 'api-kill': {
      const api = apis[(f.target ?? 0) % apis.length]!;
      // Mid-request: the burst of on-time plans has begun and several have waited a second unanswered, so with
      // round robin some of them are at this API and past its own checks, their Update already with Temporal (a
      // kill in the first milliseconds cut requests the API had not yet passed on). Not found within two calendar
      // days: it kills anyway, and `hit` says what it cut.
      const until = real(f.at + 2 * 86_400_000);
      const waiting = () => attempts.inFlight().filter((a) => Date.now() - a.startedAt >= 1_000).length;
      while ((attempts.inFlight().length < 4 || waiting() < 2) && Date.now() < until) await sleep(5);
      const cut = attempts.inFlight();
      downAt = Date.now();
      const startsBefore = api.startTimes.length;
      const killedPid = api.pid;
      api.kill9(f.downMs);
      await waitUntil(`${api.name} to be started again`, async () => api.startTimes.length > startsBefore, 60_000, 100);
      // Each cut request ends with the proxy's 502 (its API died under it) or with the other API's answer.
      await waitUntil('the cut requests to be answered', async () => cut.every((a) => a.endedAt !== undefined), 60_000, 100);
      const hit = cut.filter((a) => a.status !== undefined && (a.status === 0 || a.status >= 500));
      record = {
        kind: f.kind,
        downAt,
        upAt: api.startTimes[startsBefore]!,
        hit: hit.length,
        ...(killedPid !== undefined ? { killedPid } : {}),
        cut: hit.map((a) => ({ requestId: a.requestId, unitCode: a.unitCode, acceptedUpdates: -1, fromKilledApi: false })),
        detail:
          `kill -9 of ${api.name} with ${cut.length} submissions in flight through the proxy: ${hit.length} cut ` +
          `(${[...new Set(hit.map((a) => a.status))].map((st) => (st === 0 ? 'no answer' : String(st))).join(', ') || '—'}) ` +
          `and sent again by the unit with the same request id; restarted after ${f.downMs} ms`,
      };
      break;
    }
    case 'history-restart':
    case 'frontend-restart':
    case 'matching-restart': {
      const service = f.kind.replace('-restart', '') as 'history' | 'frontend' | 'matching';
      await stack.restartService(service, f.downMs);
      record = {
        kind: f.kind,
        downAt,
        upAt: Date.now(),
        detail: `${service} service alone stopped (SIGTERM), started again after ${f.downMs} ms; the other services and PostgreSQL up`,
      };
      break;
    }
    case 'temporal-restart': {
      await stack.stopTemporal();
      await sleep(f.downMs);
      await stack.startTemporal();
      record = { kind: f.kind, downAt, upAt: Date.now(), detail: `dev server stopped for ${f.downMs} ms, SQLite file kept` };
      break;
    }
    case 'smtp-outage': {
      await stack.stopSmtp();
      await sleep(f.downMs);
      await stack.startSmtp();
      stack.setSmtpMode('tempfail');
      const tempfailAt = Date.now();
      await sleep(f.tempfailMs ?? 0);
      stack.setSmtpMode('accept');
      record = {
        kind: f.kind,
        downAt,
        upAt: Date.now(),
        detail: `connections refused for ${f.downMs} ms, then 451 for ${Date.now() - tempfailAt} ms`,
      };
      break;
    }
    case 'postgres-restart': {
      await stack.stopPostgres();
      await sleep(f.downMs);
      await stack.startPostgres();
      record = {
        kind: f.kind,
        downAt,
        upAt: Date.now(),
        detail:
          stack.engine === 'server'
            ? `stopped for ${f.downMs} ms, data kept; the one instance holds chuky's database and Temporal's two`
            : `stopped for ${f.downMs} ms, data kept`,
      };
      break;
    }
  }
  faults.push(record);
  log(
    `${f.kind}: down ${((record.upAt - record.downAt) / 1000).toFixed(1)} s${record.hit !== undefined ? `, ${record.hit} requests cut` : ''}`,
  );
}
