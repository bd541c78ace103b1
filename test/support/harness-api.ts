/**
 * The API and console on `port`, wired to a harness's database, Temporal client and mailer as `chuky api` wires
 * them, with the harness's public address (give it to startHarness). `extra` adds what a test needs besides.
 */
import { startApi, type ApiDeps } from '../../api/server.js';
import { freePort } from '../../stack/ports.js';
import { terminateAll } from './cli-env.js';
import { startHarness, type Harness } from './harness.js';

export function startHarnessApi(h: Harness, port: number, extra: Partial<ApiDeps> = {}): ReturnType<typeof startApi> {
  const base = h.env.publicBaseUrl;
  return startApi(
    {
      db: h.db,
      client: h.client,
      signingSecret: h.env.signingSecret,
      taskQueue: h.env.taskQueue,
      publicBaseUrl: base,
      mail: { mailer: h.mailer, mailFrom: h.env.mailFrom, publicBaseUrl: base, signingSecret: h.env.signingSecret },
      ...extra,
    },
    port,
  );
}

/** A harness with its worker running and the API and console on a free port: what the tree's tests start. */
export interface HarnessWithApi {
  h: Harness;
  /** The API's address (also the harness's PUBLIC_BASE_URL). */
  base: string;
  /** Terminates the test's workflows, then closes the API, the worker and the harness. */
  stop(workflowIds: Iterable<string>, reason: string): Promise<void>;
}

export async function startHarnessWithApi(taskQueue: string): Promise<HarnessWithApi> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const h = await startHarness({ taskQueue, publicBaseUrl: base });
  const running = h.worker.run();
  const api = await startHarnessApi(h, port);
  return {
    h,
    base,
    stop: async (workflowIds, reason) => {
      await terminateAll(h.client, workflowIds, reason);
      await api.close();
      h.worker.shutdown();
      await running.catch(() => undefined);
      await h.close();
    },
  };
}
