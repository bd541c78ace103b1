/**
 * A unit's signed links and its removal, over the operator API, for `chuky link …` and `chuky units remove` run
 * with a committee's token (issue 17); the cycle is checked against the token's scope by cycleInScope first.
 *   POST /cycles/:cycle/units/:unit/links/revoke   { reason, actor? }       every link issued so far is refused
 *   POST /cycles/:cycle/units/:unit/links/issue    { phase, days? }         a fresh link, to send by hand
 *   POST /cycles/:cycle/units/:unit/remove         { reason, actor?, requestId? }   the unit leaves the cycle
 */
import type { Client } from '@temporalio/client';
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { requestIdSchema } from '../../domain/submissions.js';
import { revokeLinks, RevocationError } from '../../db/links.js';
import type { Db } from '../../db/pool.js';
import { issueLink, LinkIssueRefused } from '../../ops/link-issue.js';
import { RegistryError, removeUnits } from '../../registry/apply.js';
import type { ApiScopeEnv } from '../api-scope.js';

const Revoke = z.strictObject({ reason: z.string(), actor: z.string().trim().min(1).max(200).optional() });
const Issue = z.strictObject({ phase: z.string().trim().min(1).max(100), days: z.number().optional() });
const Remove = z.strictObject({
  reason: z.string(),
  actor: z.string().trim().min(1).max(200).optional(),
  requestId: requestIdSchema.optional(),
});

async function body<T>(c: Context, schema: z.ZodType<T>): Promise<{ ok: true; data: T } | { ok: false; res: Response }> {
  const parsed = schema.safeParse(await c.req.json().catch(() => undefined));
  if (parsed.success) return { ok: true, data: parsed.data };
  return {
    ok: false,
    res: c.json({ error: parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ') }, 400),
  };
}

const actorName = (a: string | undefined) => (a ?? 'api').normalize('NFC');

export function registerLinkRoutes(
  api: Hono<ApiScopeEnv>,
  deps: { db: Db; client: Client; signingSecret: string; publicBaseUrl?: string | undefined },
): void {
  const unitOf = (c: Context) => ({ cycleId: c.req.param('cycle') ?? '', unitCode: c.req.param('unit') ?? '' });

  api.post('/cycles/:cycle/units/:unit/links/revoke', async (c) => {
    const b = await body(c, Revoke);
    if (!b.ok) return b.res;
    try {
      return c.json(await revokeLinks(deps.db, { ...unitOf(c), reason: b.data.reason, actor: `operator:${actorName(b.data.actor)}` }));
    } catch (err) {
      if (err instanceof RevocationError) return c.json({ error: err.message }, err.httpStatus as 400);
      throw err;
    }
  });

  api.post('/cycles/:cycle/units/:unit/links/issue', async (c) => {
    const b = await body(c, Issue);
    if (!b.ok) return b.res;
    if (!deps.publicBaseUrl) return c.json({ error: 'this deployment has no PUBLIC_BASE_URL: its links could not be opened' }, 409);
    try {
      return c.json(
        await issueLink(
          deps.db,
          { signingSecret: deps.signingSecret, publicBaseUrl: deps.publicBaseUrl },
          { ...unitOf(c), phase: b.data.phase, days: b.data.days ?? 30 },
        ),
      );
    } catch (err) {
      if (err instanceof LinkIssueRefused) return c.json({ error: err.message }, 400);
      throw err;
    }
  });

  api.post('/cycles/:cycle/units/:unit/remove', async (c) => {
    const b = await body(c, Remove);
    if (!b.ok) return b.res;
    const { cycleId, unitCode } = unitOf(c);
    try {
      const [removed] = await removeUnits(deps, {
        cycleId,
        units: [unitCode],
        reason: b.data.reason,
        actor: { id: `operator:${actorName(b.data.actor)}`, via: 'api' },
        ...(b.data.requestId ? { requestId: b.data.requestId } : {}),
      });
      return c.json({ cycleId, ...removed });
    } catch (err) {
      if (err instanceof RegistryError) return c.json({ error: err.message }, err.httpStatus);
      throw err;
    }
  });
}
