/**
 * The unit registry of a running cycle over the operator API (mounted under /api/v1, behind its bearer token):
 *   GET  /cycles/:cycle/units                 every unit, active or removed, with when it joined and left
 *   POST /cycles/:cycle/units/import          body: the units CSV (text/csv, UTF-8, `,` or `;`); query:
 *        dryRun=1                             only report the changes
 *        removeMissing=1&reason=…             remove the registered units not in the file, with this reason
 *        actor=…                              who imports, for the record (default "api")
 *        file=…                               the file's name in error messages (default units.csv)
 * The answer is the same JSON as `chuky units import --json`. A bad file is 400 with { error, issues }, each
 * issue naming file, line and field, and nothing is applied.
 */
import type { ApiScopeEnv } from '../api-scope.js';
import type { Client } from '@temporalio/client';
import type { Context, Hono } from 'hono';
import { isConfigError } from '../../config/errors.js';
import { loadEnv } from '../../config/env.js';
import { getCycle } from '../../db/cycles.js';
import type { Db } from '../../db/pool.js';
import { listRegisteredUnits } from '../../db/units.js';
import { importUnits, RegistryError } from '../../registry/apply.js';

const MAX_CSV_BYTES = 10 * 1024 * 1024;

export interface UnitRouteDeps {
  db: Db;
  client: Client;
  /** The workers' task queue; CHUKY_TASK_QUEUE (default "chuky") when not given. */
  taskQueue?: string | undefined;
  searchAttributes?: boolean | undefined;
}

const yes = (v: string | undefined): boolean => v !== undefined && /^(1|true|yes|on)$/i.test(v);

export function registerUnitRoutes(api: Hono<ApiScopeEnv>, deps: UnitRouteDeps): void {
  api.get('/cycles/:cycle/units', async (c) => {
    const cycleId = c.req.param('cycle');
    if (!(await getCycle(deps.db, cycleId))) return c.json({ error: `no cycle "${cycleId}"` }, 404);
    return c.json({ cycleId, units: await listRegisteredUnits(deps.db, cycleId) });
  });

  api.post('/cycles/:cycle/units/import', async (c: Context) => {
    const cycleId = c.req.param('cycle') ?? '';
    const length = Number(c.req.header('content-length') ?? '0');
    if (length > MAX_CSV_BYTES) return c.json({ error: `the file is too large (over ${MAX_CSV_BYTES} bytes)` }, 413);
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    if (bytes.byteLength > MAX_CSV_BYTES) return c.json({ error: `the file is too large (over ${MAX_CSV_BYTES} bytes)` }, 413);
    const file = c.req.query('file') ?? 'units.csv';
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      const issues = [{ file, field: '(file)', message: 'the file is not UTF-8 text; save it as UTF-8 (in Excel: "CSV UTF-8")' }];
      return c.json({ error: `${file}: (file): ${issues[0]!.message}`, issues }, 400);
    }
    const actorName = (c.req.query('actor') ?? 'api').normalize('NFC').trim() || 'api';
    const actor = { id: actorName.includes(':') ? actorName : `operator:${actorName}`, via: 'api' as const };
    const removeMissing = yes(c.req.query('removeMissing'));
    const reason = c.req.query('reason');
    if (removeMissing && !reason)
      return c.json({ error: 'removeMissing needs a reason: add &reason=… (why these units leave the cycle)' }, 400);
    try {
      const result = await importUnits(
        {
          db: deps.db,
          client: deps.client,
          taskQueue: deps.taskQueue ?? loadEnv().taskQueue,
          searchAttributes: deps.searchAttributes ?? true,
        },
        {
          cycleId,
          file,
          text,
          dryRun: yes(c.req.query('dryRun')),
          actor,
          ...(removeMissing && reason ? { removeMissing: { reason, actor } } : {}),
        },
      );
      return c.json(result);
    } catch (err) {
      if (isConfigError(err)) return c.json({ error: err.message, issues: err.issues }, 400);
      if (err instanceof RegistryError) return c.json({ error: err.message }, err.httpStatus);
      throw err;
    }
  });
}
