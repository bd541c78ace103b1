/**
 * The floor under every `chuky` command that asks Temporal (scenario 10): a Node.js process that loads the
 * Temporal client SDK, connects to TEMPORAL_ADDRESS (the SDK asks the server for its capabilities on connect),
 * describes the namespace and exits. Nothing of chuky's: `stalled`, `unit show` and `doctor` cannot go under it.
 */
import { Connection } from '@temporalio/client';

const address = process.env.TEMPORAL_ADDRESS;
if (!address) throw new Error('TEMPORAL_ADDRESS must be set');
const connection = await Connection.connect({ address });
try {
  await connection.workflowService.describeNamespace({ namespace: process.env.TEMPORAL_NAMESPACE ?? 'default' });
} finally {
  await connection.close();
}
