import { describe, expect, it } from 'vitest';
import { isLateAt, judgedAt, MAX_HELD_MS } from '../../domain/obligation.js';

describe('when a submission is judged', () => {
  const handled = Date.parse('2027-03-04T00:00:05+07:00');
  const dueAt = Date.parse('2027-03-04T00:00:00+07:00');

  it('by when the API received it, when that is within the hour before the workflow handles it', () => {
    const sent = Date.parse('2027-03-03T23:59:00+07:00');
    expect(judgedAt(sent, handled)).toBe(sent);
    expect(isLateAt(judgedAt(sent, handled), dueAt)).toBe(false);
  });

  it('no earlier than an hour before it is handled, and never after', () => {
    expect(judgedAt(handled - 3 * MAX_HELD_MS, handled)).toBe(handled - MAX_HELD_MS);
    expect(judgedAt(handled + 60_000, handled)).toBe(handled);
  });

  it('by when the workflow handles it, when the API did not say', () => {
    expect(judgedAt(undefined, handled)).toBe(handled);
    expect(judgedAt(Number.NaN, handled)).toBe(handled);
    expect(isLateAt(judgedAt(undefined, handled), dueAt)).toBe(true);
  });
});
