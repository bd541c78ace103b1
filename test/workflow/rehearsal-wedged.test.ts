// On the real time-skipping test server: a workflow whose task was taken by a poller that never answers has a
// history ending with WorkflowTaskStarted, and findWedgedWorkflows names it (with how its history ends); one whose
// task was never taken, and one that does not exist, are not named.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { timeSkippingEnvAt } from '../../stack/test-server.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { findWedgedWorkflows } from '../../rehearsal/wedged.js';

describe('finding workflows that hold a started task', { timeout: 120_000 }, () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await timeSkippingEnvAt(inject('services').testServerPath);
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('names the one whose task a poller took and never answered', async () => {
    const run = Date.now();
    const held = `wedged-held-${run}`;
    const waiting = `wedged-waiting-${run}`;
    // Workflow types no worker has: the tasks are only scheduled until someone polls their queues.
    await env.client.workflow.start('noSuchWorkflowType', { taskQueue: `held-${run}`, workflowId: held });
    await env.client.workflow.start('noSuchWorkflowType', { taskQueue: `nobody-${run}`, workflowId: waiting });
    const polled = await env.client.workflowService.pollWorkflowTaskQueue({
      namespace: 'default',
      taskQueue: { name: `held-${run}` },
      identity: 'a poller that never answers',
    });
    expect(polled.workflowExecution?.workflowId).toBe(held);

    const saveDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chuky-wedged-test-'));
    try {
      const found = await findWedgedWorkflows(env.client, [waiting, held, `wedged-none-${run}`], { withinMs: 10_000, saveDir });
      expect(found.read).toBe(2);
      expect(found.count).toBe(1);
      const savedTo = path.join(saveDir, `wedged-held-${run}.json`);
      expect(found.wedged).toEqual([
        {
          workflowId: held,
          lastEvents: ['WorkflowExecutionStarted', 'WorkflowTaskScheduled', 'WorkflowTaskStarted'],
          startedBy: 'a poller that never answers',
          startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          savedTo,
        },
      ]);
      // The whole history, as the SDK writes it: what a replay or `temporal workflow show` reads.
      const saved = JSON.parse(fs.readFileSync(savedTo, 'utf8')) as { events: { eventType: string }[] };
      expect(saved.events.map((e) => e.eventType)).toEqual([
        'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED',
        'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED',
        'EVENT_TYPE_WORKFLOW_TASK_STARTED',
      ]);
    } finally {
      fs.rmSync(saveDir, { recursive: true, force: true });
    }
  });
});
