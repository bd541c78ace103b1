/**
 * The repairs over the operator API, for `chuky extend|exempt|remind|record|retry|reset|cancel` run with a
 * committee's token (issue 17), as the console offers them to a committee's users:
 *   POST /repairs/:action   { cycleId?, unitCode?, phase?, workflowId?, until?, payload?, note?, force?,
 *                             reason, actor?, requestId?, all?: { phase?, status?, minLevel?, unitCodes? }, dryRun? }
 * One unit or workflow: the repair's result (ok or not, with its audit row). `all`: the units of `cycleId` the
 * filter selects, each repaired (or, with dryRun, listed with their obligations and nothing done). The request is
 * refused, before anything runs and with no audit row, unless every cycle it names — its cycleId and its
 * workflowId's — is the caller's own committee's (404 for one it cannot see, 403 for one under it: read only).
 */
import type { Hono } from 'hono';
import { z } from 'zod';
import { requestIdSchema } from '../../domain/submissions.js';
import { OBLIGATION_STATUSES } from '../../domain/obligation.js';
import { bulkRepair, previewUnits, runRepair } from '../../ops/repairs.js';
import { accessToEveryCycle, cyclesOfRequest } from '../../ops/repair-scope.js';
import { REPAIR_ACTIONS, type OpsDeps, type RepairAction, type RepairRequest, type UnitFilter } from '../../ops/types.js';
import { readOnly, type ApiScopeEnv } from '../api-scope.js';

const text = (max: number) => z.string().trim().min(1).max(max);

const RepairBody = z.strictObject({
  cycleId: text(100).optional(),
  unitCode: text(100).optional(),
  phase: text(100).optional(),
  workflowId: text(300).optional(),
  until: text(10).optional(),
  payload: z.unknown().optional(),
  note: text(2000).optional(),
  force: z.boolean().optional(),
  reason: z.string().trim().max(1000).optional(),
  actor: text(200).optional(),
  requestId: requestIdSchema.optional(),
  all: z
    .strictObject({
      phase: text(100).optional(),
      status: z.array(z.enum(OBLIGATION_STATUSES)).optional(),
      minLevel: z.number().int().min(0).max(3).optional(),
      unitCodes: z.array(text(100)).optional(),
    })
    .optional(),
  dryRun: z.boolean().optional(),
});

export function registerRepairRoutes(api: Hono<ApiScopeEnv>, deps: OpsDeps): void {
  api.post('/repairs/:action', async (c) => {
    const action = c.req.param('action') as RepairAction;
    if (!(REPAIR_ACTIONS as readonly string[]).includes(action))
      return c.json({ error: `unknown repair; one of ${REPAIR_ACTIONS.join(', ')}` }, 404);
    const parsed = RepairBody.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success)
      return c.json({ error: parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ') }, 400);
    const { all, dryRun, actor, ...b } = parsed.data;
    if (!dryRun && (b.reason ?? '').length < 3)
      return c.json({ error: 'reason: say why (at least 3 characters): it is written to the audit log; nothing was done' }, 400);
    // Every cycle it names must be the caller's; the answer names the first that is not, as "no cycle".
    const named = cyclesOfRequest(b);
    if (!named.length) return c.json({ error: 'name the cycle (cycleId) or the workflow (workflowId)' }, 400);
    const scoped = await accessToEveryCycle(deps.db, c.get('apiScope'), named);
    if (scoped.access === 'unseen') return c.json({ error: `no cycle ${scoped.cycleId ?? b.workflowId ?? ''}` }, 404);
    if (scoped.access === 'read-only') return c.json({ error: readOnly(scoped.cycleId ?? '') }, 403);
    const request: Omit<RepairRequest, 'unitCode'> & { unitCode?: string } = {
      ...b,
      action,
      reason: (b.reason ?? '').normalize('NFC'),
      actor: { id: (actor ?? 'api').normalize('NFC'), role: 'api' },
      ...(b.note ? { note: b.note.normalize('NFC') } : {}),
    };
    if (all) {
      if (!b.cycleId) return c.json({ error: 'all: name the cycle (cycleId) whose units it selects' }, 400);
      if (b.unitCode || b.workflowId) return c.json({ error: 'use either all (with a filter) or unitCode/workflowId, not both' }, 400);
      const filter: UnitFilter = { cycleId: b.cycleId, ...all, ...(b.phase ? { phase: b.phase } : {}) };
      if (dryRun) return c.json({ dryRun: true, action, filter, units: await previewUnits(deps.db, filter) });
      return c.json({ results: await bulkRepair(deps, filter, request) });
    }
    if (!b.unitCode && !b.workflowId)
      return c.json({ error: 'name the unit (unitCode) or the workflow (workflowId), or select units with all' }, 400);
    return c.json(await runRepair(deps, request));
  });
}
