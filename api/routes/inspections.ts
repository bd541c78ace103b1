/** Operator API for inspections: start one, list them, see proposals, and move one along (schedule, findings, conclude, close). */
import type { ApiScopeEnv } from '../api-scope.js';
import type { Context, Hono } from 'hono';
import type { Client } from '@temporalio/client';
import type { Db } from '../../db/pool.js';
import { inspectionProposals, listInspections } from '../../db/inspections.js';
import { ActionRefused } from '../../client/unit-actions.js';
import { actOnInspection, startInspection } from '../../client/inspection-actions.js';

const ACTIONS = ['schedule', 'findings', 'conclude', 'close'] as const;

export function registerInspectionRoutes(api: Hono<ApiScopeEnv>, deps: { db: Db; client: Client; taskQueue: string }): void {
  const refused = (c: Context, err: unknown) => {
    if (err instanceof ActionRefused) return c.json({ error: err.message }, err.httpStatus as 400);
    throw err;
  };
  const body = async (c: Context): Promise<Record<string, unknown> | undefined> => {
    try {
      return await c.req.json<Record<string, unknown>>();
    } catch {
      return undefined;
    }
  };

  api.get('/cycles/:cycle/inspections', async (c) => c.json(await listInspections(deps.db, c.req.param('cycle'), c.req.query('unit'))));
  api.get('/cycles/:cycle/inspection-proposals', async (c) => c.json(await inspectionProposals(deps.db, c.req.param('cycle'))));
  api.post('/cycles/:cycle/inspections', async (c) => {
    const input = await body(c);
    if (!input) return c.json({ error: 'body must be JSON' }, 400);
    try {
      return c.json(await startInspection(deps, c.req.param('cycle'), input));
    } catch (err) {
      return refused(c, err);
    }
  });
  // An inspection is named by its unit and "<kind>-<body>", e.g. /cycles/DUK-HT-2027/units/SO-TC/inspections/kiem-tra-ubkt/conclude.
  api.post('/cycles/:cycle/units/:unit/inspections/:name/:action', async (c) => {
    const action = c.req.param('action') as (typeof ACTIONS)[number];
    if (!ACTIONS.includes(action)) return c.json({ error: `unknown action; one of ${ACTIONS.join(', ')}` }, 404);
    const input = await body(c);
    if (!input) return c.json({ error: 'body must be JSON' }, 400);
    const id = `chuky/inspection/${c.req.param('cycle')}/${c.req.param('unit')}/${c.req.param('name')}`;
    try {
      return c.json(await actOnInspection(deps.client, id, action, input));
    } catch (err) {
      return refused(c, err);
    }
  });
}
