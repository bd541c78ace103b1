/**
 * The engine baseline's worker: bench/workflows.ts bundled the way chuky's worker bundles its workflows
 * (webpack through the SDK's bundler), on its own task queue, with the SDK's default options.
 */
import { fileURLToPath } from 'node:url';
import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { childFailed, childProtocol } from './children.js';

try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const address = process.env.TEMPORAL_ADDRESS;
  const taskQueue = process.env.BENCH_TASK_QUEUE ?? 'bench-engine';
  if (!address) throw new Error('TEMPORAL_ADDRESS must be set');
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL('./workflows.js', import.meta.url)),
    logger: new DefaultLogger('WARN'),
  });
  const connection = await NativeConnection.connect({ address });
  // `noop`: the local activity of localStepUpdateTargetWorkflow, which does nothing.
  const worker = await Worker.create({
    connection,
    namespace: 'default',
    taskQueue,
    workflowBundle,
    activities: { noop: async () => undefined },
  });
  const done = worker.run().finally(() => connection.close());
  childProtocol({
    ready: { type: 'ready', taskQueue },
    stop: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  });
} catch (err) {
  childFailed(err);
}
