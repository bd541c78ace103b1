/** Small measuring helpers: percentiles, a bounded pool of concurrent tasks, rounding for tables. */
import pMap from 'p-map';

/** The p-th percentile (0–100) of already sorted numbers, by the nearest-rank method; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export function summarise(latencies: readonly number[]): LatencySummary {
  const sorted = [...latencies].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
    mean: sorted.length ? sum / sorted.length : Number.NaN,
  };
}

/** Runs fn over 0..count-1 with at most `limit` in flight; resolves when all are done. */
export async function pool(count: number, limit: number, fn: (i: number) => Promise<void>): Promise<void> {
  await pMap(
    Array.from({ length: count }, (_, i) => i),
    fn,
    { concurrency: Math.max(1, limit) },
  );
}

export function round(value: number, digits = 1): number {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Seconds between two Date.now() readings. */
export const seconds = (fromMs: number, toMs: number) => (toMs - fromMs) / 1000;
