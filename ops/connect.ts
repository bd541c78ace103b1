/**
 * The operations commands' connections (`chuky stalled`, `chuky doctor`): a Temporal client and a small
 * database pool, from the same addresses every other command uses (the environment, else a running
 * `chuky dev`). The Temporal Web UI's address, for links, comes from TEMPORAL_UI_URL, else from `chuky dev`.
 */
import { Client, Connection } from '@temporalio/client';
import type { Env } from '../config/env.js';
import { createPool } from '../db/pool.js';
import { addressesFromDev, describeDown, resolveAddresses, servicesLiveness, type ServiceAddresses } from '../workers/services.js';
import type { OpsDeps } from './types.js';

export interface OpsConnection {
  deps: OpsDeps;
  addresses: ServiceAddresses;
  close(): Promise<void>;
}

export { temporalUiUrl } from './temporal-ui.js';

/**
 * `lazy`: do not contact Temporal until the first request (doctor reports an unreachable server as a failed
 * check instead of failing to start).
 */
export async function connectOps(env: Env, opts: { lazy?: boolean } = {}): Promise<OpsConnection> {
  const addresses = resolveAddresses(env);
  // Addresses from a `chuky dev` (its services file, kept after a crash): if the part this command needs is down,
  // say which one, and what is still up, rather than a bare connection error.
  const dev = opts.lazy ? undefined : addressesFromDev(env);
  if (dev) {
    const parts = await servicesLiveness(dev);
    const needed = parts.filter(
      (p) => !p.alive && ((p.part === 'Temporal' && !env.temporalAddress) || (p.part === 'PostgreSQL' && !env.databaseUrl)),
    );
    if (needed.length) {
      throw new Error(
        `${needed.map((p) => `${p.part} (${p.where})`).join(' and ')} ${needed.length > 1 ? 'are' : 'is'} ` +
          `down: ${describeDown(parts, dev)}`,
      );
    }
  }
  const connection = opts.lazy
    ? Connection.lazy({ address: addresses.temporalAddress, connectTimeout: 5_000 })
    : await Connection.connect({ address: addresses.temporalAddress });
  const client = new Client({ connection, namespace: addresses.temporalNamespace });
  const db = createPool(addresses.databaseUrl, 4);
  // resolveAddresses already prefers TEMPORAL_UI_URL to the UI `chuky dev` started.
  const ui = addresses.temporalUiUrl || undefined;
  return {
    deps: { db, client, namespace: addresses.temporalNamespace, taskQueue: env.taskQueue, ...(ui ? { temporalUiUrl: ui } : {}) },
    addresses,
    close: async () => {
      await db.end().catch(() => undefined);
      await connection.close().catch(() => undefined);
    },
  };
}
