/**
 * The HTTP API and pages: the unit's form behind a signed link, and the operator's JSON endpoints (bearer token).
 */
import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { serve, type ServerType } from '@hono/node-server';
import type { Client } from '@temporalio/client';
import type { Db } from '../db/pool.js';
import { getCycle, getUnit, listCycles } from '../db/cycles.js';
import { cycleStatus, unitEvents } from '../db/records.js';
import { acknowledgePlanSchema, describeIssues } from '../domain/submissions.js';
import { LinkError, verifyLink, type LinkScope } from './links.js';
import { ActionRefused, acknowledgePlan, exempt, extendDeadline, unitView } from './actions.js';
import { ackForm, messagePage, type FormContext } from './pages.js';

export interface ApiDeps {
  db: Db;
  client: Client;
  signingSecret: string;
  apiToken?: string | undefined;
}

function fieldErrors(issues: { path: PropertyKey[]; message: string }[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of issues) {
    const field = String(i.path[0] ?? 'form');
    out[field] ??= i.message;
  }
  return out;
}

export function createApp(deps: ApiDeps): Hono {
  const app = new Hono();

  app.get('/healthz', (c) => c.json({ ok: true }));

  async function formContext(scope: LinkScope, extra: Partial<FormContext> = {}): Promise<FormContext | undefined> {
    const cycle = await getCycle(deps.db, scope.cycleId);
    const unit = cycle && (await getUnit(deps.db, scope.cycleId, scope.unitCode));
    const phase = cycle?.definition.phases.find((p) => p.id === scope.phase);
    if (!cycle || !unit || !phase) return undefined;
    const view = await unitView(deps.client, scope.cycleId, scope.unitCode);
    const obligation = view?.obligations.find((o) => o.phase === scope.phase);
    return {
      committeeName: cycle.definition.committee.name,
      standingBodyName: cycle.definition.committee.standingBody.name,
      planNumber: cycle.definition.plan.number,
      unitName: unit.name,
      phaseTitle: phase.title,
      deadline: obligation?.deadline ?? phase.deadline,
      status: obligation?.status ?? 'unknown',
      versions: obligation?.versions ?? 0,
      requestId: randomUUID(),
      values: {},
      errors: {},
      ...extra,
    };
  }

  async function scopeOf(c: Context): Promise<LinkScope | Response> {
    try {
      return await verifyLink(c.req.param('token') ?? '', deps.signingSecret);
    } catch (err) {
      const text = err instanceof LinkError ? err.message : 'Đường dẫn không hợp lệ.';
      return c.html(messagePage('Không mở được biểu mẫu', text), 403);
    }
  }

  app.get('/f/:token', async (c) => {
    const scope = await scopeOf(c);
    if (scope instanceof Response) return scope;
    const ctx = await formContext(scope);
    if (!ctx) return c.html(messagePage('Không tìm thấy', 'Không tìm thấy đơn vị hoặc chu kỳ của đường dẫn này.'), 404);
    return c.html(ackForm(ctx));
  });

  app.post('/f/:token', async (c) => {
    const scope = await scopeOf(c);
    if (scope instanceof Response) return scope;
    const form = await c.req.parseBody();
    const text = (k: string): string | undefined => {
      const v = form[k];
      return typeof v === 'string' && v.trim() !== '' ? v : undefined;
    };
    const values = { confirmedBy: text('confirmedBy') ?? '', unitPlanNumber: text('unitPlanNumber') ?? '', note: text('note') ?? '' };
    // The unit and phase come from the signed link only; nothing in the form can point elsewhere.
    const input = {
      phase: scope.phase,
      actor: { id: `unit:${scope.unitCode}`, via: 'web' as const },
      confirmedBy: text('confirmedBy') ?? '',
      ...(text('unitPlanNumber') ? { unitPlanNumber: text('unitPlanNumber') } : {}),
      ...(text('note') ? { note: text('note') } : {}),
      requestId: text('requestId') ?? randomUUID(),
    };
    const parsed = acknowledgePlanSchema.safeParse(input);
    if (!parsed.success) {
      const ctx = await formContext(scope, { values, errors: fieldErrors(parsed.error.issues), notice: { kind: 'bad', text: 'Chưa nộp được: ' + describeIssues(parsed.error) } });
      if (!ctx) return c.html(messagePage('Không tìm thấy', 'Không tìm thấy đơn vị hoặc chu kỳ.'), 404);
      return c.html(ackForm(ctx), 400);
    }
    try {
      const receipt = await acknowledgePlan(deps.client, scope.cycleId, scope.unitCode, parsed.data);
      const ctx = await formContext(scope, {
        values,
        notice: { kind: 'ok', text: `Đã nhận (lần ${receipt.version}${receipt.late ? ', nộp chậm' : ', đúng hạn'}). Thư xác nhận sẽ được gửi tới email của đơn vị.` },
      });
      return c.html(ackForm(ctx!));
    } catch (err) {
      if (!(err instanceof ActionRefused)) throw err;
      const ctx = await formContext(scope, { values, notice: { kind: 'bad', text: `Chưa nộp được: ${err.message}` } });
      return c.html(ctx ? ackForm(ctx) : messagePage('Chưa nộp được', err.message), err.httpStatus as 400);
    }
  });

  // Operator API: JSON, behind a bearer token when one is configured.
  const api = new Hono();
  api.use('*', async (c, next) => {
    if (deps.apiToken && c.req.header('authorization') !== `Bearer ${deps.apiToken}`) {
      return c.json({ error: 'unauthorized: send Authorization: Bearer <CHUKY_API_TOKEN>' }, 401);
    }
    await next();
  });
  api.get('/cycles', async (c) => c.json((await listCycles(deps.db)).map(({ definition, ...rest }) => ({ ...rest, committee: definition.committee.name }))));
  api.get('/cycles/:cycle/status', async (c) => {
    const cycle = await getCycle(deps.db, c.req.param('cycle'));
    if (!cycle) return c.json({ error: `no cycle ${c.req.param('cycle')}` }, 404);
    return c.json({ cycle: cycle.id, status: cycle.status, units: await cycleStatus(deps.db, cycle.id) });
  });
  api.get('/cycles/:cycle/units/:unit/events', async (c) => c.json(await unitEvents(deps.db, c.req.param('cycle'), c.req.param('unit'))));
  const act = (fn: typeof acknowledgePlan | typeof extendDeadline | typeof exempt) => async (c: Context) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: 'body must be JSON' }, 400);
    }
    try {
      return c.json(await fn(deps.client, c.req.param('cycle') ?? '', c.req.param('unit') ?? '', body));
    } catch (err) {
      if (err instanceof ActionRefused) return c.json({ error: err.message }, err.httpStatus as 400);
      throw err;
    }
  };
  api.post('/cycles/:cycle/units/:unit/acknowledge', act(acknowledgePlan));
  api.post('/cycles/:cycle/units/:unit/extend', act(extendDeadline));
  api.post('/cycles/:cycle/units/:unit/exempt', act(exempt));
  app.route('/api/v1', api);

  app.onError((err, c) => {
    console.error(err);
    return c.json({ error: 'internal error' }, 500);
  });
  return app;
}

export function startApi(deps: ApiDeps, port: number, hostname = '127.0.0.1'): Promise<{ server: ServerType; url: string; close(): Promise<void> }> {
  const app = createApp(deps);
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port, hostname }, (info) => {
      resolve({
        server,
        url: `http://${hostname}:${info.port}`,
        close: () => new Promise<void>((r) => server.close(() => r())),
      });
    });
  });
}
