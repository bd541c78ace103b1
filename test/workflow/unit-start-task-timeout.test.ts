// A launch started with a workflow-task timeout (the rehearsal's minute, rehearsal/run.ts) gives each unit
// workflow that timeout on the server, and a launch without one leaves the server's default (10 s). The
// rehearsal's 1,000-unit year stalled twice after tasks expired at 10 s on the time-skipping server.
import fs from 'node:fs';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startUnitWorkflow } from '../../activities/cycle.js';
import { loadCycleFile } from '../../config/cycle.js';
import type { CycleRow } from '../../db/cycles.js';
import { REAL_CLOCK } from '../../domain/clock.js';
import { unitWorkflowId } from '../../domain/ids.js';
import { REHEARSAL_WORKFLOW_TASK_TIMEOUT } from '../../rehearsal/run.js';
import { writeFixture } from '../support/fixtures.js';

describe('a unit workflow started with a workflow-task timeout', { timeout: 120_000 }, () => {
  let env: TestWorkflowEnvironment;
  let cycle: CycleRow;
  const fx = writeFixture({ code: 'WFTT', issuedOn: '2027-01-11', deadline: '2027-02-15', units: 2 });

  beforeAll(async () => {
    env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: inject('services').testServerPath } },
    });
    const loaded = loadCycleFile(fx.file);
    cycle = {
      id: 'WFTT-2027',
      committeeCode: 'WFTT',
      year: 2027,
      definition: loaded.definition,
      clock: REAL_CLOCK,
      status: 'running',
      launchedUnits: 0,
    };
  });
  afterAll(async () => {
    await env?.teardown();
    fs.rmSync(fx.file.replace(/\/cycle\.yaml$/, ''), { recursive: true, force: true });
  });

  const taskTimeoutSeconds = async (unitCode: string) => {
    const d = await env.client.workflow.getHandle(unitWorkflowId(cycle.id, unitCode)).describe();
    return Number(d.raw.executionConfig?.defaultWorkflowTaskTimeout?.seconds ?? 0);
  };

  it("carries the rehearsal's timeout to the server, and leaves the default without one", async () => {
    const base = { client: env.client, taskQueue: 'no-worker-wftt', searchAttributes: false };
    expect(await startUnitWorkflow({ ...base, workflowTaskTimeout: REHEARSAL_WORKFLOW_TASK_TIMEOUT }, cycle, 'U001')).toBe('started');
    expect(await startUnitWorkflow(base, cycle, 'U002')).toBe('started');
    expect(await taskTimeoutSeconds('U001')).toBe(60);
    expect(await taskTimeoutSeconds('U002')).toBe(10);
  });
});
