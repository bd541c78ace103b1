/**
 * A unit workflow that accepted, before the members margin existed, a study and a pledge report whose member count
 * is far from the registry's (20 reported, 95 in the list as launched, no reason) still replays on today's code:
 * the update validator (which does not run on replay) asks for a reason, the handler parses what was accepted as it
 * was then. The history is a recorded one (unit-makeup-v1.json) with the launch input's member count raised to 95.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleWorkflowCode, Worker, type WorkflowBundle } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { bundleOptions } from '../../workers/bundle.js';
import { pledgePhase, studyPhase } from '../../domain/phases/index.js';
import { DEFAULT_MEMBERS_MARGIN_PERCENT } from '../../domain/phases/common.js';
import { decodePayload, readHistoryFile, type RawHistoryEvent } from '../support/histories.js';

const REGISTRY = 95;

/** The recorded history with its launch input's `members` replaced. */
function withLaunchMembers(file: string, members: number): { events: RawHistoryEvent[] } {
  const history = structuredClone(readHistoryFile(file));
  const started = history.events[0] as RawHistoryEvent & {
    workflowExecutionStartedEventAttributes: { input: { payloads: Array<{ data: string }> } };
  };
  const payload = started.workflowExecutionStartedEventAttributes.input.payloads[0]!;
  const input = decodePayload(payload) as { members?: number };
  expect(input.members).toBe(20);
  payload.data = Buffer.from(JSON.stringify({ ...input, members })).toString('base64');
  return history;
}

/** The study and pledge payloads the history's updates carried. */
function memberPayloads(history: { events: RawHistoryEvent[] }): Array<{ phase: string; payload: Record<string, unknown> }> {
  const out: Array<{ phase: string; payload: Record<string, unknown> }> = [];
  for (const e of history.events as Array<
    RawHistoryEvent & {
      workflowExecutionUpdateAcceptedEventAttributes?: { acceptedRequest: { input: { args: { payloads: Array<{ data: string }> } } } };
    }
  >) {
    const accepted = e.workflowExecutionUpdateAcceptedEventAttributes;
    if (!accepted) continue;
    for (const p of accepted.acceptedRequest.input.args.payloads) {
      const arg = decodePayload(p) as { phase?: string; payload?: Record<string, unknown> };
      if ((arg.phase === 'study' || arg.phase === 'pledge') && arg.payload) out.push({ phase: arg.phase, payload: arg.payload });
    }
  }
  return out;
}

describe('payloads accepted before the members margin', () => {
  let bundle: WorkflowBundle;

  beforeAll(async () => {
    bundle = await bundleWorkflowCode(bundleOptions());
  }, 180_000);

  it('replay, although today a validator would ask them for a reason', async () => {
    const history = withLaunchMembers('unit-makeup-v1.json', REGISTRY);
    const payloads = memberPayloads(history);
    expect(payloads.map((p) => p.phase).sort()).toEqual(['pledge', 'study']);
    for (const { phase, payload } of payloads) {
      expect(payload.membersReason).toBeUndefined();
      // What the validator checks today: refused without a reason…
      const spec = phase === 'study' ? studyPhase : pledgePhase;
      const checked = spec.schema({ members: REGISTRY, membersMarginPercent: DEFAULT_MEMBERS_MARGIN_PERCENT }).safeParse(payload);
      expect(checked.success, `${phase} ${JSON.stringify(payload)}`).toBe(false);
    }
    // …and yet the workflow that accepted them replays.
    await Worker.runReplayHistory({ workflowBundle: bundle }, historyFromJSON(history), 'unit-makeup-v1-registry-95');
  });
});
