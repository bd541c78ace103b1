/**
 * A committee's year run under time skipping on a sequence of workflow bundles, one worker after the other on
 * the same task queue: the first bundle's worker runs the year until its stage ends, stops, and the next bundle's
 * worker takes the running workflows over (replaying their histories) and carries on. That is a deploy in the
 * middle of a year. With a single stage it is a year run on one version.
 *
 * Real parts: the test's PostgreSQL and SMTP sink (test/support/global-setup.ts), a time-skipping Temporal test
 * server of its own, today's activities. The units act as a behaviour file says, at 10:00 on their day, through
 * the same client calls as the API (rehearsal/run.ts plans the actions; this runs them).
 */
import { inject } from 'vitest';
import { timeSkippingEnvAt } from '../../stack/test-server.js';
import type { Client } from '@temporalio/client';
import { DefaultLogger, Runtime, Worker, type WorkflowBundle } from '@temporalio/worker';
import { loadCycleFileAsync } from '../../config/cycle.js';
import { unitPhases } from '../../config/phase-lookup.js';
import { loadEnv } from '../../config/env.js';
import { createActivities, type ActivityDeps } from '../../activities/index.js';
import { emailRelayFor, withEmailRelay } from '../../workers/worker.js';
import { drainEmailRequests } from '../../workers/email-relay.js';
import type { Db } from '../../db/pool.js';
import type { Mailer } from '../../mail/transport.js';
import { frozenDataset, type FrozenDataset } from '../../db/frozen.js';
import { computeFigures } from '../../report/figures.js';
import { instantToLocalDate } from '../../domain/calendar.js';
import { cycleId as makeCycleId, cycleWorkflowId, unitWorkflowId } from '../../domain/ids.js';
import { exempt, extendDeadline, submit } from '../../client/unit-actions.js';
import { startCycle } from '../../cli/commands/cycle.js';
import { closingInstant, planActions, type PlannedAction } from '../../rehearsal/run.js';
import { loadBehaviourFile, resolveBehaviours } from '../../rehearsal/behaviour.js';

// Tests read assertions, not the SDK's INFO lines; warnings and errors still show (as test/support/harness.ts).
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // Already installed in this process.
}

export interface Stage {
  name: string;
  bundle: WorkflowBundle;
  /** Calendar instant (ms) this stage's worker runs to; the last stage runs to the end of the year. */
  until?: number;
}

/** What the system had done when a stage ended, and the test server's client to look further. */
export interface StageEnd {
  stage: Stage;
  next: Stage;
  client: Client;
  cycleId: string;
  workflowIds: string[];
  emails: YearEmail[];
  /** Submissions stored so far, `unit/phase`. */
  submissions: string[];
}

export interface YearEmail {
  key: string;
  /** The key without its cycle id: the same purpose in another committee's year. */
  purpose: string;
  messageId: string;
  unit: string;
  phase: string;
  kind: string;
  date: string;
  status: string;
}

export interface YearResult {
  cycleId: string;
  emails: YearEmail[];
  /** Each obligation's status, `unit → phase → status`. */
  statuses: Record<string, Record<string, string>>;
  frozen: FrozenDataset;
  /** Every report figure of the frozen year, id → value. */
  figures: Record<string, number>;
  /** Anything that did not go as planned: refused actions, workflows not completed. */
  problems: string[];
  actions: number;
  workflowIds: string[];
  client: Client;
  /** Stops the test server; call when done reading histories from `client`. */
  teardown(): Promise<void>;
}

const OPERATOR = { id: 'operator:rehearsal', via: 'cli' as const };

async function perform(client: Client, cycleId: string, a: PlannedAction, receivedAt: number): Promise<string | undefined> {
  const requestId = `rehearsal/${a.action}/${a.unit}/${a.phase}`;
  try {
    if (a.action === 'submit') {
      const receipt = await submit(
        client,
        cycleId,
        a.unit,
        { phase: a.phase, payload: a.payload, actor: { id: `unit:${a.unit}`, via: 'web' }, requestId },
        receivedAt,
      );
      if (a.expectLate !== undefined && receipt.late !== a.expectLate)
        return `expected ${a.expectLate ? 'late' : 'on time'}, the workflow said ${receipt.late ? 'late' : 'on time'}`;
    } else if (a.action === 'extend') {
      await extendDeadline(client, cycleId, a.unit, {
        phase: a.phase,
        newDeadline: a.newDeadline,
        reason: 'Đơn vị đang kiện toàn cấp ủy, đề nghị gia hạn (diễn tập)',
        actor: OPERATOR,
        requestId,
      });
    } else {
      await exempt(client, cycleId, a.unit, {
        phase: a.phase,
        reason: 'Đơn vị đang sáp nhập, được miễn nghĩa vụ này (diễn tập)',
        actor: OPERATOR,
        requestId,
      });
    }
    return undefined;
  } catch (err) {
    return `refused: ${err instanceof Error ? err.message : String(err)}`;
  }
}

async function readEmails(db: Db, cycleId: string, tz: string): Promise<YearEmail[]> {
  const { rows } = await db.query(
    'SELECT email_key, message_id, unit_code, phase, kind, status, calendar_at FROM emails WHERE cycle_id = $1 ORDER BY calendar_at, id',
    [cycleId],
  );
  return rows.map((r) => ({
    key: r.email_key,
    purpose: String(r.email_key).startsWith(`${cycleId}/`) ? String(r.email_key).slice(cycleId.length + 1) : String(r.email_key),
    messageId: r.message_id,
    unit: r.unit_code,
    phase: r.phase,
    kind: r.kind,
    date: instantToLocalDate(new Date(r.calendar_at).getTime(), tz),
    status: r.status,
  }));
}

/**
 * Workflow task failures a server causes in the ordinary course and the SDK retries away: a command or an Update
 * that arrived while the task completed, a sticky queue reset. Any other cause (24: nondeterminism, when a bundle
 * cannot replay a history; 14: the workflow code threw) is a failure the server retries for ever.
 */
const BENIGN_TASK_FAILURES: Record<number, string> = { 1: 'UNHANDLED_COMMAND', 13: 'RESET_STICKY_TASK_QUEUE', 31: 'UNHANDLED_UPDATE' };
const CAUSES: Record<number, string> = { 14: 'WORKFLOW_WORKER_UNHANDLED_FAILURE', 24: 'NON_DETERMINISTIC_ERROR' };

/** The failed workflow tasks of `ids` that are not benign, each with its workflow, event and message. */
async function failedWorkflowTasks(client: Client, ids: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const id of ids) {
    const history = await client.workflow
      .getHandle(id)
      .fetchHistory()
      .catch(() => undefined);
    for (const e of history?.events ?? []) {
      const failed = e.workflowTaskFailedEventAttributes;
      const cause = Number(failed?.cause ?? 0);
      if (failed && !(cause in BENIGN_TASK_FAILURES))
        found.push(
          `${id}: workflow task failed at event ${String(e.eventId)} ` +
            `(${CAUSES[cause] ?? `cause ${cause}`}): ${failed.failure?.message ?? ''}`,
        );
    }
  }
  return found;
}

/** The running workflows with a workflow task or activities pending, named. */
async function pendingWork(client: Client, ids: readonly string[]): Promise<string> {
  const busy: string[] = [];
  for (const id of ids) {
    const d = await client.workflow
      .getHandle(id)
      .describe()
      .catch(() => undefined);
    if (!d || d.status.name !== 'RUNNING') continue;
    const task = d.raw.pendingWorkflowTask;
    const activities = d.raw.pendingActivities?.length ?? 0;
    if (task || activities)
      busy.push(
        `${id.split('/').at(-1)}${task ? ` task(${String(task.state)}, attempt ${String(task.attempt)})` : ''}${activities ? ` ${activities} activities` : ''}`,
      );
  }
  return busy.length ? `pending: ${busy.join(', ')}` : 'nothing pending';
}

/** Until no workflow has a workflow task or an activity pending: a stage's worker stops between steps. */
async function settle(client: Client, ids: readonly string[], timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let quiet = 0;
  while (quiet < 2) {
    let busy: string | undefined;
    for (const id of ids) {
      const d = await client.workflow.getHandle(id).describe();
      if (d.status.name !== 'RUNNING') continue;
      if (d.raw.pendingWorkflowTask || (d.raw.pendingActivities?.length ?? 0) > 0) busy = id;
    }
    quiet = busy ? 0 : quiet + 1;
    if (busy && Date.now() > until) throw new Error(`${busy} still has work pending ${timeoutMs / 1000} s after its stage ended`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function runYearOnBundles(opts: {
  configFile: string;
  behaviourFile: string;
  stages: Stage[];
  db: Db;
  mailer: Mailer;
  taskQueue: string;
  /** Between two stages, with the first stopped and the next not yet started. */
  onStageEnd?: (end: StageEnd) => Promise<void>;
  log?: (message: string) => void;
}): Promise<YearResult> {
  const log = opts.log ?? (() => undefined);
  const loaded = await loadCycleFileAsync(opts.configFile);
  const def = loaded.definition;
  const tz = def.timezone;
  const cycleId = makeCycleId(def.committee.code, def.year);
  const behaviours = resolveBehaviours(
    loaded.units,
    unitPhases(def).map((p) => p.id),
    loadBehaviourFile(opts.behaviourFile),
  );
  const closesAt = closingInstant(def);
  const actions = planActions(def, loaded.units, behaviours).filter((a) => a.at < closesAt);
  const workflowIds = [cycleWorkflowId(cycleId), ...loaded.units.map((u) => unitWorkflowId(cycleId, u.code))];
  const problems: string[] = [];
  const env = loadEnv({});

  const testEnv = await timeSkippingEnvAt(inject('services').testServerPath);
  const client = testEnv.client;
  const deps: ActivityDeps = {
    db: opts.db,
    mailer: opts.mailer,
    client,
    taskQueue: opts.taskQueue,
    mailFrom: env.mailFrom,
    publicBaseUrl: env.publicBaseUrl,
    signingSecret: env.signingSecret,
    templatesDir: env.templatesDir,
    searchAttributes: false,
  };
  // Receipts asked for by today's code are sent by the worker's email relay, as in production (workers/worker.ts).
  const relay = emailRelayFor(deps);
  const activities = createActivities({ ...deps, onEmailRequested: () => relay.kick() });
  let next = 0;
  try {
    for (const [index, stage] of opts.stages.entries()) {
      const last = index === opts.stages.length - 1;
      const worker = withEmailRelay(
        await Worker.create({
          connection: testEnv.nativeConnection,
          namespace: 'default',
          taskQueue: opts.taskQueue,
          workflowBundle: stage.bundle,
          activities,
          // A worker that will be stopped mid-year keeps no workflow in its cache, so it asks for no sticky queue:
          // with one, this test's first run hung after the switch (the time-skipping test server did not hand the
          // stopped worker's sticky tasks back to the task queue; a real server does after a few seconds). The next worker
          // then replays every history from its start, as after a deploy.
          ...(last ? {} : { maxCachedWorkflows: 0 }),
        }),
        relay,
      );
      log(`${cycleId}: stage ${stage.name} starts`);
      await worker.runUntil(async () => {
        let stop = false;
        // A failed workflow task ends the stage at once with its message: the server would retry it for ever, and
        // the year would hang until the test's timeout.
        const watchdog = (async () => {
          for (let round = 1; !stop; round++) {
            const failed = await failedWorkflowTasks(client, workflowIds);
            if (failed.length) throw new Error(`stage ${stage.name}: ${failed.join('\n')}`);
            // Every 15 s, where the year is and what it waits for: a stage that stops moving says where.
            if (round % 15 === 0)
              log(
                `${cycleId}: ${stage.name} ` +
                  `on ${instantToLocalDate(await testEnv.currentTimeMs(), tz)}, ${await pendingWork(client, workflowIds)}`,
              );
            await new Promise((r) => setTimeout(r, 1_000));
          }
        })();
        const body = async () => {
          if (index === 0) {
            await startCycle({ db: opts.db, client, taskQueue: opts.taskQueue, configFile: opts.configFile });
            for (let tries = 0; ; tries++) {
              const { rows } = await opts.db.query('SELECT status FROM cycles WHERE id = $1', [cycleId]);
              if (rows[0]?.status === 'running' || rows[0]?.status === 'closed') break;
              if (tries > 1200) throw new Error(`the cycle ${cycleId} did not launch its units`);
              await new Promise((r) => setTimeout(r, 100));
            }
          }
          const end = last ? Infinity : stage.until!;
          for (; next < actions.length && actions[next]!.at < end;) {
            const at = actions[next]!.at;
            const now = await testEnv.currentTimeMs();
            if (at > now) await testEnv.sleep(at - now);
            // One unit's actions of the moment in order (a study report before the make-up it opens), units in parallel.
            const group: PlannedAction[] = [];
            while (next < actions.length && actions[next]!.at === at) group.push(actions[next++]!);
            const byUnit = new Map<string, PlannedAction[]>();
            for (const a of group) byUnit.set(a.unit, [...(byUnit.get(a.unit) ?? []), a]);
            await Promise.all(
              [...byUnit.values()].map(async (list) => {
                for (const a of list) {
                  const problem = await perform(client, cycleId, a, await testEnv.currentTimeMs());
                  if (problem) problems.push(`${a.date} ${a.unit} ${a.phase} ${a.action}: ${problem}`);
                }
              }),
            );
          }
          if (!last) {
            const now = await testEnv.currentTimeMs();
            if (end > now) await testEnv.sleep(end - now);
            await settle(client, workflowIds);
            return;
          }
          await client.workflow.getHandle(cycleWorkflowId(cycleId)).result();
          // Polled with describe(), not result(): result() unlocks time skipping (rehearsal/run.ts says why).
          for (const id of workflowIds.slice(1)) {
            const until = Date.now() + 120_000;
            for (;;) {
              const { status } = await client.workflow.getHandle(id).describe();
              if (status.name === 'COMPLETED') break;
              if (status.name !== 'RUNNING' || Date.now() > until) {
                problems.push(`${id}: ${status.name === 'RUNNING' ? 'still running after the cycle closed' : status.name}`);
                break;
              }
              await new Promise((r) => setTimeout(r, 50));
            }
          }
          const unsent = await drainEmailRequests(relay, opts.db, cycleId);
          if (unsent) problems.push(`${unsent} email(s) asked for were still unsent when the year closed`);
        };
        const running = body();
        // Settled here whichever wins the race, so a stage ended by the watchdog leaves no unhandled rejection.
        running.catch(() => undefined);
        try {
          await Promise.race([running, watchdog]);
        } finally {
          stop = true;
          await watchdog.catch(() => undefined);
        }
      });
      log(`${cycleId}: stage ${stage.name} ends on ${instantToLocalDate(await testEnv.currentTimeMs(), tz)}`);
      if (!last && opts.onStageEnd) {
        const { rows } = await opts.db.query('SELECT unit_code, phase FROM submissions WHERE cycle_id = $1 ORDER BY unit_code, phase', [
          cycleId,
        ]);
        await opts.onStageEnd({
          stage,
          next: opts.stages[index + 1]!,
          client,
          cycleId,
          workflowIds,
          emails: await readEmails(opts.db, cycleId, tz),
          submissions: [...new Set(rows.map((r) => `${r.unit_code}/${r.phase}`))],
        });
      }
    }
    const failed = await failedWorkflowTasks(client, workflowIds);
    problems.push(...failed);
    const { rows } = await opts.db.query('SELECT unit_code, phase, status FROM obligations WHERE cycle_id = $1 ORDER BY unit_code, phase', [
      cycleId,
    ]);
    const statuses: Record<string, Record<string, string>> = {};
    for (const r of rows) (statuses[r.unit_code] ??= {})[r.phase] = r.status;
    const frozen = (await frozenDataset(opts.db, cycleId))!;
    const figures = Object.fromEntries(
      computeFigures([{ year: def.year, cycleId, data: frozen }])
        .all()
        .map((f) => [f.id, f.value]),
    );
    return {
      cycleId,
      emails: await readEmails(opts.db, cycleId, tz),
      statuses,
      frozen,
      figures,
      problems,
      actions: actions.length,
      workflowIds,
      client,
      teardown: () => testEnv.teardown(),
    };
  } catch (err) {
    await testEnv.teardown().catch(() => undefined);
    throw err;
  }
}
