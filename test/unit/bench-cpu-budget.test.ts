// The bench's submission budget (bench/cpu-budget.ts): CPU per request split by process as bench/procs.ts labels
// them, and the verdict on whether the 1.5× target is out of reach before chuky's own code runs.
import { describe, expect, it } from 'vitest';
import { budgetFinding, cpuPerRequest, submissionBudget } from '../../bench/cpu-budget.js';

const split = (byProcess: [string, number][]) => ({ byProcess: byProcess.map(([label, cpuS]) => ({ label, cpuS, shareOfCapacity: 0 })) });

describe('cpuPerRequest', () => {
  it('groups the processes by part, in ms per request', () => {
    const c = cpuPerRequest(
      split([
        ['chuky worker', 5.6],
        ['temporal dev server', 4.4],
        ['chuky api', 2.8],
        ['bench runner', 0.8],
        ['postgres', 1.6],
        ['smtp sink', 0.4],
        ['node (child of the runner)', 0.4],
      ]),
      400,
    );
    expect(c).toEqual({ worker: 14, temporal: 11, client: 9, postgres: 4, sink: 1, other: 1, total: 40 });
    // The floors' processes: the bench's engine worker is the worker.
    expect(cpuPerRequest(split([['bench engine worker', 2]]), 100).worker).toBe(20);
    expect(cpuPerRequest(split([['chuky worker', 2]]), 0).total).toBe(0);
  });
});

describe('submissionBudget', () => {
  const empty = { worker: 5, temporal: 6, client: 3, postgres: 0.5, sink: 0.1, other: 0, total: 14.6 };
  const local = { worker: 6, temporal: 7, client: 3, postgres: 0.5, sink: 0.1, other: 0, total: 16.6 };

  it('is out of reach when the engine floor plus the store exceed 1.5× the empty Update', () => {
    const submission = { worker: 14, temporal: 11, client: 9, postgres: 6, sink: 1.6, other: 0, total: 41.6 };
    const b = submissionBudget({ submission, empty, local, ratio: 1.5 });
    expect(b.budgetMs).toBeCloseTo(21.9, 5);
    expect(b.engineMs).toBe(16.6);
    expect(b.storeMs).toBeCloseTo(5.5, 5);
    expect(b.sinkMs).toBeCloseTo(1.5, 5);
    expect(b.leastMs).toBeCloseTo(22.1, 5);
    // 41.6 - 22.1 - 1.5: the SMTP server's share is not chuky's either.
    expect(b.chukyMs).toBeCloseTo(18, 5);
    expect(b.outOfReach).toBe(true);
    const text = budgetFinding(b, { ratio: 1.5, emptyMs: empty.total, submissionMs: submission.total, localMeasured: true });
    expect(text).toContain('14.6 ms, 21.9 ms per submission');
    expect(text).toContain("(the local SMTP server's 1.5 ms for the receipt not counted)");
    expect(text).toContain('over the budget by 0.2 ms');
    expect(text).toContain("chuky's worker and API add 18.0 ms more (41.6 ms in all)");
  });

  it('does not count the SMTP server against the target', () => {
    const submission = { worker: 8, temporal: 7, client: 4, postgres: 5.5, sink: 20, other: 0, total: 44.5 };
    expect(submissionBudget({ submission, empty, local, ratio: 1.5 }).outOfReach).toBe(false);
  });

  it("leaves the rest to chuky when the floor fits, and says the gap is chuky's own", () => {
    const submission = { worker: 8, temporal: 7, client: 4, postgres: 1.5, sink: 0.6, other: 0, total: 21.1 };
    const b = submissionBudget({ submission, empty, ratio: 1.5 });
    // Without the local-activity floor, the empty Update is the engine's part.
    expect(b.engineMs).toBe(14.6);
    expect(b.storeMs).toBeCloseTo(1, 5);
    expect(b.outOfReach).toBe(false);
    const text = budgetFinding(b, { ratio: 1.5, emptyMs: empty.total, submissionMs: submission.total, localMeasured: false });
    expect(text).toContain('the empty Update costs the engine 14.6 ms');
    expect(text).toContain("That leaves 6.3 ms for chuky's worker and API, which spent 5.0 ms");
    expect(text).toContain('within the target');
    // Spending more than is left: the gap is chuky's.
    const heavier = submissionBudget({ submission: { ...submission, worker: 12, total: 25.1 }, empty, ratio: 1.5 });
    expect(budgetFinding(heavier, { ratio: 1.5, emptyMs: empty.total, submissionMs: 25.1, localMeasured: false })).toContain(
      "which spent 9.0 ms (25.1 ms in all): the gap is chuky's own.",
    );
  });
});
