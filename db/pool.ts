/** One pool per process, and transactions in one helper (node-postgres' own advice). */
import pg from 'pg';

export type Db = pg.Pool;

export function createPool(databaseUrl: string, max = 10): Db {
  const pool = new pg.Pool({ connectionString: databaseUrl, max });
  // An idle client losing its connection (a database restart) must not crash the worker; the next query reconnects.
  pool.on('error', () => undefined);
  // Nor a checked-out one: the email activity holds its client (and the outbox row's lock) through the SMTP
  // conversation, with no query in flight, and a restart's "terminating connection" then came as an 'error'
  // event nobody listened to, which killed the worker (the fault suite's full run). A query on that client
  // rejects with the error; the pool drops the client when it is released.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

export async function withTransaction<T>(db: Db, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
