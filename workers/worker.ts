/** The worker: runs the workflows and the activities on the task queue. */
import { DefaultLogger, NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities/index.js';
import { bundleOptions } from './bundle.js';

let cachedBundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** Bundling takes seconds; a process that starts several workers (tests) bundles once. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  // webpack's module-by-module report is noise in a worker's log; warnings and errors still show.
  cachedBundle ??= bundleWorkflowCode({ ...bundleOptions(), logger: new DefaultLogger('WARN') });
  return cachedBundle;
}

export async function createWorker(params: {
  connection: NativeConnection;
  namespace: string;
  deps: ActivityDeps;
  /** Cap concurrency in tests and benchmarks; production defaults are the SDK's. */
  maxConcurrentActivityTaskExecutions?: number;
}): Promise<Worker> {
  return Worker.create({
    connection: params.connection,
    namespace: params.namespace,
    taskQueue: params.deps.taskQueue,
    workflowBundle: await workflowBundle(),
    activities: createActivities(params.deps),
    ...(params.maxConcurrentActivityTaskExecutions ? { maxConcurrentActivityTaskExecutions: params.maxConcurrentActivityTaskExecutions } : {}),
  });
}
