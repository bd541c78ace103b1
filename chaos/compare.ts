/**
 * The fault suite's verdict: the faulty run held against the run without faults. Nothing accepted may be
 * missing from the database, no message may reach the mail server twice, every email of the fault-free year
 * must arrive (late, if it fell due while a service was down), and the final statuses and the report's figures
 * must be the same. Pure.
 */
import { realToCalendar } from '../domain/clock.js';
import type { ReceivedMail } from './stack.js';
import type { FaultRecord, YearOutcome } from './run-year.js';

export interface FaultSummary {
  kind: string;
  detail: string;
  downS: number;
  /** Emails that fell due while the service was down (by the fault-free run's clock). */
  dueDuring: number;
  /** From the service's return until the last of those arrived; null when none fell due. */
  recoveryS: number | null;
}

export interface ChaosComparison {
  ok: boolean;
  problems: string[];
  faults: FaultSummary[];
  emails: {
    baseline: number;
    faulty: number;
    duplicateMessageIds: number;
    duplicateKeys: number;
    /** Each key that arrived more than once, with its arrivals and the fault nearest the second one. */
    duplicated: string[];
    missing: string[];
    extra: string[];
    maxDelayS: number;
  };
  submissions: {
    planned: number;
    accepted: number;
    refused: number;
    gaveUp: number;
    retried: number;
    lost: string[];
    maxLatencyS: number;
    baselineMaxLatencyS: number;
  };
  statusDiffs: string[];
  figureDiffs: string[];
  failedWorkflows: string[];
  processes: YearOutcome['processes'];
}

const round1 = (n: number) => Math.round(n * 10) / 10;

function byKey(mails: ReceivedMail[]): Map<string, ReceivedMail[]> {
  const m = new Map<string, ReceivedMail[]>();
  for (const mail of mails) m.set(mail.key, [...(m.get(mail.key) ?? []), mail]);
  return m;
}

function duplicates<T>(items: T[], keyOf: (t: T) => string): number {
  const counts = new Map<string, number>();
  for (const i of items) counts.set(keyOf(i), (counts.get(keyOf(i)) ?? 0) + 1);
  return [...counts.values()].reduce((sum, n) => sum + n - 1, 0);
}

/**
 * Each email key that reached the server more than once: when its copies arrived (seconds from the faulty run's
 * launch) and which fault the second copy came after, so a failure says which window it fell in.
 */
function describeDuplicates(faulty: YearOutcome, byKeyMails: Map<string, ReceivedMail[]>): string[] {
  const at = (ms: number) => `${round1((ms - faulty.clock.realOrigin) / 1000)} s`;
  return [...byKeyMails.entries()]
    .filter(([, mails]) => mails.length > 1)
    .map(([key, mails]) => {
      const times = mails.map((m) => m.receivedAtMs).sort((a, b) => a - b);
      const second = times[1]!;
      const before = faulty.faults.filter((f) => f.downAt <= second).sort((a, b) => b.downAt - a.downAt)[0];
      const fault = before ? `after ${before.kind} (down ${at(before.downAt)}, back ${at(before.upAt)})` : 'before any fault';
      return `${key}: ${mails.length} copies at ${times.map(at).join(', ')}, ${fault}`;
    });
}

/** Accepted submissions whose request id no stored row carries. */
export function lostSubmissions(o: YearOutcome): string[] {
  const stored = new Set(o.storedKeys.map((k) => k.slice(k.lastIndexOf('/') + 1)));
  return o.submissions
    .filter((s) => s.outcome === 'accepted' && !stored.has(s.requestId))
    .map((s) => `${s.unitCode}/${s.phase} ${s.requestId}`);
}

function diffMaps(a: Record<string, string | number>, b: Record<string, string | number>): string[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.filter((k) => a[k] !== b[k]).map((k) => `${k}: without faults ${a[k] ?? '—'}, with faults ${b[k] ?? '—'}`);
}

function faultSummary(f: FaultRecord, baseline: YearOutcome, faulty: YearOutcome, faultyByKey: Map<string, ReceivedMail[]>): FaultSummary {
  const from = realToCalendar(faulty.clock, f.downAt);
  const to = realToCalendar(faulty.clock, f.upAt);
  const due = baseline.mails.filter((m) => {
    const t = realToCalendar(baseline.clock, m.receivedAtMs);
    return t >= from && t <= to;
  });
  const arrivals = due.map((m) => faultyByKey.get(m.key)?.[0]?.receivedAtMs).filter((t): t is number => t !== undefined);
  return {
    kind: f.kind,
    detail: f.detail,
    downS: round1((f.upAt - f.downAt) / 1000),
    dueDuring: due.length,
    recoveryS: arrivals.length ? round1(Math.max(0, Math.max(...arrivals) - f.upAt) / 1000) : null,
  };
}

export function compareRuns(baseline: YearOutcome, faulty: YearOutcome): ChaosComparison {
  const problems: string[] = [];
  const baseKeys = byKey(baseline.mails);
  const faultKeys = byKey(faulty.mails);
  const missing = [...baseKeys.keys()].filter((k) => !faultKeys.has(k)).sort();
  const extra = [...faultKeys.keys()].filter((k) => !baseKeys.has(k)).sort();
  const duplicateMessageIds = duplicates(faulty.mails, (m) => m.messageId);
  const duplicateKeys = duplicates(faulty.mails, (m) => m.key);
  const delays = [...faultKeys.entries()].flatMap(([k, [m]]) => {
    const b = baseKeys.get(k)?.[0];
    // Both runs share the calendar and its speed; each is timed from its own launch.
    return b && m ? [(m.receivedAtMs - faulty.clock.realOrigin - (b.receivedAtMs - baseline.clock.realOrigin)) / 1000] : [];
  });
  const lost = lostSubmissions(faulty);
  const accepted = faulty.submissions.filter((s) => s.outcome === 'accepted').length;
  const refused = faulty.submissions.filter((s) => s.outcome === 'refused');
  const gaveUp = faulty.submissions.filter((s) => s.outcome === 'gave-up');
  const statusDiffs = diffMaps(baseline.statuses, faulty.statuses);
  const figureDiffs = diffMaps(baseline.figures, faulty.figures);
  const baselineRefused = baseline.submissions.filter((s) => s.outcome !== 'accepted');

  if (baselineRefused.length)
    problems.push(
      `the fault-free run itself had ${baselineRefused.length} submissions not accepted: ${baselineRefused
        .slice(0, 3)
        .map((s) => `${s.unitCode}/${s.phase} ${s.status ?? ''} ${s.message ?? ''}`)
        .join('; ')}`,
    );
  if (lostSubmissions(baseline).length) problems.push(`the fault-free run lost submissions: ${lostSubmissions(baseline).join(', ')}`);
  if (lost.length) problems.push(`accepted submissions missing from the database: ${lost.join(', ')}`);
  if (refused.length)
    problems.push(
      `submissions refused with faults: ${refused.map((s) => `${s.unitCode}/${s.phase} ${s.status} ${s.message ?? ''}`).join('; ')}`,
    );
  if (gaveUp.length)
    problems.push(
      `submissions never answered: ${gaveUp.map((s) => `${s.unitCode}/${s.phase} (${s.attempts} attempts, last: ${s.message ?? ''})`).join('; ')}`,
    );
  const duplicated = describeDuplicates(faulty, faultKeys);
  if (duplicateMessageIds)
    problems.push(
      `${duplicateMessageIds} message(s) reached the mail server twice (same Message-ID): ${duplicated.slice(0, 5).join('; ')}`,
    );
  if (duplicateKeys > duplicateMessageIds)
    problems.push(`${duplicateKeys - duplicateMessageIds} email(s) sent twice under different Message-IDs`);
  if (missing.length)
    problems.push(
      `emails of the fault-free year never ` +
        `delivered: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ` and ${missing.length - 10} more` : ''}`,
    );
  if (extra.length)
    problems.push(
      `emails only the faulty run sent: ${extra.slice(0, 10).join(', ')}${extra.length > 10 ? ` and ${extra.length - 10} more` : ''}`,
    );
  if (statusDiffs.length) problems.push(`final statuses differ: ${statusDiffs.slice(0, 10).join('; ')}`);
  if (figureDiffs.length) problems.push(`report figures differ: ${figureDiffs.slice(0, 10).join('; ')}`);
  if (faulty.failedWorkflows.length || baseline.failedWorkflows.length)
    problems.push(`failed workflows: ${[...baseline.failedWorkflows, ...faulty.failedWorkflows].join(', ')}`);
  const storedTwice = duplicates(faulty.storedKeys, (k) => k);
  if (storedTwice) problems.push(`${storedTwice} submission key(s) stored twice`);
  // An API kill that cut no request in flight tested nothing the worker kills do not: say so, do not pass it.
  for (const f of faulty.faults.filter((f) => f.kind === 'api-kill' && !f.hit))
    problems.push(`the API kill met no submission in flight (${f.detail})`);
  // The retry of a cut submission carries the same request id: one Update for it in the unit's history, never two.
  for (const c of faulty.faults.flatMap((f) => f.cut ?? []).filter((c) => c.acceptedUpdates !== 1))
    problems.push(`${c.unitCode} ${c.requestId}, cut by the API kill: ${c.acceptedUpdates} accepted Updates in its history (expected 1)`);
  if (faulty.outbox.pending) problems.push(`${faulty.outbox.pending} email(s) still pending in the outbox`);
  if (!baseline.mails.length || !Object.keys(baseline.figures).length)
    problems.push('the fault-free run produced no emails or no figures: nothing was compared');

  return {
    ok: problems.length === 0,
    problems,
    faults: faulty.faults.map((f) => faultSummary(f, baseline, faulty, faultKeys)),
    emails: {
      baseline: baseline.mails.length,
      faulty: faulty.mails.length,
      duplicateMessageIds,
      duplicateKeys,
      duplicated,
      missing,
      extra,
      maxDelayS: round1(Math.max(0, ...delays)),
    },
    submissions: {
      planned: faulty.submissions.length,
      accepted,
      refused: refused.length,
      gaveUp: gaveUp.length,
      retried: faulty.submissions.filter((s) => s.attempts > 1).length,
      lost,
      maxLatencyS: round1(Math.max(0, ...faulty.submissions.map((s) => s.latencyMs)) / 1000),
      baselineMaxLatencyS: round1(Math.max(0, ...baseline.submissions.map((s) => s.latencyMs)) / 1000),
    },
    statusDiffs,
    figureDiffs,
    failedWorkflows: faulty.failedWorkflows,
    processes: faulty.processes,
  };
}
