/** For commands that need only PostgreSQL (records, link revocation): no Temporal connection, migrations applied. */
import { loadEnv, type Env } from '../config/env.js';
import { migrate } from '../db/migrate.js';
import { createPool, type Db } from '../db/pool.js';
import { resolveDatabaseUrl } from '../workers/services.js';

export async function withDb<T>(fn: (db: Db, env: Env) => Promise<T>): Promise<T> {
  const env = loadEnv();
  const databaseUrl = resolveDatabaseUrl(env);
  await migrate(databaseUrl);
  const db = createPool(databaseUrl, 2);
  try {
    return await fn(db, env);
  } finally {
    await db.end();
  }
}
