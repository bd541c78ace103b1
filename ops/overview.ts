/**
 * What an operator looks at first: the cycles, each phase's standing (on time, late, overdue, …) and the units
 * overdue. Read from PostgreSQL only (the obligations projection the unit workflows keep), so these answer even
 * when Temporal is down, and cost one or two queries whatever the number of units.
 */
import type { CycleDefinition } from '../config/cycle.js';
import { unitPhases } from '../config/phase-lookup.js';
import { getCycle } from '../db/cycles.js';
import { cycleSummaries, obligationStatuses, overdueObligations, unitsWithRemoval } from '../db/overview.js';
import type { Db } from '../db/pool.js';
import { daysBetween, instantToLocalDate } from '../domain/calendar.js';
import { realToCalendar, type ClockMap } from '../domain/clock.js';
import { cycleWorkflowId, unitWorkflowId } from '../domain/ids.js';
import { PHASES, PHASE_IDS } from '../domain/phases/index.js';
import { temporalWorkflowUrl } from './temporal-url.js';
import type { CycleSummary, OverdueRow, PhaseSummary } from './types.js';

/** Obligation statuses that count as "overdue right now" (level 1–2 overdue, and level 3 not submitted). */
export const OVERDUE_STATUSES = ['overdue', 'not_submitted'] as const;

/**
 * The instant "now" on a cycle's calendar. A compressed cycle (rehearsal, demo, tests) runs its calendar faster
 * than real time; a closed cycle's calendar stops at its closing, so its overdue counts stop growing too.
 */
export function cycleCalendarNow(clock: ClockMap, closedAt?: Date | string | null, nowMs = Date.now()): number {
  const real = closedAt ? Math.min(new Date(closedAt).getTime(), nowMs) : nowMs;
  return realToCalendar(clock, real);
}

/** Days past a deadline (a civil date) on the cycle's calendar: 1 on the day after the deadline, 0 before. */
export function daysOverdue(deadline: string, calendarNowMs: number, timeZone: string): number {
  return Math.max(0, daysBetween(deadline, instantToLocalDate(calendarNowMs, timeZone)));
}

/** Phases in the yearly order; a derived phase (make-up session) follows its parent; unknown ones last, by name. */
export function phaseOrder(phase: string): number {
  const i = (PHASE_IDS as readonly string[]).indexOf(phase);
  return i === -1 ? PHASE_IDS.length : i;
}

export function comparePhases(a: string, b: string): number {
  return phaseOrder(a) - phaseOrder(b) || (a < b ? -1 : a > b ? 1 : 0);
}

export function phaseTitleOf(phase: string, def?: CycleDefinition): string {
  return PHASES[phase]?.title ?? def?.phases.find((p) => p.id === phase)?.title ?? phase;
}

/** The cycles, newest first, with their unit count (units not removed) and obligations overdue right now. */
export async function listCycles(db: Db, temporalUiUrl?: string, namespace = 'default'): Promise<CycleSummary[]> {
  const rows = await cycleSummaries(db, OVERDUE_STATUSES);
  return rows.map((r) => {
    const workflowId = cycleWorkflowId(r.id);
    const url = r.importedAt ? undefined : temporalWorkflowUrl(temporalUiUrl, namespace, workflowId);
    return {
      cycleId: r.id,
      committeeCode: r.committeeCode,
      year: r.year,
      status: r.status,
      units: r.units,
      frozenAt: r.frozenAt ? new Date(r.frozenAt).toISOString() : null,
      createdAt: new Date(r.createdAt).toISOString(),
      overdue: r.overdue,
      workflowId,
      imported: r.importedAt ? { at: new Date(r.importedAt).toISOString(), by: r.importedBy ?? null } : null,
      ...(url ? { temporalUrl: url } : {}),
    };
  });
}

type CountKey = keyof PhaseSummary['counts'];
const STATUS_TO_COUNT: Record<string, CountKey> = {
  submitted: 'onTime',
  late: 'late',
  overdue: 'overdue',
  not_submitted: 'notSubmitted',
  exempted: 'exempted',
  pending: 'pending',
  removed: 'removed',
};

function emptyCounts(): PhaseSummary['counts'] {
  return { onTime: 0, late: 0, overdue: 0, notSubmitted: 0, exempted: 0, pending: 0, removed: 0 };
}

/** Percent of `total` with one decimal (66.7); 0 when nothing is owed. */
export function percentOf(n: number, total: number): number {
  return total === 0 ? 0 : Math.round((n / total) * 1000) / 10;
}

/**
 * Each phase of a cycle: how many units are in each state. Every unit owes every configured phase, so a unit
 * with no row yet (the phase has not opened, or its workflow has not recorded the opening) counts as pending,
 * and a unit removed before the phase opened counts as removed. A derived phase (the make-up session) is owed
 * only by the units that have a row for it. Unknown statuses (none today) count as pending.
 */
export async function phaseSummaries(db: Db, cycleId: string): Promise<PhaseSummary[]> {
  const cycle = await getCycle(db, cycleId);
  if (!cycle) throw new Error(`no cycle "${cycleId}" in the database`);
  const def = cycle.definition;
  const [units, obligations] = await Promise.all([unitsWithRemoval(db, cycleId), obligationStatuses(db, cycleId)]);
  const byPhase = new Map<string, Map<string, string>>();
  for (const o of obligations) {
    if (!byPhase.has(o.phase)) byPhase.set(o.phase, new Map());
    byPhase.get(o.phase)!.set(o.unitCode, o.status);
  }
  const configured = unitPhases(def).map((p) => p.id as string);
  const derived = [...byPhase.keys()].filter((p) => !configured.includes(p));
  const phases = [...configured, ...derived].sort(comparePhases);
  return phases.map((phase) => {
    const statuses = byPhase.get(phase) ?? new Map<string, string>();
    const counts = emptyCounts();
    let total = 0;
    if (configured.includes(phase)) {
      for (const u of units) {
        const status = statuses.get(u.code) ?? (u.removed ? 'removed' : 'pending');
        counts[STATUS_TO_COUNT[status] ?? 'pending'] += 1;
        total += 1;
      }
    } else {
      for (const status of statuses.values()) {
        counts[STATUS_TO_COUNT[status] ?? 'pending'] += 1;
        total += 1;
      }
    }
    const percent = emptyCounts();
    for (const k of Object.keys(counts) as CountKey[]) percent[k] = percentOf(counts[k], total);
    return { phase, title: phaseTitleOf(phase, def), total, counts, percent };
  });
}

/**
 * The obligations overdue or not submitted, with how many days past the deadline. Days are counted on the
 * cycle's own calendar, in its time zone: on a compressed cycle a calendar day lasts seconds, and the
 * obligations projection only changes at transitions (its `calendar_at` is the last transition's time), so the
 * cycle's calendar "today" — not the obligation's last update, and not today's real date — is what a unit is
 * late against. Without a cycle, closed cycles are left out (their workflows are done; nothing can be repaired).
 */
export async function listOverdue(
  db: Db,
  q: { cycleId?: string; phase?: string; minLevel?: number; temporalUiUrl?: string; namespace?: string },
): Promise<OverdueRow[]> {
  const rows = await overdueObligations(db, { statuses: OVERDUE_STATUSES, cycleId: q.cycleId, phase: q.phase, minLevel: q.minLevel });
  const namespace = q.namespace ?? 'default';
  const now = Date.now();
  const out: OverdueRow[] = rows.map((r) => {
    const workflowId = unitWorkflowId(r.cycleId, r.unitCode);
    const url = temporalWorkflowUrl(q.temporalUiUrl, namespace, workflowId);
    return {
      cycleId: r.cycleId,
      unitCode: r.unitCode,
      unitName: r.unitName,
      phase: r.phase,
      status: r.status,
      level: r.escalationLevel,
      deadline: r.deadline,
      daysOverdue: daysOverdue(r.deadline, cycleCalendarNow(r.clock, r.closedAt, now), r.timezone || 'Asia/Ho_Chi_Minh'),
      workflowId,
      ...(url ? { temporalUrl: url } : {}),
    };
  });
  // Cycle, then the year's phase order, the most escalated first, then unit code: the same input, the same list.
  return out.sort(
    (a, b) =>
      (a.cycleId < b.cycleId ? -1 : a.cycleId > b.cycleId ? 1 : 0) ||
      comparePhases(a.phase, b.phase) ||
      b.level - a.level ||
      (a.unitCode < b.unitCode ? -1 : a.unitCode > b.unitCode ? 1 : 0),
  );
}
