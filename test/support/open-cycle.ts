/**
 * A cycle on the real stack whose phases open at once and stay open while a test file runs (one day = 60 s of
 * real time, so nothing falls due): the set-up of the files that send the live workflows many inputs.
 */
import type { Harness } from './harness.js';
import type { Fixture } from './fixtures.js';
import { waitFor } from './processes.js';
import { startCycle } from '../../cli/commands/cycle.js';
import { closeCycleSignal } from '../../workflows/messages.js';
import { cycleWorkflowId } from '../../domain/ids.js';

export interface OpenCycle {
  cycleId: string;
  /** Closes the cycle, stops the harness's worker and waits for it; the harness itself stays for the caller. */
  stop(): Promise<void>;
}

/**
 * Runs the harness's worker for the whole file (the tests send updates from their own bodies), starts the
 * fixture's cycle and waits until `opened` obligations (units × phases open at once) are recorded.
 */
export async function openCycle(
  h: Harness,
  p: { taskQueue: string; fixture: Fixture; opened: number; timeoutMs?: number },
): Promise<OpenCycle> {
  const running = h.worker.run();
  let cycleId = '';
  const stop = async () => {
    if (cycleId)
      await h.client.workflow
        .getHandle(cycleWorkflowId(cycleId))
        .signal(closeCycleSignal, { reason: 'test done', actor: 'operator:test' })
        .catch(() => undefined);
    h.worker.shutdown();
    await running.catch(() => undefined);
  };
  try {
    cycleId = (await startCycle({ db: h.db, client: h.client, taskQueue: p.taskQueue, configFile: p.fixture.file, secondsPerDay: 60 }))
      .cycleId;
    await waitFor(
      'the units to open their phases',
      async () => {
        const { rows } = await h.db.query("SELECT count(*)::int AS n FROM events WHERE cycle_id = $1 AND kind = 'opened'", [cycleId]);
        return rows[0].n === p.opened;
      },
      p.timeoutMs ?? 120_000,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { cycleId, stop };
}
