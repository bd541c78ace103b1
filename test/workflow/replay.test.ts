/**
 * Replays every recorded history in test/histories against today's workflow code. A change that would break a
 * running year-long workflow (a reordered activity, a new timer without `patched()`) fails here, not in production.
 * Record new histories with `CHUKY_RECORD_HISTORIES=1 npx vitest run test/workflow/plan-year.test.ts`, and keep
 * the old ones: they are the workflows still running.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { projectRoot } from '../../stack/paths.js';
import { bundleOptions } from '../../workers/bundle.js';

const dir = path.join(projectRoot(), 'test', 'histories');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

describe('recorded histories replay on the current workflow code', () => {
  it('has recorded histories of each workflow type', () => {
    expect(files.some((f) => f.startsWith('cycle-'))).toBe(true);
    expect(files.some((f) => f.startsWith('unit-'))).toBe(true);
  });

  it.each(files)('%s replays without nondeterminism', async (file) => {
    const history = historyFromJSON(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')));
    expect(history.events?.length ?? 0).toBeGreaterThan(10);
    await Worker.runReplayHistory({ ...bundleOptions() }, history, file);
  });
});
