/**
 * A chuky worker in its own process, wired exactly as `chuky worker` wires it (workers/runtime.ts: connections,
 * database pool, mailer, the worker with the workflow bundle), so the bench measures the production worker and
 * its memory alone. The addresses come from the environment the bench sets; nothing of a running `npm start` is
 * read.
 */
import v8 from 'node:v8';
import { loadEnv } from '../config/env.js';
import { connectRuntime, runWorker } from '../workers/runtime.js';
import { childFailed, childProtocol } from './children.js';

try {
  const env = loadEnv();
  const addresses = {
    temporalAddress: env.temporalAddress,
    temporalNamespace: env.temporalNamespace,
    databaseUrl: env.databaseUrl,
    smtpUrl: env.smtpUrl,
  };
  if (!addresses.temporalAddress || !addresses.databaseUrl || !addresses.smtpUrl)
    throw new Error('TEMPORAL_ADDRESS, DATABASE_URL and SMTP_URL must be set');
  const runtime = await connectRuntime(env, addresses);
  const { worker, done } = await runWorker(runtime, addresses);
  const o = worker.options as unknown as Record<string, unknown>;
  childProtocol({
    ready: {
      type: 'ready',
      taskQueue: env.taskQueue,
      maxCachedWorkflows: o.maxCachedWorkflows,
      heapLimitMb: Math.round(v8.getHeapStatistics().heap_size_limit / 1048576),
    },
    stop: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
      await runtime.close();
    },
    // Memory as the process sees it, then after a full collection of the main thread's heap (--expose-gc): what
    // is left beyond the main heap is the workflow threads' heaps (the cached workflows) and native memory.
    on: async (m) => {
      if (m.type !== 'memory') return undefined;
      const mb = (u: NodeJS.MemoryUsage) => Object.fromEntries(Object.entries(u).map(([k, v]) => [k, Math.round((v / 1048576) * 10) / 10]));
      const before = mb(process.memoryUsage());
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      return { type: 'memory', before, after: mb(process.memoryUsage()), collected: Boolean(gc) };
    },
  });
} catch (err) {
  childFailed(err);
}
