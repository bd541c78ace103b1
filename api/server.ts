/**
 * The HTTP API and pages: the unit's form behind a signed link, and the operator's JSON endpoints (bearer token).
 */
import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { serve, type ServerType } from '@hono/node-server';
import type { Client } from '@temporalio/client';
import type { Db } from '../db/pool.js';
import { listCycles } from '../db/cycles.js';
import { unitEvents } from '../db/records.js';
import { cycleStatusView } from '../ops/cycle-view.js';
import { LinkError, checkLink, type LinkScope } from '../auth/links.js';
import { isRevoked } from '../db/links.js';
import { registerRecordRoutes } from './routes/records.js';
import { registerUnitRoutes } from './routes/units.js';
import { ActionRefused, acknowledgePlan, exempt, extendDeadline, submit } from '../client/unit-actions.js';
import { messagePage } from './pages.js';
import { registerUnitFormRoutes } from './routes/unit-forms.js';
import { registerInspectionRoutes } from './routes/inspections.js';
import { registerOperatorViewRoutes } from './routes/operator-views.js';
import { registerLinkRoutes } from './routes/links.js';
import { registerRepairRoutes } from './routes/repairs.js';
import { registerReportRoutes } from './routes/reports.js';
import { recordAudit } from '../ops/audit.js';
import type { EmailDeps } from '../activities/email.js';
import { createConsole } from '../console/app.js';
import type { ConsoleOptions } from '../console/context.js';
import { securityHeaders } from './security-headers.js';
import { apiAuth, cycleInScope, type ApiScopeEnv } from './api-scope.js';
import { sees } from '../db/committee-scope.js';
import { busyResponse, isEngineBusy } from './busy.js';
import { addressGuard, apiBodyGuard, formBodyGuard } from './body.js';
import { hostGuard, jsonWrites, sameOriginWrites } from './request-guards.js';
import { FormThrottle, formThrottle, DEFAULT_FORM_THROTTLE, type FormThrottlePolicy } from './form-throttle.js';

export interface ApiDeps {
  db: Db;
  client: Client;
  signingSecret: string;
  apiToken?: string | undefined;
  /** For starting the workflows of units imported through the API; CHUKY_TASK_QUEUE when absent. */
  taskQueue?: string | undefined;
  searchAttributes?: boolean | undefined;
  /** The Temporal namespace (default 'default'), for the console's links and repairs. */
  namespace?: string | undefined;
  /** Temporal's Web UI, for the console's links to each workflow's page (no links when unknown). */
  temporalUiUrl?: string | undefined;
  /** PUBLIC_BASE_URL: the console accepts POSTs from its origin and marks its cookie Secure when it is https. */
  publicBaseUrl?: string | undefined;
  /** The worker's mailer and settings, for the console's "remind" repair. */
  mail?: Omit<EmailDeps, 'db'> | undefined;
  /** Session, lock-out and live-update settings of the console (defaults in console/). */
  console?: ConsoleOptions | undefined;
  /** Without `apiToken`, refuse every /api/v1 request (503) instead of serving it unauthenticated (production). */
  requireApiToken?: boolean | undefined;
  /** The limit on the units' form posts (CHUKY_FORM_POSTS_*); defaults in api/form-throttle.ts. */
  formThrottle?: Partial<FormThrottlePolicy> | undefined;
}

export function createApp(deps: ApiDeps): Hono {
  return buildApp(deps).app;
}

function buildApp(deps: ApiDeps): { app: Hono; stop: () => void } {
  const app = new Hono();
  // Headers on every response (forms, API, console, refusals, errors); the console adds its own stricter ones.
  app.use('*', securityHeaders({ publicBaseUrl: deps.publicBaseUrl }));

  app.get('/healthz', (c) => c.json({ ok: true }));
  // Every other request names this server in its Host (api/request-guards.ts): a DNS-rebinding page is refused.
  // /healthz answers any Host, for probes that address the container by its IP; it tells nothing.
  app.use('*', hostGuard({ publicBaseUrl: deps.publicBaseUrl }));
  // Bad input at the doors (api/body.ts): addresses and bodies that are too large, not UTF-8 or hold a NUL.
  app.use('*', addressGuard());

  /** The link's scope, or the page refusing it; `revoked` asks the database its own way (a form post: one query). */
  async function scopeOf(
    c: Context,
    revoked: (scope: LinkScope, issuedAtMs: number) => Promise<boolean> = (scope, issuedAtMs) => isRevoked(deps.db, scope, issuedAtMs),
  ): Promise<LinkScope | Response> {
    try {
      return await checkLink(c.req.param('token') ?? '', deps.signingSecret, revoked);
    } catch (err) {
      if (!(err instanceof LinkError)) throw err; // the database is down: a server error, not a bad link
      const text = err instanceof LinkError ? err.message : 'Đường dẫn không hợp lệ.';
      return c.html(messagePage('Không mở được biểu mẫu', text), 403);
    }
  }

  // A form post from another site's page is refused before it counts against the link's posts.
  app.post('/f/:token', sameOriginWrites({ publicBaseUrl: deps.publicBaseUrl, nullOrigin: 'as-absent' }));
  // Form posts are counted per link and per address, in PostgreSQL (shared by every API process), before the
  // link is even checked.
  app.post(
    '/f/:token',
    formThrottle(new FormThrottle(deps.db, { ...DEFAULT_FORM_THROTTLE, ...deps.formThrottle }), { trustProxy: deps.console?.trustProxy }),
  );
  app.post('/f/:token', formBodyGuard());
  registerUnitFormRoutes(app, { db: deps.db, client: deps.client, scopeOf });

  // The web console (console/): its own sign-in, roles, CSRF and security headers; denies what it does not declare.
  // Its routes are absolute (/console/…), so it is mounted at the root.
  const consoleApp = createConsole({
    db: deps.db,
    client: deps.client,
    namespace: deps.namespace ?? 'default',
    taskQueue: deps.taskQueue ?? 'chuky',
    temporalUiUrl: deps.temporalUiUrl,
    publicBaseUrl: deps.publicBaseUrl,
    mail: deps.mail,
    options: deps.console,
  });
  app.post('/console/*', formBodyGuard());
  app.route('/', consoleApp.app);

  // Operator API: JSON, behind a bearer token when one is configured.
  const api = new Hono<ApiScopeEnv>();
  // Writes from another site's page are refused whatever they carry (api/request-guards.ts).
  api.use('*', sameOriginWrites({ publicBaseUrl: deps.publicBaseUrl, nullOrigin: 'refuse' }));
  // The deployment's token opens everything, a committee's token its committee (api/api-scope.ts).
  api.use('*', apiAuth({ db: deps.db, deploymentToken: deps.apiToken, requireToken: deps.requireApiToken === true }));
  api.use('/cycles/:cycle', cycleInScope(deps.db));
  api.use('/cycles/:cycle/*', cycleInScope(deps.db));
  // Writes are JSON (a units import: CSV), else 415: no body a page could send without a CORS preflight.
  api.use('*', jsonWrites());
  api.use('*', apiBodyGuard());
  // What the command line shows, for a committee's operator (api/routes/operator-views.ts, reports.ts); first, as
  // `GET /cycles?summary=1` is answered there.
  registerOperatorViewRoutes(api, deps);
  registerReportRoutes(api, deps);
  registerLinkRoutes(api, deps);
  registerRepairRoutes(api, {
    db: deps.db,
    client: deps.client,
    namespace: deps.namespace ?? 'default',
    taskQueue: deps.taskQueue ?? 'chuky',
    ...(deps.temporalUiUrl ? { temporalUiUrl: deps.temporalUiUrl } : {}),
    ...(deps.mail ? { mail: deps.mail } : {}),
  });
  api.get('/cycles', async (c) => {
    const scope = c.get('apiScope');
    return c.json(
      (await listCycles(deps.db))
        .filter((cy) => sees(scope, cy.committeeCode))
        .map(({ definition, ...rest }) => ({ ...rest, committee: definition.committee.name })),
    );
  });
  // `cycle status`'s view (ops/cycle-view.ts); `cycle` kept for the callers of its first shape.
  api.get('/cycles/:cycle/status', async (c) => {
    const view = await cycleStatusView(deps.db, c.req.param('cycle'));
    if (!view) return c.json({ error: `no cycle ${c.req.param('cycle')}` }, 404);
    return c.json({ cycle: view.cycleId, ...view });
  });
  api.get('/cycles/:cycle/units/:unit/events', async (c) => c.json(await unitEvents(deps.db, c.req.param('cycle'), c.req.param('unit'))));
  const act = (fn: typeof acknowledgePlan | typeof submit | typeof extendDeadline | typeof exempt) => async (c: Context) => {
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
  api.post('/cycles/:cycle/units/:unit/submit', act(submit));
  // Extensions and exemptions are repairs: like the CLI and the console, the API leaves an audit row (who, why,
  // outcome) for each, refusals included. The update itself is unchanged.
  // An Update Temporal did not confirm (busy) is recorded too, as 'failed' with what to do, then answered 503 by
  // onError: the operator sees the attempt, as the CLI's and console's repairs show theirs (ops/repairs.ts). Its
  // request id goes into details, not the request_id column: the log keeps the first row per id (ON CONFLICT DO
  // NOTHING), and the same request sent again, when it is applied, must leave its own 'ok' row.
  const audited = (action: 'extend' | 'exempt', fn: typeof extendDeadline | typeof exempt) => async (c: Context) => {
    let response: Response | undefined;
    let busy: unknown;
    try {
      response = await act(fn)(c);
    } catch (err) {
      if (!isEngineBusy(err)) throw err;
      busy = err;
    }
    const json: unknown = await c.req.json().catch(() => ({}));
    // Any JSON value may come in (null, a list, a number): only an object's fields are read.
    const body = (typeof json === 'object' && json !== null ? json : {}) as {
      phase?: unknown;
      reason?: unknown;
      actor?: { id?: unknown };
      requestId?: unknown;
      newDeadline?: unknown;
    };
    const reason = typeof body.reason === 'string' && body.reason.trim() ? body.reason : '(không ghi lý do)';
    // What every row of this request says, whatever its outcome.
    const row = {
      actor: typeof body.actor?.id === 'string' && body.actor.id.trim() ? body.actor.id : 'api',
      role: 'api',
      action,
      cycleId: c.req.param('cycle') ?? null,
      unitCode: c.req.param('unit') ?? null,
      phase: typeof body.phase === 'string' ? body.phase : null,
      workflowId: null,
      reason,
    } as const;
    const details = { via: 'api', ...(typeof body.newDeadline === 'string' ? { until: body.newDeadline } : {}) };
    if (response === undefined) {
      await recordAudit(deps.db, {
        ...row,
        details: { ...details, engineBusy: { requestId: typeof body.requestId === 'string' ? body.requestId : null } },
        outcome: 'failed',
        message:
          'busy, not confirmed: Temporal did not answer in time; not applied unless the unit’s record shows it — retry with the same requestId (applied once)',
        requestId: null,
      }).catch((e: unknown) => console.error('[api] audit of a busy request not written:', e));
      throw busy;
    }
    const ok = response.status < 300;
    await recordAudit(deps.db, {
      ...row,
      details,
      outcome: ok ? 'ok' : 'refused',
      message: ok
        ? null
        : ((
            (await response
              .clone()
              .json()
              .catch(() => ({}))) as { error?: string }
          ).error ?? `HTTP ${response.status}`),
      requestId: typeof body.requestId === 'string' ? `api/${action}/${body.requestId}` : null,
    });
    return response;
  };
  api.post('/cycles/:cycle/units/:unit/extend', audited('extend', extendDeadline));
  api.post('/cycles/:cycle/units/:unit/exempt', audited('exempt', exempt));
  registerInspectionRoutes(api, { db: deps.db, client: deps.client, taskQueue: deps.taskQueue ?? 'chuky' });
  registerUnitRoutes(api, deps);
  registerRecordRoutes(api, { db: deps.db });
  app.route('/api/v1', api);

  app.onError((err, c) => {
    // A refusal thrown by hono's middleware (hono/bearer-auth's 401) is its answer, not a server error.
    if (err instanceof HTTPException) return err.getResponse();
    // Temporal did not answer in time or turned the request away for load: 503 with Retry-After, not a server error
    // (api/busy.ts); the same request id sent again is applied once.
    if (isEngineBusy(err)) {
      console.warn(`[api] ${c.req.method} ${c.req.path}: engine busy (${err instanceof Error ? err.message : String(err)})`);
      return busyResponse(c);
    }
    console.error(err);
    return c.json({ error: 'internal error' }, 500);
  });
  return { app, stop: () => consoleApp.close() };
}

export function startApi(
  deps: ApiDeps,
  port: number,
  hostname = '127.0.0.1',
): Promise<{ server: ServerType; url: string; close(): Promise<void> }> {
  const { app, stop } = buildApp(deps);
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port, hostname }, (info) => {
      resolve({
        server,
        url: `http://${hostname}:${info.port}`,
        close: () =>
          new Promise<void>((r) => {
            // The console's live streams end at their next poll; the server closes when they have.
            stop();
            server.close(() => r());
          }),
      });
    });
  });
}
