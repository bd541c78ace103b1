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
import { analyse, loadYears } from '../report/compile.js';
import { freePort } from '../stack/ports.js';
import { ChaosStack, type ReceivedMail } from './stack.js';
import { Supervised } from './supervisor.js';
import {
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
  processes: Record<string, { starts: number; selfExits: number }>;
}

const TOKEN = 'chaos-operator-token-0123456789abcdef';
const SECRET = 'chaos-signing-secret-0123456789abcdef0123';
const TASK_QUEUE = 'chaos';

export async function runYear(opts: ChaosOptions & { faulty: boolean; dir: string; log: (m: string) => void }): Promise<YearOutcome> {
  const started = Date.now();
  const log = (m: string) => opts.log(`[${opts.faulty ? 'faults' : 'baseline'} ${((Date.now() - started) / 1000).toFixed(1)}s] ${m}`);
  fs.rmSync(opts.dir, { recursive: true, force: true });
  const stack = await ChaosStack.start(opts.dir, () => undefined);
  log(`stack up: temporal ${stack.temporalAddress}`);
  const apiPort = await freePort();
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const env = () => ({
    TEMPORAL_ADDRESS: stack.temporalAddress,
    DATABASE_URL: stack.databaseUrl,
    SMTP_URL: stack.smtpUrl,
    CHUKY_TASK_QUEUE: TASK_QUEUE,
    CHUKY_API_TOKEN: TOKEN,
    CHUKY_SIGNING_SECRET: SECRET,
    API_PORT: String(apiPort),
    PUBLIC_BASE_URL: apiUrl,
  });
  const worker = new Supervised('worker', ['worker'], env, path.join(opts.dir, 'logs', 'worker.log'));
  const api = new Supervised('api', ['api'], env, path.join(opts.dir, 'logs', 'api.log'));
  worker.start();
  api.start();

  const connection = await Connection.connect({ address: stack.temporalAddress });
  const client = new Client({ connection });
  const db: Db = createPool(stack.databaseUrl, 4);
  const faults: FaultRecord[] = [];
  try {
    await waitUntil('the API answers', async () => (await fetch(`${apiUrl}/healthz`).catch(() => undefined))?.ok === true, 60_000);
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
        submitAt(apiUrl, launched.cycleId, s, real(s.at), real(closingInstant()), configured.has(s.phase) ? undefined : noticeArrived(s)),
      ),
    );

    const faulting = opts.faulty ? injectFaults(plannedFaults(opts), real, { stack, worker, faults, log }) : Promise.resolve();

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
      'no email waiting in the outbox',
      async () => {
        try {
          const { rows } = await db.query("SELECT count(*)::int AS n FROM emails WHERE cycle_id = $1 AND status = 'pending'", [
            launched.cycleId,
          ]);
          return rows[0].n === 0;
        } catch {
          return false;
        }
      },
      120_000,
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
      faults,
      processes: { worker: { starts: worker.starts, selfExits: worker.selfExits }, api: { starts: api.starts, selfExits: api.selfExits } },
    };
    fs.writeFileSync(path.join(opts.dir, 'outcome.json'), JSON.stringify(outcome, null, 1));
    return outcome;
  } finally {
    await Promise.allSettled([worker.stop(), api.stop()]);
    await db.end().catch(() => undefined);
    await connection.close().catch(() => undefined);
    await stack.stop();
  }
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
  noticeArrived?: () => boolean,
): Promise<SubmissionResult> {
  await sleep(Math.max(0, atMs - Date.now()));
  while (noticeArrived && !noticeArrived() && Date.now() < giveUpAtMs) await sleep(250);
  const first = Date.now();
  let attempts = 0;
  let last = '';
  while (Date.now() < giveUpAtMs) {
    attempts++;
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

async function injectFaults(
  planned: PlannedFault[],
  real: (calendarMs: number) => number,
  ctx: { stack: ChaosStack; worker: Supervised; faults: FaultRecord[]; log: (m: string) => void },
): Promise<void> {
  const { stack, worker, faults, log } = ctx;
  const workerStarts = worker.startTimes;
  for (const f of planned) {
    await sleep(Math.max(0, real(f.at) - Date.now()));
    const downAt = Date.now();
    switch (f.kind) {
      case 'worker-kill': {
        const startsBefore = workerStarts.length;
        worker.kill9(f.downMs);
        await waitUntil('the worker to be started again', async () => workerStarts.length > startsBefore, 60_000, 100);
        faults.push({ kind: f.kind, downAt, upAt: workerStarts[startsBefore]!, detail: `kill -9, restarted after ${f.downMs} ms` });
        break;
      }
      case 'temporal-restart': {
        await stack.stopTemporal();
        await sleep(f.downMs);
        await stack.startTemporal();
        faults.push({ kind: f.kind, downAt, upAt: Date.now(), detail: `dev server stopped for ${f.downMs} ms, SQLite file kept` });
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
        faults.push({
          kind: f.kind,
          downAt,
          upAt: Date.now(),
          detail: `connections refused for ${f.downMs} ms, then 451 for ${Date.now() - tempfailAt} ms`,
        });
        break;
      }
      case 'postgres-restart': {
        await stack.stopPostgres();
        await sleep(f.downMs);
        await stack.startPostgres();
        faults.push({ kind: f.kind, downAt, upAt: Date.now(), detail: `stopped for ${f.downMs} ms, data kept` });
        break;
      }
    }
    const last = faults.at(-1)!;
    log(`${f.kind}: down ${((last.upAt - last.downAt) / 1000).toFixed(1)} s`);
  }
}
