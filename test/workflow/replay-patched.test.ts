/**
 * The worked example of docs/DEPLOYS.md: a behaviour change deployed mid-year behind `patched()`.
 *
 * The change ('remedy-receipt', workflows/inspection.ts): a unit reporting its remedies after an inspection is
 * now sent a receipt, as for every other report it submits. Before, the inspection ended without one.
 *
 * The same scenario (test/workflow/followups.test.ts: an inspection from notice to conclusion, remedy reminders,
 * overdue notice and a late remedy report) was recorded twice:
 *   - inspection-full-year-v1.json, by the code before the change: an inspection already running when the change
 *     is deployed;
 *   - inspection-full-year-v2.json, by the code after it.
 * Both must replay on today's code. The test also bundles the inspection workflow with `patched('remedy-receipt')`
 * forced (test/support/patch-variants/): always true is the change made without its guard, which breaks v1;
 * always false is the code before the change, which breaks v2 (a patched deploy is rolled forward, never back).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleWorkflowCode, Worker, type WorkflowBundle } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { bundleOptions } from '../../workers/bundle.js';
import { decodePayload, readHistoryFile, summarizeHistory } from '../support/histories.js';
import { bundleVariant } from '../support/patch-variants/bundle.js';

const PATCH = 'remedy-receipt';
const OLD = 'inspection-full-year-v1.json';
const NEW = 'inspection-full-year-v2.json';

/** The activities a history ran, in order, with the email kind of each sendUnitEmail. */
const activities = (file: string): string[] =>
  summarizeHistory(readHistoryFile(file).events).activities.map((a) =>
    a.name === 'sendUnitEmail' ? `${a.name}:${String(a.input.kind)}` : a.name,
  );

const replay = (bundle: WorkflowBundle, file: string) =>
  Worker.runReplayHistory({ workflowBundle: bundle }, historyFromJSON(readHistoryFile(file)), file);

describe(`a behaviour change behind patched('${PATCH}'): old and new inspection histories side by side`, () => {
  let current: WorkflowBundle;
  let unguarded: WorkflowBundle;
  let before: WorkflowBundle;

  beforeAll(async () => {
    current = await bundleWorkflowCode(bundleOptions());
    unguarded = await bundleVariant('unguarded-remedy-receipt');
    before = await bundleVariant('before-remedy-receipt');
  }, 180_000);

  it('has both histories: full runs of the same inspection, ending in completion', () => {
    for (const file of [OLD, NEW]) {
      const { events } = readHistoryFile(file);
      expect(events[0]!.eventType, file).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED');
      expect(summarizeHistory(events)).toMatchObject({ workflowType: 'inspectionWorkflow', completed: true });
    }
  });

  it("(a) replays the history recorded before the change on today's code", async () => {
    await replay(current, OLD);
  });

  it("(b) replays the history recorded after the change on today's code", async () => {
    await replay(current, NEW);
  });

  it('(c) the change without its patched() guard cannot replay the old history: a nondeterminism error', async () => {
    // Today's code with the guard passes (a); the same code with the receipt unconditional does not: where the
    // old run completed, it schedules the receipt.
    const failure = await replay(unguarded, OLD).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(DeterminismViolationError);
    // "[TMPRL1100] Nondeterminism error: Activity machine does not handle this event: HistoryEvent(id: 175,
    // WorkflowExecutionCompleted)": the build schedules the receipt where the recorded run completed.
    expect((failure as Error).message).toMatch(/\[TMPRL1100\] Nondeterminism error: Activity machine .*WorkflowExecutionCompleted/);
  });

  it("(c') nor can the code from before the change replay the new history: roll forward, never back", async () => {
    await replay(before, OLD);
    // The new history recorded the patch's marker; code that never asks for the patch cannot account for it.
    const failure = await replay(before, NEW).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(DeterminismViolationError);
    expect((failure as Error).message).toMatch(/patch marker encountered for change remedy-receipt/);
  });

  it('(d) the new history has the new behaviour: the patch marker, then the receipt for the remedy report', () => {
    const old = summarizeHistory(readHistoryFile(OLD).events);
    const neu = summarizeHistory(readHistoryFile(NEW).events);
    expect(old.patches).toEqual([]);
    expect(neu.patches).toEqual([PATCH]);
    // Everything else happened exactly as before; the receipt is the one activity added, after the report.
    const oldRun = activities(OLD);
    expect(oldRun.at(-1)).toBe('recordTransition');
    expect(oldRun).not.toContain('sendUnitEmail:receipt');
    expect(activities(NEW)).toEqual([...oldRun, 'sendUnitEmail:receipt']);
    // The receipt's input: the remedy report, late against its deadline, keyed once per inspection.
    const input = neu.activities.at(-1)!.input;
    expect(input).toMatchObject({ kind: 'receipt', phase: 'inspection-remedy', version: 1, late: true, deadline: '2027-05-20' });
    expect(String(input.key)).toContain('remedy-receipt');
    expect(String(input.summary)).toMatch(/^Đã báo cáo khắc phục/);
    // The marker comes before the receipt is scheduled: the decision is recorded where it was taken.
    const events = readHistoryFile(NEW).events;
    const marker = events.findIndex((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch');
    const send = events.findLastIndex((e) => e.activityTaskScheduledEventAttributes?.activityType.name === 'sendUnitEmail');
    expect(marker).toBeGreaterThan(0);
    expect(marker).toBeLessThan(send);
    expect(decodePayload(events[send]!.activityTaskScheduledEventAttributes!.input!.payloads![0]).kind).toBe('receipt');
  });
});
