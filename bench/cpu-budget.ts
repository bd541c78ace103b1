/**
 * The submission target as a CPU budget. At 20 concurrent senders both the engine's Updates and chuky's
 * submissions saturate the 2 cores, so a request's latency is the senders over the rate, and the rate is the cores
 * over the CPU a request costs: the p95 ratio the target bounds (1.5× the empty Update's) is, near enough, the
 * ratio of CPU per request. This module splits each request's CPU by process and says what the target leaves once
 * the engine has done its part and PostgreSQL has stored the submission, the one piece of work every submission
 * must do that the engine's floors do not. The local SMTP server's CPU (the receipt) is shown apart and not
 * counted against the target: a real mail server runs elsewhere. Nor is the worker's own share of storing and
 * mailing: the verdict errs towards "chuky could".
 */
import type { CpuSplit } from './procs.js';

/** CPU milliseconds per request, by the part of the system that spent them. */
export interface CpuPerRequest {
  /** The workflow worker: chuky's, or the bench's engine worker for the floors. */
  worker: number;
  /** The Temporal server. */
  temporal: number;
  /** Who sends: the bench runner (the Updates' Temporal client, or the forms' HTTP client) and chuky's API. */
  client: number;
  postgres: number;
  /** The local SMTP server the receipts go to (a real one runs elsewhere; here it shares the cores). */
  sink: number;
  other: number;
  total: number;
}

const PARTS: [keyof Omit<CpuPerRequest, 'total' | 'other'>, RegExp][] = [
  ['worker', /worker/],
  ['temporal', /temporal/],
  ['client', /\bapi\b|bench runner/],
  ['postgres', /postgres/],
  ['sink', /smtp sink/],
];

/** Each process's CPU over a window of `requests` requests, per request, grouped by part (labels of bench/procs.ts). */
export function cpuPerRequest(split: Pick<CpuSplit, 'byProcess'>, requests: number): CpuPerRequest {
  const out: CpuPerRequest = { worker: 0, temporal: 0, client: 0, postgres: 0, sink: 0, other: 0, total: 0 };
  if (!(requests > 0)) return out;
  for (const p of split.byProcess) {
    const ms = (1000 * p.cpuS) / requests;
    const part = PARTS.find(([, re]) => re.test(p.label))?.[0] ?? 'other';
    out[part] += ms;
    out.total += ms;
  }
  return out;
}

export interface Budget {
  /** The target's CPU per submission: the ratio times the empty Update's. */
  budgetMs: number;
  /** The engine's part of a submission's shape (the Update with one local activity; the empty one without it). */
  engineMs: number;
  /** What the submission spent in PostgreSQL beyond what the floor spent there. */
  storeMs: number;
  /** What the local SMTP server spent on the receipts beyond the floor's: not counted in leastMs. */
  sinkMs: number;
  /** engineMs + storeMs: the least a submission can cost, before chuky's own code. */
  leastMs: number;
  /** The rest of what the submission spent, the SMTP server's apart: chuky's worker and API beyond the engine's. */
  chukyMs: number;
  /** leastMs > budgetMs: no code of chuky's can meet the target on these cores. */
  outOfReach: boolean;
}

export function submissionBudget(args: { submission: CpuPerRequest; empty: CpuPerRequest; local?: CpuPerRequest; ratio: number }): Budget {
  const floor = args.local ?? args.empty;
  const budgetMs = args.ratio * args.empty.total;
  const storeMs = Math.max(0, args.submission.postgres - floor.postgres);
  const sinkMs = Math.max(0, args.submission.sink - floor.sink);
  const leastMs = floor.total + storeMs;
  return {
    budgetMs,
    engineMs: floor.total,
    storeMs,
    sinkMs,
    leastMs,
    chukyMs: Math.max(0, args.submission.total - leastMs - sinkMs),
    outOfReach: leastMs > budgetMs,
  };
}

const ms = (n: number) => n.toFixed(1);

/** The finding's words: the budget, what must be spent, and what is left for chuky (or by how much it is short). */
export function budgetFinding(b: Budget, args: { ratio: number; emptyMs: number; submissionMs: number; localMeasured: boolean }): string {
  const engine = args.localMeasured ? 'an Update that runs one local activity (doing nothing)' : 'the empty Update';
  const head =
    `As CPU per request (saturated, latency follows it): the target allows ${args.ratio}× the empty Update's ` +
    `${ms(args.emptyMs)} ms, ${ms(b.budgetMs)} ms per submission; ${engine} costs the engine ${ms(b.engineMs)} ms, ` +
    `and PostgreSQL spent ${ms(b.storeMs)} ms more storing the submission: ${ms(b.leastMs)} ms before any code of ` +
    `chuky's runs (the local SMTP server's ${ms(b.sinkMs)} ms for the receipt not counted).`;
  const tail = b.outOfReach
    ? ` That is over the budget by ${ms(b.leastMs - b.budgetMs)} ms: on these cores no implementation that stores ` +
      `each submission in PostgreSQL meets the target; chuky's worker and API add ${ms(b.chukyMs)} ms more ` +
      `(${ms(args.submissionMs)} ms in all).`
    : ` That leaves ${ms(b.budgetMs - b.leastMs)} ms for chuky's worker and API, which spent ${ms(b.chukyMs)} ms ` +
      `(${ms(args.submissionMs)} ms in all)${b.chukyMs > b.budgetMs - b.leastMs ? ": the gap is chuky's own." : ': within the target.'}`;
  return head + tail;
}
