// The stall watch: quiet for the allowed time → a RehearsalStalledError naming the last step; any progress
// restarts the quiet time; stopped, it never fires.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  checkEveryMs,
  dropClosedChannelRetries,
  isClosedChannelRetry,
  RehearsalStalledError,
  watchForStall,
} from '../../rehearsal/stall-watch.js';

describe('watchForStall', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('rejects once nothing has moved for the quiet time, naming the last step', async () => {
    const w = watchForStall(60_000);
    let err: unknown;
    w.stalled.catch((e: unknown) => (err = e));
    await vi.advanceTimersByTimeAsync(30_000);
    w.progressed('2027-03-01 U001 plan: submit answered');
    await vi.advanceTimersByTimeAsync(55_000);
    expect(err).toBeUndefined();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(err).toBeInstanceOf(RehearsalStalledError);
    const e = err as RehearsalStalledError;
    expect(e.lastStep).toBe('2027-03-01 U001 plan: submit answered');
    expect(e.quietMs).toBeGreaterThanOrEqual(60_000);
    expect(e.quietMs).toBeLessThan(60_000 + checkEveryMs(60_000) + 1);
    expect(e.elapsedMs).toBeGreaterThanOrEqual(90_000);
    expect(e.message).toMatch(/nothing moved for 6\d s .*the last step was: 2027-03-01 U001 plan: submit answered/);
  });

  it('keeps quiet while the rehearsal keeps moving, and after it is stopped', async () => {
    const w = watchForStall(10_000);
    let err: unknown;
    w.stalled.catch((e: unknown) => (err = e));
    for (let i = 0; i < 20; i++) {
      await vi.advanceTimersByTimeAsync(9_000);
      w.progressed(`step ${i}`);
    }
    w.stop();
    await vi.advanceTimersByTimeAsync(600_000);
    expect(err).toBeUndefined();
  });

  it('counts a change in its pulse as moving, and names the last one with the last step', async () => {
    let mail = 0;
    const w = watchForStall(60_000, Date.now, () => `${mail} email(s) received`);
    let err: unknown;
    w.stalled.catch((e: unknown) => (err = e));
    w.progressed('2027-10-30: 100 action(s)');
    // Five minutes of a long skip, the sink receiving mail all along: not a stall.
    for (let i = 0; i < 10; i++) {
      await vi.advanceTimersByTimeAsync(30_000);
      mail += 7;
    }
    expect(err).toBeUndefined();
    // Then nothing at all.
    await vi.advanceTimersByTimeAsync(70_000);
    expect(err).toBeInstanceOf(RehearsalStalledError);
    expect((err as RehearsalStalledError).lastStep).toBe('2027-10-30: 100 action(s) (then 70 email(s) received)');
    expect((err as RehearsalStalledError).elapsedMs).toBeGreaterThanOrEqual(360_000);
  });

  it('does not count a pulse that stays the same', async () => {
    const w = watchForStall(60_000, Date.now, () => '5 email(s) received');
    let err: unknown;
    w.stalled.catch((e: unknown) => (err = e));
    w.progressed('a step');
    await vi.advanceTimersByTimeAsync(65_000);
    expect((err as RehearsalStalledError).lastStep).toBe('a step');
  });

  it('refuses a quiet time that is not positive', () => {
    expect(() => watchForStall(0)).toThrow(/must be positive/);
    expect(() => watchForStall(Number.NaN)).toThrow(/must be positive/);
  });

  it('checks at least every 5 s and a few times per quiet period', () => {
    expect(checkEveryMs(300_000)).toBe(5_000);
    expect(checkEveryMs(4_000)).toBe(1_000);
    expect(checkEveryMs(1)).toBe(10);
  });
});

describe('dropClosedChannelRetries', () => {
  const installed = () => process.listeners('uncaughtException').at(-1) as (err: unknown) => void;

  it('drops the closed channel retries for a while, counting them, then leaves', () => {
    vi.useFakeTimers();
    const before = process.listenerCount('uncaughtException');
    const counts: number[] = [];
    dropClosedChannelRetries(60_000, (n) => counts.push(n));
    expect(process.listenerCount('uncaughtException')).toBe(before + 1);
    const handler = installed();
    handler(new Error('Channel has been shut down'));
    handler(new Error('Channel has been shut down'));
    expect(counts).toEqual([1, 2]);
    vi.advanceTimersByTime(60_000);
    expect(process.listenerCount('uncaughtException')).toBe(before);
    vi.useRealTimers();
  });

  it('throws anything else again, outside itself, and leaves at once', () => {
    const before = process.listenerCount('uncaughtException');
    const uninstall = dropClosedChannelRetries(60_000);
    const handler = installed();
    let rethrow: (() => void) | undefined;
    const tick = vi.spyOn(process, 'nextTick').mockImplementation(((fn: () => void) => {
      rethrow = fn;
    }) as typeof process.nextTick);
    try {
      const other = new Error('a real bug');
      handler(other);
      expect(process.listenerCount('uncaughtException')).toBe(before);
      expect(rethrow).toThrow(other);
    } finally {
      tick.mockRestore();
      uninstall();
    }
  });

  it('knows the closed channel error by its message only', () => {
    expect(isClosedChannelRetry(new Error('Channel has been shut down'))).toBe(true);
    expect(isClosedChannelRetry(new Error('Channel has been shut down!'))).toBe(false);
    expect(isClosedChannelRetry('Channel has been shut down')).toBe(false);
  });
});
