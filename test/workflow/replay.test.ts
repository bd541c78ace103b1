/**
 * Replays every recorded history in test/histories against today's workflow code. A change that would break a
 * running year-long workflow (a reordered activity, a new timer without `patched()`) fails here, not in production.
 * Every workflow type the worker runs must have at least one history of a FULL run, start to completion, so that
 * every step of its code is replayed. Record new histories with
 * `CHUKY_RECORD_HISTORIES=v3 npx vitest run test/workflow/full-year.test.ts test/workflow/followups.test.ts`
 * (test/support/histories.ts), and keep the old ones: they are the workflows still running (docs/DEPLOYS.md).
 */
import fs from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleWorkflowCode, Worker, type WorkflowBundle } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { bundleOptions } from '../../workers/bundle.js';
import * as workflows from '../../workflows/index.js';
import { PHASE_IDS } from '../../domain/phases/index.js';
import { HISTORIES_DIR, readHistoryFile, summarizeHistory, type HistorySummary } from '../support/histories.js';

const files = fs.readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json')).sort();
const summaries = new Map(files.map((f) => [f, summarizeHistory(readHistoryFile(f).events)]));

const ran = (h: HistorySummary, name: string) => h.activities.filter((a) => a.name === name);
const emailKinds = (h: HistorySummary) => new Set(ran(h, 'sendUnitEmail').map((a) => String(a.input.kind)));

/**
 * What a full run of each workflow type goes through. A workflow type added to workflows/index.ts without an
 * entry here (and a recorded history that passes it) fails the test below.
 */
const FULL_RUN: Record<string, { what: string; missing: (h: HistorySummary) => string[] }> = {
  cycleWorkflow: {
    what: 'launch, the wait for the closing day, close, freeze',
    missing: (h) =>
      ['planCycle', 'launchUnitBatch', 'markCycleLaunched', 'closeUnitBatch', 'markCycleClosed', 'closeOpenInspections', 'freezeCycle'].filter((a) => ran(h, a).length === 0),
  },
  unitWorkflow: {
    what: 'every unit phase opened, reminded and submitted (make-up included), then closed by the cycle',
    missing: (h) => {
      const unitPhases = PHASE_IDS.filter((p) => p !== 'inspection-remedy');
      const submitted = new Set(ran(h, 'storeSubmission').map((a) => String(a.input.phase)));
      const opened = new Set(ran(h, 'recordTransition').filter((a) => a.input.kind === 'opened').map((a) => String(a.input.phase)));
      return [
        ...unitPhases.filter((p) => !opened.has(p)).map((p) => `${p} opened`),
        ...unitPhases.filter((p) => !submitted.has(p)).map((p) => `${p} submitted`),
        ...(['notice', 'reminder', 'receipt'] as const).filter((k) => !emailKinds(h).has(k)).map((k) => `a ${k} email`),
        ...(h.signals.includes('closeUnit') ? [] : ['closed by the cycle']),
      ];
    },
  },
  inspectionWorkflow: {
    what: 'notice, visit, conclusion with remedies, remedy reminders and overdue notice, remedy report',
    missing: (h) => [
      ...(['inspection-notice', 'inspection-scheduled', 'inspection-conclusion', 'reminder', 'overdue'] as const).filter((k) => !emailKinds(h).has(k)).map((k) => `a ${k} email`),
      ...(ran(h, 'storeSubmission').some((a) => a.input.phase === 'inspection-remedy') ? [] : ['the remedy report']),
    ],
  },
};

describe('recorded histories replay on the current workflow code', () => {
  let bundle: WorkflowBundle;

  beforeAll(async () => {
    // One bundle of today's workflow code, as the worker builds it, for every history.
    bundle = await bundleWorkflowCode(bundleOptions());
  }, 180_000);

  it('has a recorded full run of every workflow type the worker runs, from its start to its completion', () => {
    const types = Object.keys(workflows).sort();
    expect(types).toEqual(Object.keys(FULL_RUN).sort());
    for (const type of types) {
      const full = files.filter((f) => {
        const h = summaries.get(f)!;
        return h.workflowType === type && h.completed && FULL_RUN[type]!.missing(h).length === 0;
      });
      const closest = files
        .filter((f) => summaries.get(f)!.workflowType === type)
        .map((f) => `${f}: ${summaries.get(f)!.completed ? '' : 'not completed; '}missing ${FULL_RUN[type]!.missing(summaries.get(f)!).join(', ')}`);
      expect(full, `${type} (${FULL_RUN[type]!.what}); recorded: ${closest.join(' | ')}`).not.toEqual([]);
    }
  });

  it('holds only complete runs, each of a workflow type the worker still runs', () => {
    for (const [file, h] of summaries) {
      expect(Object.keys(workflows), file).toContain(h.workflowType);
      expect(h.completed, `${file} ends with WorkflowExecutionCompleted`).toBe(true);
    }
  });

  it.each(files)('%s replays without nondeterminism', async (file) => {
    const history = historyFromJSON(readHistoryFile(file));
    expect(history.events?.length ?? 0).toBeGreaterThan(10);
    await Worker.runReplayHistory({ workflowBundle: bundle }, history, file);
  });
});
