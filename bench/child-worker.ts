/**
 * A chuky worker in its own process, wired exactly as `chuky worker` wires it (workers/runtime.ts: connections,
 * database pool, mailer, the worker with the workflow bundle), so the bench measures the production worker and
 * its memory alone. The addresses come from the environment the bench sets; nothing of a running `npm start` is
 * read.
 */
import v8 from 'node:v8';
// TEMP perf experiment: capture the SDK's workflow threads to force a full GC in them (a heap snapshot).
import { createRequire } from 'node:module';
const threads: import('node:worker_threads').Worker[] = [];
if (process.env.TEMP_V8_FLAGS) v8.setFlagsFromString(process.env.TEMP_V8_FLAGS);
{
  const wt = createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads');
  const Orig = wt.Worker;
  (wt as { Worker: unknown }).Worker = class extends Orig {
    constructor(...args: ConstructorParameters<typeof Orig>) {
      super(...args);
      threads.push(this);
    }
  };
}
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
  if (!addresses.temporalAddress || !addresses.databaseUrl || !addresses.smtpUrl) throw new Error('TEMPORAL_ADDRESS, DATABASE_URL and SMTP_URL must be set');
  const runtime = await connectRuntime(env, addresses);
  const { worker, done } = await runWorker(runtime, addresses);
  const o = worker.options as unknown as Record<string, unknown>;
  childProtocol({
    ready: {
      type: 'ready',
      taskQueue: env.taskQueue,
      maxCachedWorkflows: o.maxCachedWorkflows as number,
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
      const after = mb(process.memoryUsage());
      {
        const fs = await import('node:fs');
        const text = fs.readFileSync('/proc/self/smaps', 'utf8');
        const maps: { head: string; rss: number; size: number }[] = [];
        let cur: { head: string; rss: number; size: number } | undefined;
        for (const line of text.split('\n')) {
          if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) { cur = { head: line, rss: 0, size: 0 }; maps.push(cur); }
          else if (cur && line.startsWith('Rss:')) cur.rss = Number(line.split(/\s+/)[1]);
          else if (cur && line.startsWith('Size:')) cur.size = Number(line.split(/\s+/)[1]);
        }
        const byName = new Map<string, number>();
        for (const m of maps) { const name = m.head.split(/\s+/).slice(5).join(' ') || `[anon ${m.size >= 60000 && m.size <= 65536 ? '64MB-arena' : m.size >= 131000 ? 'big' : m.size >= 1024 ? 'mid' : 'small'}]`; byName.set(name, (byName.get(name) ?? 0) + m.rss); }
        process.stderr.write(`TEMP smaps: ${[...byName].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => `${k}=${Math.round(v / 1024)}MB`).join(' ')}\n`);
      }
      const snap: number[] = [];
      for (const t of threads) {
        let bytes = 0;
        const stream = await t.getHeapSnapshot();
        for await (const chunk of stream) bytes += (chunk as Buffer).length;
        snap.push(Math.round(bytes / 1048576));
      }
      gc?.();
      process.stderr.write(`TEMP memory: before ${JSON.stringify(before)} afterMainGc ${JSON.stringify(after)} threads ${threads.length} snapshotMB ${snap} afterThreadGc ${JSON.stringify(mb(process.memoryUsage()))}\n`);
      return { type: 'memory', before, after, collected: Boolean(gc) };
    },
  });
} catch (err) {
  childFailed(err);
}
