/**
 * For commands that need only PostgreSQL (records, link revocation, the read-only views): no Temporal connection.
 * A command that writes migrates first; a read-only one does not (node-pg-migrate and its lock cost more than the
 * command), and migrates only when the schema turns out to be behind.
 */
import { loadEnv, type Env } from '../config/env.js';
import { createPool, type Db } from '../db/pool.js';
import { resolveAddresses, resolveDatabaseUrl } from '../workers/services.js';

async function onPool<T>(databaseUrl: string, env: Env, fn: (db: Db, env: Env) => Promise<T>): Promise<T> {
  const db = createPool(databaseUrl, 2);
  try {
    return await fn(db, env);
  } finally {
    await db.end();
  }
}

export async function withDb<T>(fn: (db: Db, env: Env) => Promise<T>): Promise<T> {
  const env = loadEnv();
  const databaseUrl = resolveDatabaseUrl(env);
  const { migrate } = await import('../db/migrate.js');
  await migrate(databaseUrl);
  return onPool(databaseUrl, env, fn);
}

/** PostgreSQL's codes for a table, column or function the schema does not have (yet): undefined_table, _column, _function. */
const SCHEMA_BEHIND = new Set(['42P01', '42703', '42883']);

/**
 * For `fn` that only reads: on a database not migrated yet (a fresh one, or one behind this version) it migrates
 * and reads again, so the answer is the one a migrated database gives, as when every command migrated first.
 * `allAddresses`: resolve every service's address, as the commands that used to connect to all of them did, so a
 * missing setting is named with the others (TEMPORAL_ADDRESS, DATABASE_URL, SMTP_URL); only PostgreSQL is used.
 */
export async function withDbToRead<T>(fn: (db: Db, env: Env) => Promise<T>, opts: { allAddresses?: boolean } = {}): Promise<T> {
  const env = loadEnv();
  const databaseUrl = opts.allAddresses ? resolveAddresses(env).databaseUrl : resolveDatabaseUrl(env);
  try {
    return await onPool(databaseUrl, env, fn);
  } catch (err) {
    if (!SCHEMA_BEHIND.has(String((err as { code?: unknown } | null)?.code))) throw err;
    const { migrate } = await import('../db/migrate.js');
    await migrate(databaseUrl);
    return onPool(databaseUrl, env, fn);
  }
}
