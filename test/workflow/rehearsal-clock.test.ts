// A rehearsal runs on its time-skipping server's clock: a unit's submission is stamped with that clock (not the
// machine's, which judged it an hour early), the log names the configured closing day, every progress line
// carries the elapsed time and the calendar day, and the wait for the last workflows is reported as it goes.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localTimeToInstant } from '../../domain/calendar.js';
import { ACTION_HOUR, runRehearsal, type Timeline } from '../../rehearsal/run.js';
import { writeFixture } from '../support/fixtures.js';

describe('a rehearsal on its own clock', { timeout: 300_000 }, () => {
  let t: Timeline;
  const lines: string[] = [];
  let dir = '';
  beforeAll(async () => {
    const fx = writeFixture({ code: 'CLOCK', issuedOn: '2027-01-11', deadline: '2027-02-15', units: 3, closesOn: '2027-12-31' });
    dir = fx.file.replace(/\/cycle\.yaml$/, '');
    t = await runRehearsal({ configFile: fx.file, log: (m) => lines.push(m), waitReportMs: 100 });
  });
  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stamps each submission with the rehearsal clock: 10:00 on its day, not an hour before', () => {
    expect(t.problems).toEqual([]);
    const submits = t.actions.filter((a) => a.action === 'submit');
    expect(submits).toHaveLength(3);
    expect(t.submissions).toHaveLength(3);
    for (const s of t.submissions) {
      const action = submits.find((a) => a.unit === s.unit && a.phase === s.phase)!;
      const planned = localTimeToInstant(action.date, ACTION_HOUR, t.timeZone);
      const judged = Date.parse(s.submittedAt);
      expect(judged).toBeGreaterThanOrEqual(planned);
      expect(judged - planned).toBeLessThan(5 * 60_000);
    }
  });

  it('says the year closed on the configured closing day', () => {
    expect(lines.some((l) => l.includes('year closed on 2027-12-31'))).toBe(true);
    expect(lines.some((l) => l.includes('year closed on 2028-01-01'))).toBe(false);
  });

  it('puts elapsed time, and once the clock is known the calendar day, on every progress line', () => {
    for (const l of lines) expect(l).toMatch(/^\[\+(\d+h)?(\d+m)?\d+s( \d{4}-\d\d-\d\d)?\] \S/);
    const actionLines = lines.filter((l) => /\] \d{4}-\d\d-\d\d: \d+ action/.test(l));
    expect(actionLines.length, lines.join('\n')).toBeGreaterThan(0);
    // The day in the prefix is the rehearsal's calendar day: the day the actions were taken.
    for (const l of actionLines)
      expect(/^\[\+\S+ (\S+)\] (\S+):/.exec(l)!.slice(1, 3)).toEqual([/\] (\S+):/.exec(l)![1], /\] (\S+):/.exec(l)![1]]);
  });

  it('reports what it waits for while the last workflows finish', () => {
    expect(
      lines.some((l) => /waiting for (the cycle workflow .* to close the year on 2027-12-31|the units' workflows to finish)/.test(l)),
      lines.join('\n'),
    ).toBe(true);
  });
});
