import { describe, expect, it } from 'vitest';
import { obligationTimes, remainingSteps, remainingStepsSince } from '../../domain/schedule.js';
import { calendarToReal, realToCalendar, type ClockMap } from '../../domain/clock.js';
import { emailKey, messageIdFor, unitWorkflowId } from '../../domain/ids.js';

const calendar = { rollForward: true, weekend: [6, 0], holidays: ['2027-02-08', '2027-02-09'] };
const policy = { reminders: { daysBefore: [7, 3, 1] }, escalation: { overdueNotice: true, level2AfterDays: 7, level3AfterDays: 14 } };
const tz = 'Asia/Ho_Chi_Minh';
const iso = (ms: number) => new Date(ms).toISOString();

describe('obligation schedule', () => {
  it('plans reminders at 08:00 local before the deadline and the ladder after it', () => {
    const t = obligationTimes({ deadline: '2027-02-15', calendar, timeZone: tz, policy });
    expect(t.deadline).toBe('2027-02-15');
    expect(iso(t.dueAt)).toBe('2027-02-15T17:00:00.000Z'); // 00:00 on the 16th, Vietnam time
    expect(t.steps.map((s) => [s.name, iso(s.at)])).toEqual([
      ['reminder-7d', '2027-02-08T01:00:00.000Z'],
      ['reminder-3d', '2027-02-12T01:00:00.000Z'],
      ['reminder-1d', '2027-02-14T01:00:00.000Z'],
      ['overdue', '2027-02-16T01:00:00.000Z'],
      ['escalation-2', '2027-02-22T01:00:00.000Z'],
      ['escalation-3', '2027-03-01T01:00:00.000Z'],
    ]);
  });

  it('counts from the rolled-forward deadline', () => {
    const t = obligationTimes({ deadline: '2027-02-13', calendar, timeZone: tz, policy });
    expect(t.deadline).toBe('2027-02-15');
  });

  it('leaves out the overdue notice when configured so, and respects per-phase offsets', () => {
    const t = obligationTimes({
      deadline: '2027-02-15',
      calendar,
      timeZone: tz,
      policy: { reminders: { daysBefore: [2] }, escalation: { overdueNotice: false, level2AfterDays: 3, level3AfterDays: 5 } },
    });
    expect(t.steps.map((s) => s.name)).toEqual(['reminder-2d', 'escalation-2', 'escalation-3']);
  });

  it('drops past reminders but keeps past escalations, and skips steps already done', () => {
    const t = obligationTimes({ deadline: '2027-02-15', calendar, timeZone: tz, policy });
    const afterDeadline = Date.parse('2027-02-17T00:00:00Z');
    expect(remainingSteps(t, afterDeadline, new Set()).map((s) => s.name)).toEqual(['overdue', 'escalation-2', 'escalation-3']);
    const midFeb = Date.parse('2027-02-10T00:00:00Z');
    expect(remainingSteps(t, midFeb, new Set(['reminder-3d'])).map((s) => s.name)).toEqual([
      'reminder-1d',
      'overdue',
      'escalation-2',
      'escalation-3',
    ]);
  });

  it('sends the latest reminder an outage held up, once, while the deadline has not passed', () => {
    const t = obligationTimes({ deadline: '2027-02-15', calendar, timeZone: tz, policy });
    const opened = Date.parse('2027-02-01T01:00:00Z');
    const names = (now: string, done: string[], since = opened) =>
      remainingStepsSince(t, Date.parse(now), new Set(done), since).map((s) => s.name);
    // On time: the same steps as remainingSteps.
    expect(names('2027-02-05T00:00:00Z', [])).toEqual([
      'reminder-7d',
      'reminder-3d',
      'reminder-1d',
      'overdue',
      'escalation-2',
      'escalation-3',
    ]);
    // The 7-day reminder held up past its moment (the 3-day one not yet due): still sent.
    expect(names('2027-02-09T00:00:00Z', [])[0]).toBe('reminder-7d');
    // Held up past two moments: only the later one is sent, and the earlier one never after it.
    expect(names('2027-02-13T00:00:00Z', [])).toEqual(['reminder-3d', 'reminder-1d', 'overdue', 'escalation-2', 'escalation-3']);
    expect(names('2027-02-13T00:10:00Z', ['reminder-3d'])).toEqual(['reminder-1d', 'overdue', 'escalation-2', 'escalation-3']);
    // Once the deadline has passed, no reminder: the overdue notice speaks instead.
    expect(names('2027-02-16T00:00:00Z', [])).toEqual(['overdue', 'escalation-2', 'escalation-3']);
    // Reminders due before the ladder started (a late opening, an extension) are dropped, as remainingSteps does.
    expect(names('2027-02-13T00:00:00Z', [], Date.parse('2027-02-12T12:00:00Z'))).toEqual([
      'reminder-1d',
      'overdue',
      'escalation-2',
      'escalation-3',
    ]);
  });
});

describe('compressed clock', () => {
  const clock: ClockMap = {
    kind: 'compressed',
    calendarOrigin: Date.parse('2027-01-10T00:00:00Z'),
    realOrigin: 1_000_000,
    secondsPerDay: 2,
  };
  it('maps calendar days to seconds and back', () => {
    expect(calendarToReal(clock, Date.parse('2027-01-11T00:00:00Z'))).toBe(1_002_000);
    expect(calendarToReal(clock, Date.parse('2027-01-10T12:00:00Z'))).toBe(1_001_000);
    expect(realToCalendar(clock, 1_004_000)).toBe(Date.parse('2027-01-12T00:00:00Z'));
    expect(calendarToReal({ kind: 'real' }, 42)).toBe(42);
  });
});

describe('ids', () => {
  it('derives workflow ids and email keys from what they are about', () => {
    expect(unitWorkflowId('DUK-HT-2027', 'SO-TC')).toBe('chuky/unit/DUK-HT-2027/SO-TC');
    const k = emailKey({ cycle: 'DUK-HT-2027', unit: 'SO-TC', phase: 'plan', kind: 'reminder-3d', deadline: '2027-02-15' });
    expect(k).toBe('DUK-HT-2027/SO-TC/plan/reminder-3d@2027-02-15');
    expect(emailKey({ cycle: 'c', unit: 'u', phase: 'plan', kind: 'receipt', deadline: '2027-02-15', seq: 2 })).toBe(
      'c/u/plan/receipt@2027-02-15#2',
    );
  });
  it('makes a valid, stable Message-ID from a key', () => {
    const id = messageIdFor('DUK-HT-2027/SO-TC/plan/reminder-3d@2027-02-15', 'example.vn');
    expect(id).toBe(messageIdFor('DUK-HT-2027/SO-TC/plan/reminder-3d@2027-02-15', 'example.vn'));
    expect(id).toMatch(/^<[A-Za-z0-9._=-]+@example\.vn>$/);
    expect(id).not.toBe(messageIdFor('DUK-HT-2027/SO-TC/plan/reminder-1d@2027-02-15', 'example.vn'));
    expect(id).toBe('<DUK-HT-2027=2fSO-TC=2fplan=2freminder-3d=402027-02-15@example.vn>');
    // Escapes are fixed-width and "=" is escaped, so keys that differ only in unusual characters stay distinct.
    expect(messageIdFor('a=2f', 'x')).not.toBe(messageIdFor('a/', 'x'));
    expect(messageIdFor('đơn vị', 'x')).toBe('<=c4=91=c6=a1n=20v=e1=bb=8b@x>');
  });
});
