/**
 * One unit's year as state: its obligations (each with its ladder, workflows/ladder.ts), the requests it has
 * seen, the facts its submissions are checked against, and the effects every change goes through (a recorded
 * transition, an email, the search attributes). The handlers and the workflow call its small methods.
 *
 * Concurrency: Temporal runs a handler as soon as its Update arrives, beside the obligations' ladders and other
 * handlers; they interleave only at their `await`s. What must not interleave says so: local activities run one
 * at a time (`localLock`), emails answering a unit's action go through one outbox. A lock over whole handlers
 * would change the order in which recorded histories issued their commands, so there is none.
 */
import { condition, deprecatePatch, patched, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { isClosed, type EscalationLevel, type ObligationStatus } from '../../domain/obligation.js';
import { phaseShort } from '../../domain/words.js';
import { realToCalendar } from '../../domain/clock.js';
import { addDays, compareDates } from '../../domain/calendar.js';
import { DEFAULT_TARGETS, type PhaseSpec } from '../../domain/phases/index.js';
import { DEFAULT_MEMBERS_MARGIN_PERCENT } from '../../domain/phases/common.js';
import { emailKey } from '../../domain/ids.js';
import type { EmailKind, ObligationSpec, UnitWorkflowInput } from '../../domain/workflow-io.js';
import { refuse } from '../refusals.js';
import { Ladder } from '../ladder.js';
import { Lock } from '../lock.js';
import type { ObligationView, SubmissionReceipt, UnitView } from '../messages.js';
import { SA_COMMITTEE, SA_CYCLE, SA_ESCALATION, SA_OVERDUE_PHASES, SA_PHASE, SA_STATUS, SA_UNIT, SA_YEAR } from '../search-attributes.js';
import { acts } from './activities.js';

export interface Obligation {
  spec: ObligationSpec;
  phase: string;
  title: string;
  status: ObligationStatus;
  escalationLevel: EscalationLevel;
  versions: number;
  submittedAt?: number;
  exemptReason?: string;
  /** The deadline, the steps done, the revision (workflows/ladder.ts). */
  ladder: Ladder;
  seenRequests: Map<string, SubmissionReceipt>;
}

export type EmailExtra = {
  days?: number;
  version?: number;
  reason?: string;
  actor?: string;
  late?: boolean;
  name?: string;
  summary?: string;
};

export class UnitYear {
  readonly cycleId: string;
  readonly unitCode: string;
  closed = false;
  transitionSeq = 0;
  readonly obligations: Obligation[];
  /** Obligations that arise during the year (a make-up session) run beside the configured ones. */
  readonly running: Promise<void>[] = [];
  readonly facts: { members: number };
  readonly targets: NonNullable<UnitWorkflowInput['targets']>;
  /**
   * What a payload is checked against: the registry's member count as launched and the cycle's margin (a count
   * beyond it needs a reason). The update validator refuses by it (no trace in history); the handler falls back
   * to `facts` alone, so a payload accepted before the margin existed is parsed the same on replay.
   */
  readonly checkedFacts: { members: number; membersMarginPercent: number };
  /** Emails answering a unit's action: the update returns once stored; the unit's browser does not wait on mail. */
  readonly outbox: Array<() => Promise<void>> = [];
  /** Manual reminders by request id: a repeated request is the same reminder. */
  readonly reminders = new Map<string, Promise<unknown>>();
  readonly localLock = new Lock();
  /** Payload schemas by phase, built against this unit's facts once (workflows/unit/submissions.ts). */
  readonly payloadSchemas = new Map<string, ReturnType<PhaseSpec['schema']>>();
  /** What the last upsert published (phase, status, level, overdue phases). */
  private lastPublished = '';

  constructor(readonly input: UnitWorkflowInput) {
    this.cycleId = input.cycleId;
    this.unitCode = input.unitCode;
    this.obligations = input.obligations.map((spec) => this.newObligation(spec));
    this.facts = { members: input.members ?? 0 };
    this.targets = input.targets ?? DEFAULT_TARGETS;
    this.checkedFacts = { ...this.facts, membersMarginPercent: input.targets?.membersMarginPercent ?? DEFAULT_MEMBERS_MARGIN_PERCENT };
  }

  calendarNow(): number {
    return realToCalendar(this.input.clock, Date.now());
  }

  newObligation(spec: ObligationSpec): Obligation {
    const { clock, calendar, timeZone } = this.input;
    return {
      spec,
      phase: spec.phase,
      title: spec.title,
      status: 'pending',
      escalationLevel: 0,
      versions: 0,
      ladder: new Ladder({ clock, calendar, timeZone, policy: spec.policy }, spec.deadline),
      seenRequests: new Map(),
    };
  }

  find(phase: string): Obligation {
    return this.obligations.find((o) => o.phase === phase) ?? refuse(`Đơn vị không có nghĩa vụ “${phaseShort(phase)}” trong chu kỳ này`);
  }

  /** The last deadline whose whole ladder still runs before the cycle closes (undefined: no closing day known). */
  latestDeadline(policy: ObligationSpec['policy']): string | undefined {
    return this.input.closesOn ? addDays(this.input.closesOn, -(policy.escalation.level3AfterDays + 1)) : undefined;
  }

  clampDeadline(deadline: string, policy: ObligationSpec['policy']): string {
    const latest = this.latestDeadline(policy);
    return latest && compareDates(deadline, latest) > 0 ? latest : deadline;
  }

  view(o: Obligation): ObligationView {
    return {
      phase: o.phase,
      title: o.title,
      configuredDeadline: o.spec.deadline,
      deadline: o.ladder.deadline,
      dueAt: o.ladder.dueAt,
      status: o.status,
      escalationLevel: o.escalationLevel,
      stepsDone: [...o.ladder.stepsDone],
      versions: o.versions,
      ...(o.submittedAt !== undefined ? { submittedAt: o.submittedAt } : {}),
      ...(o.exemptReason !== undefined ? { exemptReason: o.exemptReason } : {}),
    };
  }

  unitView(): UnitView {
    return { cycleId: this.cycleId, unitCode: this.unitCode, closed: this.closed, obligations: this.obligations.map((o) => this.view(o)) };
  }

  publishSearchAttributes(): void {
    const { input, obligations } = this;
    if (!input.searchAttributes) return;
    // The phase shown is the earliest one still open; when all are closed, the last one.
    const current = obligations.find((o) => !isClosed(o.status)) ?? obligations[obligations.length - 1];
    if (!current) return;
    const level = Math.max(0, ...obligations.filter((o) => !isClosed(o.status)).map((o) => o.escalationLevel));
    const overdue = obligations.filter((o) => !isClosed(o.status) && o.escalationLevel >= 1).map((o) => o.phase);
    // A revision, a reminder or a repair that changes none of them writes nothing: each upsert is a history
    // event and a visibility write on the server (about a sixth of its CPU per revision, bench/README.md).
    // Histories recorded before this change hold those upserts, so their replays keep emitting them.
    const published = `${current.phase}|${current.status}|${level}|${overdue.join(',')}`;
    if (published === this.lastPublished && patched('search-attributes-when-changed')) return;
    this.lastPublished = published;
    upsertSearchAttributes([
      { key: SA_CYCLE, value: this.cycleId },
      { key: SA_YEAR, value: input.year },
      { key: SA_COMMITTEE, value: input.committeeCode },
      { key: SA_UNIT, value: this.unitCode },
      { key: SA_PHASE, value: current.phase },
      { key: SA_STATUS, value: current.status },
      { key: SA_ESCALATION, value: level },
      // Added mid-year: a running unit records the marker the first time it publishes, then keeps it.
      ...(patched('overdue-phases-sa') ? [{ key: SA_OVERDUE_PHASES, value: overdue }] : []),
    ]);
  }

  /** The key of a transition an operator's or unit's request causes: the same request records it once. */
  requestKey(o: Obligation, requestId: string): string {
    return `${this.cycleId}/${this.unitCode}/${o.phase}/${requestId}`;
  }

  async record(
    o: Obligation,
    kind: string,
    actor: string,
    extra: { reason?: string; data?: Record<string, unknown>; key?: string } = {},
  ): Promise<void> {
    this.transitionSeq += 1;
    const { workflowId, runId } = workflowInfo();
    await acts.recordTransition({
      key: extra.key ?? `${workflowId}/${runId}/${this.transitionSeq}`,
      cycleId: this.cycleId,
      unitCode: this.unitCode,
      phase: o.phase,
      kind,
      status: o.status,
      escalationLevel: o.escalationLevel,
      deadline: o.ladder.deadline,
      dueAt: o.ladder.dueAt,
      calendarAt: this.calendarNow(),
      seq: this.transitionSeq,
      actor,
      ...(extra.reason !== undefined ? { reason: extra.reason } : {}),
      ...(extra.data !== undefined ? { data: extra.data } : {}),
    });
    this.publishSearchAttributes();
  }

  async email(o: Obligation, kind: EmailKind, extra: EmailExtra = {}): Promise<void> {
    const { cycleId, unitCode } = this;
    const deadline = o.ladder.deadline;
    const result = await acts.sendUnitEmail({
      key: emailKey({
        cycle: cycleId,
        unit: unitCode,
        phase: o.phase,
        kind: extra.name ?? kind,
        deadline,
        ...(extra.version !== undefined ? { seq: extra.version } : {}),
      }),
      cycleId,
      unitCode,
      phase: o.phase,
      kind,
      deadline,
      calendarAt: this.calendarNow(),
      ...extra,
    });
    if (result.status === 'bounced') await this.bounced(o, kind, extra.name, result);
  }

  /**
   * An email that bounced (`to` refused it): recorded, and escalated. Sent by an activity of this workflow
   * (`email`), or by the workers' relay (a receipt), which signals it (handlers.ts, emailBouncedSignal).
   */
  async bounced(o: Obligation, kind: EmailKind, name: string | undefined, result: { to: string[]; messageId: string }): Promise<void> {
    const { cycleId, unitCode } = this;
    await this.record(o, 'email_bounced', 'system', { data: { kind, to: result.to, messageId: result.messageId } });
    // A message that cannot be delivered is escalated through the other recipients: the standing body hears
    // which address failed, with the secretary copied, so someone corrects the unit's contact. Retired patch
    // (docs/DEPLOYS.md): every workflow started before 'bounce-notice' was deployed has closed, and no recorded
    // history took its old branch (none holds a bounce), so the notice is unconditional; the call stays until
    // every workflow that recorded a non-deprecated marker has closed.
    if (kind !== 'bounce') {
      deprecatePatch('bounce-notice');
      await acts.sendUnitEmail({
        key: emailKey({
          cycle: cycleId,
          unit: unitCode,
          phase: o.phase,
          kind: `bounce-${name ?? kind}`,
          deadline: o.ladder.deadline,
        }),
        cycleId,
        unitCode,
        phase: o.phase,
        kind: 'bounce',
        deadline: o.ladder.deadline,
        calendarAt: this.calendarNow(),
        reason: result.to.join(', '),
      });
    }
  }

  /** Sends the outbox's emails one after another until the year closes. */
  async sendOutbox(): Promise<void> {
    for (;;) {
      await condition(() => this.outbox.length > 0 || this.closed);
      const job = this.outbox.shift();
      if (job) await job();
      else return;
    }
  }

  /** Drains anything queued by a handler that finished after the mailer's last look. */
  async drainOutbox(): Promise<void> {
    for (let job = this.outbox.shift(); job; job = this.outbox.shift()) await job();
  }
}
