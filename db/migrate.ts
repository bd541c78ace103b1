/** Applies the versioned SQL migrations in db/migrations (node-pg-migrate; it takes a lock, so two starts are safe). */
import path from 'node:path';
import { runner } from 'node-pg-migrate';
import { projectRoot } from '../stack/paths.js';

export async function migrate(databaseUrl: string, log: (msg: string) => void = () => undefined): Promise<string[]> {
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
