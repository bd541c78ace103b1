/** Applies the versioned SQL migrations in db/migrations (node-pg-migrate; it takes a lock, so two starts are safe). */
import path from 'node:path';
import { runner } from 'node-pg-migrate';
import { projectRoot } from '../config/paths.js';

export async function migrate(databaseUrl: string, log: (msg: string) => void = () => undefined): Promise<string[]> {
  // node-pg-migrate refuses at once when another process holds its lock ("Another migration is already
  // running"): two `chuky` commands started together would see one fail. Wait for the other one instead.
  for (let attempt = 1; ; attempt++) {
    try {
      return await migrateOnce(databaseUrl, log);
    } catch (err) {
      if (!/Another migration is already running/.test(String(err)) || attempt >= 60) throw err;
      await new Promise((r) => setTimeout(r, 250 + Math.random() * 250));
    }
  }
}

async function migrateOnce(databaseUrl: string, log: (msg: string) => void): Promise<string[]> {
  const applied = await runner({
    databaseUrl,
    dir: path.join(projectRoot(), 'db', 'migrations'),
    direction: 'up',
    migrationsTable: 'pgmigrations',
    count: Infinity,
    log,
    verbose: false,
  });
  return applied.map((m) => m.name);
}
