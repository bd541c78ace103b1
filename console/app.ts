/**
 * The web console for Ban Tuyên giáo, leaders and admins, under /console: its routes are absolute, and
 * api/server.ts mounts the app at "/" (so that both "/console" and "/console/" are the start page). Order of
 * the middleware: security headers (every response, refusals included), the session, then the guard (declared
 * route, role, origin and CSRF) — and only then a page.
 */
import { Hono } from 'hono';
import { html } from 'hono/html';
import type { ConsoleDeps, ConsoleEnv } from './context.js';
import { BASE, layout } from './html.js';
import { registerLive, LIVE_PATH } from './live.js';
import { registerAudit } from './pages/audit.js';
import { registerCharts } from './pages/charts.js';
import { registerCycle } from './pages/cycle.js';
import { registerCycles } from './pages/cycles.js';
import { registerOverdue } from './pages/overdue.js';
import { registerRepairs } from './pages/repairs.js';
import { registerSignin, sessionMiddleware } from './pages/signin.js';
import { registerStalled } from './pages/stalled.js';
import { registerUnit } from './pages/unit.js';
import { registerUsers } from './pages/users.js';
import { ConsoleRouter, guard } from './router.js';
import { securityHeaders } from './security.js';
import { DEFAULT_SESSION_POLICY } from './sessions.js';
import { DEFAULT_THROTTLE_POLICY } from './throttle.js';

export { BASE as CONSOLE_BASE };

export interface Console {
  app: Hono<ConsoleEnv>;
  router: ConsoleRouter;
  /** Ends the live streams (within one poll), so that the HTTP server can close. */
  close(): void;
}

export function createConsole(deps: ConsoleDeps): Console {
  const o = deps.options ?? {};
  const sessionPolicy = { ...DEFAULT_SESSION_POLICY, ...o.session };
  const throttle = { ...DEFAULT_THROTTLE_POLICY, ...o.throttle };
  const app = new Hono<ConsoleEnv>();
  const router = new ConsoleRouter(app);
  const live = { stopped: false };

  // "/console/*" also matches "/console" itself.
  app.use(`${BASE}/*`, securityHeaders());
  app.use(
    `${BASE}/*`,
    sessionMiddleware(deps, sessionPolicy, (path) => LIVE_PATH.test(path)),
  );
  app.use(`${BASE}/*`, guard(router, deps));

  registerSignin(router, deps, sessionPolicy, throttle, o.trustProxy ?? false);
  registerCycles(router, deps);
  registerCycle(router, deps);
  registerCharts(router, deps);
  registerLive(router, deps, sessionPolicy, o.livePollMs ?? 2000, o.liveMaxMs ?? 10 * 60_000, live);
  registerUnit(router, deps);
  registerOverdue(router, deps);
  registerStalled(router, deps);
  registerAudit(router, deps);
  registerRepairs(router, deps);
  registerUsers(router, deps);

  app.onError((err, c) => {
    // The error itself goes to the log (never a request body, so never a password); the page says only what to do.
    console.error(`[console] ${c.req.method} ${c.req.path}:`, err);
    return c.html(
      layout(
        c,
        'Lỗi',
        html`<h1>Có lỗi xảy ra</h1><div class="box bad" role="alert">Không xử lý được yêu cầu. Vui lòng thử lại sau ít phút; nếu vẫn lỗi, báo quản trị hệ thống.</div><p><a href="${BASE}/">Về trang chính</a></p>`,
      ),
      500,
    );
  });
  return {
    app,
    router,
    close: () => {
      live.stopped = true;
    },
  };
}
