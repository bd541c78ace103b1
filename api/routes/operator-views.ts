/**
 * What the command line shows, over the operator API, for a committee's operator (issue 17): `chuky` run with a
 * committee's token (CHUKY_API_URL, CHUKY_COMMITTEE_TOKEN) reads and acts through these routes, never through the
 * database or Temporal, so the API's scope is its scope. Each answers the JSON the command prints with --json.
 *   GET  /cycles?summary=1                    `cycle list`: the caller's cycles, with units and overdue counts
 *   GET  /cycles/:cycle/export                `cycle export`: the year's data as the report compiler reads it
 *   GET  /cycles/:cycle/units/:unit           `unit show`: the live state, the record, the timeline
 *   POST /cycles/:cycle/close                 `cycle close`: { reason, actor?, despiteOpenChildren? }
 *   GET  /overdue?cycle=&phase=&level=        `overdue`: the caller's cycles' overdue obligations
 *   GET  /stalled?cycle=&kind=&minAttempts=   `stalled`: what is stuck in the caller's cycles
 * (`cycle status` is GET /cycles/:cycle/status, in api/server.ts.)
 */
import type { Client } from '@temporalio/client';
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { visibleCycles } from '../../db/committee-scope.js';
import { frozenDataset } from '../../db/frozen.js';
import type { Db } from '../../db/pool.js';
import { closeCycle, CycleCloseRefused } from '../../ops/close-cycle.js';
import { listCycles, listOverdue } from '../../ops/overview.js';
import { findStalls, StallScanError } from '../../ops/stalled.js';
import { STALL_KINDS, type Stall, type StallKind } from '../../ops/types.js';
import { unitShowView } from '../../ops/unit-view.js';
import type { ApiScopeEnv } from '../api-scope.js';

export interface OperatorViewDeps {
  db: Db;
  client: Client;
  namespace?: string | undefined;
  taskQueue?: string | undefined;
  temporalUiUrl?: string | undefined;
}

const CloseBody = z.strictObject({
  reason: z.string().trim().min(1, 'say why the cycle is closed'),
  actor: z.string().trim().min(1).max(200).optional(),
  despiteOpenChildren: z.boolean().optional(),
});

/** The query's whole number `name`: undefined when absent, the 400 that says so when it is not a whole number. */
function wholeNumberQuery(c: Context, name: string): number | undefined | Response {
  const v = c.req.query(name);
  if (v === undefined || v === '') return undefined;
  if (!/^\d+$/.test(v)) return c.json({ error: `${name} must be a whole number, not "${v}"` }, 400);
  return Number(v);
}

export function registerOperatorViewRoutes(api: Hono<ApiScopeEnv>, deps: OperatorViewDeps): void {
  const namespace = deps.namespace ?? 'default';

  api.get('/cycles/:cycle/export', async (c) => {
    const data = await frozenDataset(deps.db, c.req.param('cycle'));
    return data ? c.json(data) : c.json({ error: `no cycle ${c.req.param('cycle')}` }, 404);
  });

  api.get('/cycles/:cycle/units/:unit', async (c) =>
    c.json(await unitShowView(deps.client, deps.db, c.req.param('cycle'), c.req.param('unit'))),
  );

  api.post('/cycles/:cycle/close', async (c) => {
    const parsed = CloseBody.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success)
      return c.json({ error: parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ') }, 400);
    try {
      return c.json(
        await closeCycle(deps, {
          cycleId: c.req.param('cycle'),
          reason: parsed.data.reason.normalize('NFC'),
          actor: (parsed.data.actor ?? 'api').normalize('NFC'),
          role: 'api',
          ...(parsed.data.despiteOpenChildren ? { despiteOpenChildren: true } : {}),
        }),
      );
    } catch (err) {
      if (err instanceof CycleCloseRefused) return c.json({ error: err.message }, 409);
      throw err;
    }
  });

  api.get('/overdue', async (c) => {
    const minLevel = wholeNumberQuery(c, 'level');
    if (minLevel instanceof Response) return minLevel;
    const visible = await visibleCycles(deps.db, c.get('apiScope'));
    const cycleId = c.req.query('cycle') || undefined;
    if (cycleId && visible && !visible.has(cycleId)) return c.json({ error: `no cycle ${cycleId}` }, 404);
    const rows = await listOverdue(deps.db, {
      ...(cycleId ? { cycleId } : {}),
      ...(c.req.query('phase') ? { phase: c.req.query('phase')! } : {}),
      ...(minLevel !== undefined ? { minLevel } : {}),
      namespace,
      ...(deps.temporalUiUrl ? { temporalUiUrl: deps.temporalUiUrl } : {}),
    });
    return c.json(visible ? rows.filter((r) => visible.has(r.cycleId)) : rows);
  });

  api.get('/stalled', async (c) => {
    const minAttempts = wholeNumberQuery(c, 'minAttempts');
    if (minAttempts instanceof Response) return minAttempts;
    const kinds = c.req.queries('kind') ?? [];
    const unknown = kinds.filter((k) => !(STALL_KINDS as readonly string[]).includes(k));
    if (unknown.length) return c.json({ error: `unknown kind ${unknown.join(', ')}; one of ${STALL_KINDS.join(', ')}` }, 400);
    const visible = await visibleCycles(deps.db, c.get('apiScope'));
    const cycleId = c.req.query('cycle') || undefined;
    if (cycleId && visible && !visible.has(cycleId)) return c.json({ error: `no cycle ${cycleId}` }, 404);
    let stalls: Stall[];
    let error: string | undefined;
    try {
      stalls = await findStalls(
        {
          db: deps.db,
          client: deps.client,
          namespace,
          taskQueue: deps.taskQueue ?? 'chuky',
          ...(deps.temporalUiUrl ? { temporalUiUrl: deps.temporalUiUrl } : {}),
        },
        {
          ...(cycleId ? { cycleId } : {}),
          ...(minAttempts !== undefined ? { minAttempts } : {}),
          ...(kinds.length ? { kinds: kinds as StallKind[] } : {}),
        },
      );
    } catch (err) {
      if (!(err instanceof StallScanError)) throw err;
      stalls = err.stalls;
      error = err.message;
    }
    // A committee sees the stalls of its own cycles only (a missing worker is the deployment's, not a cycle's).
    if (visible) stalls = stalls.filter((s) => s.cycleId !== undefined && visible.has(s.cycleId));
    return c.json({ stalls, ...(error ? { error } : {}) });
  });

  /** `cycle list`'s rows; without ?summary the list keeps its older shape (api/server.ts). */
  api.get('/cycles', async (c, next) => {
    if (!c.req.query('summary')) return next();
    const visible = await visibleCycles(deps.db, c.get('apiScope'));
    const cycles = await listCycles(deps.db, deps.temporalUiUrl, namespace);
    return c.json(visible ? cycles.filter((cy) => visible.has(cy.cycleId)) : cycles);
  });
}
