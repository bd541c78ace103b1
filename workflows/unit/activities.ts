/** The activities a unit workflow calls, with their timeouts and retries. */
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';

export const acts = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  // Activities heartbeat every 2 s (activities/index.ts): one whose worker died is retried after 10 s, not a minute.
  heartbeatTimeout: '10 seconds',
  // SMTP or the database may be down for hours; keep trying, backing off to one attempt every 10 minutes.
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

/**
 * Local activities: short keyed database writes this worker runs within the workflow task that asks for them,
 * so the server dispatches no activity task and no further workflow task for them (bench/README.md). An
 * accepted submission is stored and recorded by one (acceptSubmission), so the update returns after one
 * workflow task instead of three. Only that one, and one at a time (`UnitYear.localLock`): transitions
 * recorded by local activities too broke replay after worker restarts (docs/RELIABILITY.md).
 */
export const local = proxyLocalActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});
