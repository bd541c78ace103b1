/**
 * The obligation ladder, once for every workflow that holds a unit to a deadline (a unit's phases, its make-up
 * session, an inspection's remedies): reminders before the deadline, the overdue notice and escalations 2 and 3
 * after it (domain/schedule.ts computes their moments), a deadline that can move, a step an outage held up
 * caught up, and a submission judged by when the API received it. What each step does is the caller's: one
 * callback per step kind. Workflow code: time comes from the workflow clock, waits are `condition`s.
 *
 * The wait loop issues the commands the unit and inspection loops issued before it was shared (a timer per step,
 * cancelled when interrupted, then the step's own commands), in the same order, so their histories replay.
 */
import { condition } from '@temporalio/workflow';
import { calendarToReal, realToCalendar, type ClockMap } from '../domain/clock.js';
import type { IsoDate, WorkingCalendar } from '../domain/calendar.js';
import { judgedAt, isLateAt } from '../domain/obligation.js';
import { nextStep, obligationTimes, type ObligationPolicy, type ScheduledStep, type StepKind } from '../domain/schedule.js';

export interface LadderContext {
  clock: ClockMap;
  calendar: WorkingCalendar;
  timeZone: string;
  policy: ObligationPolicy;
}

export interface LadderHooks {
  /** The ladder is over (submitted, exempted, the year closed): `run` returns, a wait ends. */
  stopped: () => boolean;
  /**
   * Whether a reminder an outage held past its moment is still sent (`remainingStepsSince`): the caller's
   * `patched()` id, since histories recorded before the catch-up dropped it.
   */
  catchUp: () => boolean;
  /** What each step does; the ladder has marked it done before calling. */
  on: Record<StepKind, (step: ScheduledStep) => Promise<void>>;
}

/** How a submission is judged: the instant it counts from (real time), and whether it is late. */
export interface Judgement {
  at: number;
  late: boolean;
  /** Judged by the API's receipt time (false: by when the workflow handled it). */
  stamped: boolean;
}

export class Ladder {
  deadline: IsoDate;
  /** Calendar instant the deadline passes (00:00 the day after it). */
  dueAt: number;
  stepsDone: string[] = [];
  /** Bumped whenever the deadline moves, so a waiting loop recomputes its schedule. */
  revision = 0;
  /** Calendar instant the ladder (re)started: its opening, or its last extension. */
  since: number | undefined;
  private steps: ScheduledStep[];

  constructor(
    private readonly ctx: LadderContext,
    deadline: IsoDate,
  ) {
    const times = obligationTimes({ deadline, ...ctx });
    this.deadline = times.deadline;
    this.dueAt = times.dueAt;
    // Computed once per deadline: the calendar and time-zone arithmetic is the costliest code a workflow runs.
    this.steps = times.steps;
  }

  /** The calendar's "now" for this ladder. */
  private now(): number {
    return realToCalendar(this.ctx.clock, Date.now());
  }

  /** The ladder starts (the phase opened, the remedies were set): reminders due before now are not sent. */
  start(calendarNow: number): void {
    this.since = calendarNow;
  }

  /** The deadline moves (an extension): reminders and escalations start again from the new date. */
  move(deadline: IsoDate, calendarNow: number): void {
    const times = obligationTimes({ deadline, ...this.ctx });
    this.deadline = times.deadline;
    this.dueAt = times.dueAt;
    this.steps = times.steps;
    this.revision += 1;
    this.stepsDone = [];
    this.since = calendarNow;
  }

  /** The next step to run at calendar instant `now`, if any (domain/schedule.ts `nextStep`). */
  next(now: number, catchUp: boolean): ScheduledStep | undefined {
    return nextStep(
      { deadline: this.deadline, dueAt: this.dueAt, steps: this.steps },
      now,
      new Set(this.stepsDone),
      catchUp ? (this.since ?? now) : now,
    );
  }

  /**
   * One turn: waits for the next step's moment and runs it, unless the ladder stopped or its deadline moved
   * meanwhile; with no step left, waits for either.
   */
  async turn(h: Pick<LadderHooks, 'stopped' | 'catchUp' | 'on'>): Promise<void> {
    const next = this.next(this.now(), h.catchUp());
    const revision = this.revision;
    const interrupted = () => h.stopped() || this.revision !== revision;
    if (!next) {
      await condition(interrupted);
      return;
    }
    const delay = calendarToReal(this.ctx.clock, next.at) - Date.now();
    if (delay > 0 && (await condition(interrupted, delay))) return;
    if (interrupted()) return;
    this.stepsDone.push(next.name);
    await h.on[next.kind](next);
  }

  /** Turns until the ladder stops. */
  async run(h: LadderHooks): Promise<void> {
    while (!h.stopped()) await this.turn(h);
  }

  /**
   * On time or late by when the API received the submission (`sentAt`, real ms), within `MAX_HELD_MS` before
   * the workflow handles it: a worker outage across the deadline does not make a unit late. `bySentTime` is the
   * caller's `patched()` id; it is asked only when the API stamped the submission, as histories from before the
   * stamp never reached the call.
   */
  judge(sentAt: number | undefined, bySentTime: () => boolean): Judgement {
    const stamped = sentAt !== undefined && bySentTime();
    const at = stamped ? judgedAt(sentAt, Date.now()) : Date.now();
    return { at, late: isLateAt(at, calendarToReal(this.ctx.clock, this.dueAt)), stamped };
  }

  /** Whether a submission sent at `sentAt` (real ms) comes after the deadline: validators refuse a late revision by it. */
  pastDue(sentAt: number | undefined): boolean {
    return judgedAt(sentAt, Date.now()) >= calendarToReal(this.ctx.clock, this.dueAt);
  }
}
