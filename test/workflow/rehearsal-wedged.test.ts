// On the real time-skipping test server: a workflow whose task was taken by a poller that never answers has a
// history ending with WorkflowTaskStarted, and findWedgedWorkflows names it (with how its history ends); one whose
// task was never taken, and one that does not exist, are not named.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { msToTs } from '@temporalio/common/lib/time.js';
import { temporal } from '@temporalio/proto';
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
    // A third whose task was answered with an activity on a queue nobody polls: the activity waits, scheduled.
    const scheduling = `wedged-activity-${run}`;
    await env.client.workflow.start('noSuchWorkflowType', { taskQueue: `scheduling-${run}`, workflowId: scheduling });
    const task = await env.client.workflowService.pollWorkflowTaskQueue({
      namespace: 'default',
      taskQueue: { name: `scheduling-${run}` },
      identity: 'a poller that schedules an activity',
    });
    await env.client.workflowService.respondWorkflowTaskCompleted({
      namespace: 'default',
      taskToken: task.taskToken,
      identity: 'a poller that schedules an activity',
      commands: [
        {
          commandType: temporal.api.enums.v1.CommandType.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK,
          scheduleActivityTaskCommandAttributes: {
            activityId: '1',
            activityType: { name: 'sendUnitEmail' },
            taskQueue: { name: `nobody-${run}` },
            startToCloseTimeout: msToTs(60_000),
          },
        },
      ],
    });

    const saveDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chuky-wedged-test-'));
    try {
      const found = await findWedgedWorkflows(env.client, [waiting, held, scheduling, `wedged-none-${run}`], {
        withinMs: 10_000,
        saveDir,
      });
      expect(found.read).toBe(3);
      expect(found.count).toBe(1);
      // What waits on the server besides the held one's task (counted above, once): the waiting one's task only
      // scheduled, and the third's activity scheduled (the test server keeps no pending workflow task in a
      // description, so tasks are read from how each history ends).
      expect(found.pending).toMatchObject({
        described: 3,
        tasksScheduled: 1,
        activitiesScheduled: 1,
        activitiesStarted: 0,
      });
      // In the order the answers came (read ten at a time).
      expect(found.pending.examples).toHaveLength(2);
      expect(found.pending.examples).toEqual(
        expect.arrayContaining([
          expect.stringMatching(new RegExp(`^${waiting}: workflow task scheduled at \\d{4}-.*, attempt 1$`)),
          `${scheduling}: activity sendUnitEmail scheduled, attempt 1`,
        ]),
      );
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
