/**
 * The fault suite's verdict on emails: a message that reached the server twice fails the run, and the verdict
 * names its key, when its copies came and which fault the second came after (the CI's failure of 7 December 2026
 * said only "3 message(s)", which left the window to guessing).
 */
import { describe, expect, it } from 'vitest';
import { compareRuns } from '../../chaos/compare.js';
import type { YearOutcome } from '../../chaos/run-year.js';
import type { ReceivedMail } from '../../chaos/stack.js';

const ORIGIN = 1_800_000_000_000;

function outcome(faulty: boolean, mails: ReceivedMail[], faults: YearOutcome['faults'] = []): YearOutcome {
  return {
    faulty,
    cycleId: 'T-2027',
    clock: { kind: 'compressed', calendarOrigin: Date.UTC(2027, 0, 4), realOrigin: ORIGIN, secondsPerDay: 8 },
    wallMs: 100_000,
    submissions: [],
    storedKeys: [],
    mails,
    outbox: {},
    statuses: { 'U1/plan': 'submitted 0 1' },
    figures: { a: 1 },
    failedWorkflows: [],
    faults,
    processes: {},
    engine: 'dev',
  };
}

const mail = (key: string, atS: number, messageId = `<${key}@x>`): ReceivedMail => ({
  messageId,
  key,
  kind: 'reminder',
  to: ['a@x.vn'],
  receivedAtMs: ORIGIN + atS * 1000,
});

describe('compareRuns on emails', () => {
  it('passes when every email arrived once', () => {
    const c = compareRuns(outcome(false, [mail('k1', 10), mail('k2', 20)]), outcome(true, [mail('k1', 11), mail('k2', 25)]));
    expect(c.emails.duplicateMessageIds).toBe(0);
    expect(c.emails.duplicated).toEqual([]);
    expect(c.ok).toBe(true);
  });

  it('names a key that arrived twice, its arrivals and the fault before the second copy', () => {
    const faults: YearOutcome['faults'] = [
      { kind: 'worker-kill', downAt: ORIGIN + 5_000, upAt: ORIGIN + 6_000, detail: 'kill -9' },
      { kind: 'postgres-restart', downAt: ORIGIN + 30_000, upAt: ORIGIN + 33_000, detail: 'stop, start' },
    ];
    const c = compareRuns(
      outcome(false, [mail('k1', 10), mail('k2', 31)]),
      outcome(true, [mail('k1', 11), mail('k2', 30.5), mail('k2', 34)], faults),
    );
    expect(c.emails.duplicateMessageIds).toBe(1);
    expect(c.emails.duplicated).toEqual(['k2: 2 copies at 30.5 s, 34 s, after postgres-restart (down 30 s, back 33 s)']);
    expect(c.ok).toBe(false);
    expect(c.problems.join('\n')).toContain('1 message(s) reached the mail server twice (same Message-ID): k2: 2 copies');
  });
});
