import { describe, expect, it } from 'vitest';
import { closingDay, formatElapsed, progressLine, waitingLine } from '../../rehearsal/run.js';

describe('rehearsal progress messages', () => {
  it('names the configured closing day, else 31 December', () => {
    expect(closingDay({ year: 2027, closesOn: '2027-12-31' })).toBe('2027-12-31');
    expect(closingDay({ year: 2027, closesOn: '2027-12-20' })).toBe('2027-12-20');
    expect(closingDay({ year: 2027 })).toBe('2027-12-31');
  });

  it('formats elapsed time compactly', () => {
    expect(formatElapsed(0)).toBe('0s');
    expect(formatElapsed(9_999)).toBe('9s');
    expect(formatElapsed(75_000)).toBe('1m15s');
    expect(formatElapsed(3_725_000)).toBe('1h02m05s');
  });

  it('prefixes a line with elapsed time and the calendar day when known', () => {
    expect(progressLine(75_000, '2027-03-01', '12 action(s)')).toBe('[+1m15s 2027-03-01] 12 action(s)');
    expect(progressLine(2_000, undefined, 'stack ready')).toBe('[+2s] stack ready');
  });

  it('names what it waits for, the first few and how many more', () => {
    expect(waitingLine('the cycle workflow to close the year', [])).toBe('waiting for the cycle workflow to close the year');
    const pending = Array.from({ length: 11 }, (_, i) => `U${String(i + 1).padStart(3, '0')}`);
    expect(waitingLine("the units' workflows to finish", pending, 3)).toBe(
      "waiting for the units' workflows to finish: 11 still running (U001, U002, U003, … 8 more)",
    );
  });
});
