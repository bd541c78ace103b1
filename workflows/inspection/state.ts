/**
 * One inspection's state and its effects: what the committee has decided so far, the remedies' ladder
 * (workflows/ladder.ts) with what each of its steps does, and the record and email every change goes through.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import { realToCalendar } from '../../domain/clock.js';
import { instantToLocalDate } from '../../domain/calendar.js';
import type { ScheduledStep, StepKind } from '../../domain/schedule.js';
import { emailKey } from '../../domain/ids.js';
import type { InspectionStatus } from '../../domain/inspections.js';
import type { EscalationLevel } from '../../domain/obligation.js';
import type { Activities } from '../../activities/index.js';
import type { EmailKind, InspectionWorkflowInput, SendUnitEmailResult } from '../../domain/workflow-io.js';
import type { Ladder } from '../ladder.js';
import type { InspectionView } from '../messages.js';

export const acts = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  // Activities heartbeat every 2 s (activities/index.ts): one whose worker died is retried after 10 s, not a minute.
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

export const REMEDY_PHASE = 'inspection-remedy';

export class Inspection {
  status: InspectionStatus = 'noticed';
  scheduledOn: string | undefined;
  findings: string | undefined;
  conclusion: string | undefined;
  remedies: string[] = [];
  remedyDeadline: string | undefined;
  escalationLevel: EscalationLevel = 0;
  /** The remedies' ladder, from the conclusion that sets their deadline. */
  ladder: Ladder | undefined;
  seq = 0;
  readonly seen = new Map<string, unknown>();
  /** Manual reminders by request id (workflows/inspection/remind.ts): a repeat returns the first one's result. */
  readonly reminders = new Map<string, Promise<unknown>>();
  /** Emails answering the committee's and unit's actions, sent by the workflow's loop after the update returns. */
  readonly outbox: Array<() => Promise<void>> = [];

  constructor(readonly input: InspectionWorkflowInput) {}

  calendarNow(): number {
    return realToCalendar(this.input.clock, Date.now());
  }

  today(): string {
    return instantToLocalDate(this.calendarNow(), this.input.timeZone);
  }

  done(): boolean {
    return this.status === 'remedied' || this.status === 'closed';
  }

  view(): InspectionView {
    const { input, scheduledOn, findings, conclusion, remedyDeadline } = this;
    return {
      inspectionId: input.inspectionId,
      cycleId: input.cycleId,
      unitCode: input.unitCode,
      kind: input.kind,
      body: input.body,
      status: this.status,
      remedies: this.remedies,
      escalationLevel: this.escalationLevel,
      ...(scheduledOn ? { scheduledOn } : {}),
      ...(findings ? { findings } : {}),
      ...(conclusion ? { conclusion } : {}),
      ...(remedyDeadline ? { remedyDeadline } : {}),
    };
  }

  async record(kind: string, actor: string, reason?: string, data?: Record<string, unknown>): Promise<void> {
    const { input, scheduledOn, findings, conclusion, remedyDeadline, status, escalationLevel } = this;
    this.seq += 1;
    await acts.recordInspection({
      inspectionId: input.inspectionId,
      cycleId: input.cycleId,
      unitCode: input.unitCode,
      kind: input.kind,
      body: input.body,
      origin: input.origin,
      reason: input.reason,
      status,
      escalationLevel,
      remedies: this.remedies,
      ...(scheduledOn ? { scheduledOn } : {}),
      ...(findings ? { findings } : {}),
      ...(conclusion ? { conclusion } : {}),
      ...(remedyDeadline ? { remedyDeadline } : {}),
    });
    // The unit's record shows the inspection beside its obligations, under the remedy phase, as it is once the
    // activity above has returned.
    await acts.recordTransition({
      key: `${workflowInfo().workflowId}/${this.seq}`,
      cycleId: input.cycleId,
      unitCode: input.unitCode,
      phase: REMEDY_PHASE,
      kind: `inspection_${kind}`,
      status:
        this.status === 'remedied'
          ? 'submitted'
          : this.status === 'closed'
            ? 'exempted'
            : this.escalationLevel >= 3
              ? 'not_submitted'
              : this.escalationLevel > 0
                ? 'overdue'
                : 'pending',
      escalationLevel: this.escalationLevel,
      deadline: this.remedyDeadline ?? this.scheduledOn ?? this.today(),
      dueAt: this.ladder ? this.ladder.dueAt : this.calendarNow(),
      calendarAt: this.calendarNow(),
      actor,
      ...(reason ? { reason } : {}),
      ...(data ? { data } : {}),
    });
  }

  async email(
    kind: EmailKind,
    name: string,
    deadline: string,
    extra: { days?: number; version?: number; late?: boolean; summary?: string } = {},
  ): Promise<void> {
    await this.send(kind, this.emailKey(name, deadline), deadline, extra);
  }

  /** An inspection email's key: `<cycle>/<unit>/inspection-<kind>-<body>/<name>@<at>` (ops/timeline.ts reads it). */
  emailKey(name: string, at: string): string {
    const { input } = this;
    return emailKey({
      cycle: input.cycleId,
      unit: input.unitCode,
      phase: `inspection-${input.kind}-${input.body}`,
      kind: name,
      deadline: at,
    });
  }

  /** Sends one email about this inspection under `key`, and says how the mail server took it. */
  send(
    kind: EmailKind,
    key: string,
    deadline: string,
    extra: { days?: number; version?: number; late?: boolean; summary?: string; reason?: string; actor?: string } = {},
  ): Promise<SendUnitEmailResult> {
    const { input, scheduledOn, conclusion, remedyDeadline } = this;
    return acts.sendUnitEmail({
      key,
      cycleId: input.cycleId,
      unitCode: input.unitCode,
      phase: REMEDY_PHASE,
      kind,
      deadline,
      calendarAt: this.calendarNow(),
      ...extra,
      inspection: {
        kind: input.kind,
        body: input.body,
        reason: input.reason,
        ...(scheduledOn ? { date: scheduledOn } : {}),
        ...(conclusion ? { conclusion } : {}),
        remedies: this.remedies,
        ...(remedyDeadline ? { remedyDeadline } : {}),
      },
    });
  }

  /** What each step of the remedies' ladder does. */
  steps(): Record<StepKind, (step: ScheduledStep) => Promise<void>> {
    const escalate = (level: 2 | 3) => async (step: ScheduledStep) => {
      this.escalationLevel = level;
      this.status = 'remedy_overdue';
      await this.record(`remedy_${step.kind}`, 'system', `Quá hạn khắc phục ${step.days} ngày`);
      return this.email(step.kind, `remedy-${step.name}`, this.remedyDeadline!, { days: step.days });
    };
    return {
      reminder: async (step) => this.email('reminder', `remedy-${step.name}`, this.remedyDeadline!, { days: step.days }),
      overdue: async (step) => {
        this.status = 'remedy_overdue';
        this.escalationLevel = 1;
        await this.record('remedy_overdue', 'system');
        return this.email('overdue', `remedy-${step.name}`, this.remedyDeadline!, { days: step.days });
      },
      escalation2: escalate(2),
      escalation3: escalate(3),
    };
  }
}
