/**
 * For read-only commands that need Temporal and PostgreSQL (`chuky unit show`): a client and a small pool, nothing
 * else — not the worker SDK, mailer and activities' wiring that workers/runtime.ts builds for the running parts.
 */
import { Client, Connection } from '@temporalio/client';
import { loadEnv, type Env } from '../config/env.js';
import { createPool, type Db } from '../db/pool.js';
import { resolveAddresses, type ServiceAddresses } from '../workers/services.js';

export interface TemporalAndDb {
  client: Client;
  db: Db;
  env: Env;
  addresses: ServiceAddresses;
}

export async function withTemporalAndDb<T>(fn: (c: TemporalAndDb) => Promise<T>): Promise<T> {
  const env = loadEnv();
  const addresses = resolveAddresses(env);
  const connection = await Connection.connect({ address: addresses.temporalAddress });
  const db = createPool(addresses.databaseUrl, 2);
  try {
    return await fn({ client: new Client({ connection, namespace: addresses.temporalNamespace }), db, env, addresses });
  } finally {
    await db.end();
    await connection.close();
  }
}

/** For a command that only talks to Temporal (a signal): no database pool. */
export async function withTemporal<T>(fn: (client: Client, env: Env) => Promise<T>): Promise<T> {
  const env = loadEnv();
  const addresses = resolveAddresses(env);
  const connection = await Connection.connect({ address: addresses.temporalAddress });
  try {
    return await fn(new Client({ connection, namespace: addresses.temporalNamespace }), env);
  } finally {
    await connection.close();
  }
}
