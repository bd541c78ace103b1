/**
 * The pool survives PostgreSQL ending a connection that is checked out and idle, as a database restart does to
 * the email activity's client while it talks to the SMTP server: no crash, the client's next query fails, and the
 * pool serves the next caller from a new connection.
 */
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createPool } from '../../db/pool.js';

describe('database pool', () => {
  const url = inject('services').databaseUrl;
  const pools = [createPool(url, 2), createPool(url, 1)];
  const [db, admin] = pools as [ReturnType<typeof createPool>, ReturnType<typeof createPool>];

  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
  });

  it('a checked-out client whose connection the server ends does not crash the process', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => uncaught.push(err);
    process.on('uncaughtException', onUncaught);
    try {
      const held = await db.connect();
      const { rows } = await held.query('SELECT pg_backend_pid() AS pid');
      // As a restart does: the server sends FATAL 57P01 to a client that has no query in flight.
      const ended = await admin.query('SELECT pg_terminate_backend($1) AS ok', [rows[0].pid]);
      expect(ended.rows[0].ok).toBe(true);
      await new Promise((r) => setTimeout(r, 500));
      await expect(held.query('SELECT 1')).rejects.toThrow();
      held.release();
      const next = await db.query('SELECT 1 AS one');
      expect(next.rows[0].one).toBe(1);
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });
});
