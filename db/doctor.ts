/**
 * What `chuky doctor` asks PostgreSQL (ops/doctor.ts): whether it answers, its version, and which migrations it
 * has applied. These take a client of the doctor's own (with its connect and statement timeouts), not the pool.
 */
import type pg from 'pg';

/** A round trip that proves the server answers, and its version. */
export async function serverVersion(client: pg.ClientBase): Promise<{ answered: boolean; version: string }> {
  const { rows } = await client.query('SELECT 1 AS one, current_setting($1) AS version', ['server_version']);
  return { answered: rows[0].one === 1, version: rows[0].version as string };
}

/** The names node-pg-migrate recorded as applied; undefined when its table does not exist (nothing applied). */
export async function appliedMigrations(client: pg.ClientBase): Promise<Set<string> | undefined> {
  const table = await client.query("SELECT to_regclass('pgmigrations') IS NOT NULL AS present");
  if (!table.rows[0].present) return undefined;
  return new Set((await client.query('SELECT name FROM pgmigrations')).rows.map((r) => r.name as string));
}
