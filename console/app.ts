/**
 * The web console for Ban Tuyên giáo, leaders and admins, under /console: its routes are absolute, and
 * api/server.ts mounts the app at "/" (so that both "/console" and "/console/" are the start page). Order of
 * the middleware: security headers (every response, refusals included), the session, then the guard (declared
 * route, role, origin and CSRF) — and only then a page.
 */
import { Hono } from 'hono';
import { html } from 'hono/html';
import { isEngineBusy, retryAfterSeconds } from '../api/busy.js';
import type { ConsoleDeps, ConsoleEnv, Ctx } from './context.js';
import { BASE, layout, type Html } from './html.js';
import { registerLive, LIVE_PATH } from './live.js';
import { registerAudit } from './pages/audit.js';
import { registerCharts } from './pages/charts.js';
import { registerCycle } from './pages/cycle.js';
import { registerCycles } from './pages/cycles.js';
import { registerOverdue } from './pages/overdue.js';
import { registerRepairs, safeBack } from './pages/repairs.js';
import { registerSignin, sessionMiddleware } from './pages/signin.js';
import { registerStalled } from './pages/stalled.js';
import { registerUnit } from './pages/unit.js';
import { registerUsers } from './pages/users.js';
import { registerUpward } from './pages/upward.js';
import { ConsoleRouter, guard } from './router.js';
import { securityHeaders } from './security.js';
import { DEFAULT_SESSION_POLICY } from './sessions.js';
import { DEFAULT_THROTTLE_POLICY } from './throttle.js';
import { formBody } from '../api/body.js';

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
  registerUpward(router, deps);

  app.onError(async (err, c) => {
    if (isEngineBusy(err)) {
      console.warn(`[console] ${c.req.method} ${c.req.path}: engine busy (${err instanceof Error ? err.message : String(err)})`);
      return busyPage(c);
    }
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

/** A field never written back into a page, whatever the form: a password. */
const SECRET_FIELD = /pass|mat-?khau/i;

/**
 * Temporal did not confirm the action in time, or turned it away for load (api/busy.ts): 503 with Retry-After, in the
 * console's own layout. An action post (the repairs: they carry a requestId) gets its own fields back in a form
 * with a button, no script: pressing it sends the same request id, which acts once (ops/repairs.ts records the
 * unconfirmed attempt without taking the id). Whether the first send was applied is not known, and the page says so.
 */
async function busyPage(c: Ctx): Promise<Response> {
  const seconds = retryAfterSeconds(0);
  c.header('Retry-After', String(seconds));
  let fields: [string, string][] = [];
  if (c.req.method === 'POST') {
    // hono keeps the parsed body: the route's own parse is read again, not the stream.
    const body = await formBody(c).catch(() => ({}));
    fields = Object.entries(body).filter((e): e is [string, string] => typeof e[1] === 'string' && !SECRET_FIELD.test(e[0]));
  }
  const resendable = fields.some(([name]) => name === 'requestId');
  const back = safeBack(fields.find(([name]) => name === 'back')?.[1]);
  const title = 'Hệ thống đang bận'.normalize('NFC');
  const text = resendable
    ? 'Temporal (bộ máy chạy quy trình) chưa trả lời kịp nên chưa xác nhận được thao tác này. Chưa biết thao tác đã được thực hiện hay chưa; lần thử đã được ghi vào nhật ký. Sau khoảng ' +
      `${seconds} giây, bấm “Gửi lại”: yêu cầu được gửi lại với cùng mã nên chỉ được thực hiện một lần, dù lần trước đã được ghi nhận.`
    : `Temporal (bộ máy chạy quy trình) chưa trả lời kịp. Vui lòng thử lại sau khoảng ${seconds} giây; nếu vẫn bận, báo quản trị hệ thống (có thể không có worker đang chạy).`;
  const resend: Html = resendable
    ? html`<form method="post" action="${c.req.path}" id="busy-resend">
${fields.map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<button type="submit">Gửi lại</button></form>`
    : html``;
  return c.html(
    layout(
      c,
      title,
      html`<h1>${title}</h1><div class="box bad" role="alert" id="busy">${text.normalize('NFC')}</div>${resend}<p><a href="${back}">Quay lại</a></p>`,
    ),
    503,
  );
}
