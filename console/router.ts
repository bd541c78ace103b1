/**
 * Deny by default. Every console route is declared here with the action it performs (console/permissions.ts);
 * the guard runs before any handler and finds the declared route for the request: none → refused (403, whatever
 * the path, even a route registered on the Hono app some other way), an action the user's role lacks → 403,
 * no session → the sign-in page. POSTs are also checked for their origin and their CSRF token here, so no
 * handler can forget to.
 */
import type { Hono, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { html } from 'hono/html';
import type { ConsoleDeps, ConsoleEnv, Ctx } from './context.js';
import { allowed, PERMISSIONS, PUBLIC, type RouteAction } from './permissions.js';
import { cyclesOfCommittees } from '../db/committee-scope.js';
import { accessToCycle, accessToEveryCycle, cyclesOfRequest, ROUTE_SCOPE, scopeOf, type ScopeRule } from './scope.js';
import { sameOriginPost } from './security.js';
import { sameToken } from './sessions.js';
import { BASE, consoleUrl, layout } from './html.js';
import { formBody } from '../api/body.js';

export type Handler = (c: Ctx) => Response | Promise<Response>;

export interface DeclaredRoute {
  method: 'GET' | 'POST';
  /** Under /console, Hono syntax (":cycle"). */
  path: string;
  action: RouteAction;
  /** How a user scoped to a committee is kept to it on this route (console/scope.ts). */
  scope: ScopeRule;
  pattern: RegExp;
}

/** The cookie that carries a random token matched by the sign-in form's hidden field (no session yet). */
export const PRE_CSRF_COOKIE = 'chuky_console_pre';

function compile(path: string): RegExp {
  const full = `${BASE}${path === '/' ? '' : path}`;
  const body = full
    .split('/')
    .map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${body}/?$`);
}

export class ConsoleRouter {
  readonly routes: DeclaredRoute[] = [];

  constructor(private readonly app: Hono<ConsoleEnv>) {}

  get(path: string, action: RouteAction, handler: Handler): void {
    this.declare('GET', path, action, handler);
  }

  post(path: string, action: RouteAction, handler: Handler): void {
    this.declare('POST', path, action, handler);
  }

  private declare(method: 'GET' | 'POST', path: string, action: RouteAction, handler: Handler): void {
    if (action !== PUBLIC && !Object.prototype.hasOwnProperty.call(PERMISSIONS, action)) {
      throw new Error(`console route ${method} ${path}: action "${action}" is not in the permission table`);
    }
    const scope = ROUTE_SCOPE[`${method} ${path}`];
    if (!scope) throw new Error(`console route ${method} ${path}: not in the scope table (console/scope.ts ROUTE_SCOPE)`);
    this.routes.push({ method, path, action, scope, pattern: compile(path) });
    // Absolute paths (the app is mounted at "/"), so that "/console/" exists beside "/console".
    for (const full of path === '/' ? [BASE, `${BASE}/`] : [`${BASE}${path}`]) this.app.on(method, full, handler);
  }

  /** The declared route a request is for (HEAD is a GET), or undefined. */
  match(method: string, path: string): DeclaredRoute | undefined {
    const m = method === 'HEAD' ? 'GET' : method;
    return this.routes.find((r) => r.method === m && r.pattern.test(path));
  }
}

/** The value of a `:name` segment of the route in the request's path (percent-decoded), or undefined. */
function pathParam(route: DeclaredRoute, requestPath: string, name: string): string | undefined {
  const at = `${BASE}${route.path}`.split('/').indexOf(name);
  const raw = at < 0 ? undefined : requestPath.split('/')[at];
  if (raw === undefined) return undefined;
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

export function refusal(c: Ctx, status: 401 | 403 | 404, title: string, text: string): Response | Promise<Response> {
  return c.html(
    layout(c, title, html`<h1>${title}</h1><div class="box bad" role="alert">${text}</div><p><a href="${BASE}/">Về trang chính</a></p>`),
    status,
  );
}

export function guard(router: ConsoleRouter, deps: ConsoleDeps): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    const route = router.match(c.req.method, c.req.path);
    if (!route) return refusal(c, 403, 'Không được phép', 'Trang hoặc thao tác này không có trong bảng điều hành.');
    const session = c.get('session');
    if (route.action !== PUBLIC) {
      if (!session) {
        if (route.method === 'GET') {
          const url = new URL(c.req.url);
          return c.redirect(consoleUrl('/dang-nhap', { tiep: url.pathname + url.search }), 303);
        }
        return refusal(c, 401, 'Phiên đăng nhập đã hết', 'Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại rồi thực hiện lại thao tác.');
      }
      if (!allowed(session.role, route.action)) {
        return refusal(c, 403, 'Không có quyền', 'Vai trò của bạn không được thực hiện thao tác này.');
      }
    }
    const scope = await scopeOf(deps.db, session);
    c.set('scope', scope);
    // A cycle of another committee is answered as one that does not exist; one under the user's is read only.
    const pathAccess =
      route.scope === 'cycle-in-path' ? await accessToCycle(deps.db, scope, pathParam(route, c.req.path, ':cycle')) : 'act';
    if (pathAccess === 'unseen') return refusal(c, 404, 'Không tìm thấy', 'Không có chu kỳ này.');
    c.set('readOnlyCycle', pathAccess === 'read-only');
    if (!scope.all && scope.subtree && route.scope === 'filtered') c.set('ownCycles', await cyclesOfCommittees(deps.db, [scope.root]));
    if (route.method === 'POST') {
      if (!sameOriginPost(c, deps.publicBaseUrl)) {
        return refusal(c, 403, 'Yêu cầu bị từ chối', 'Yêu cầu không đến từ trang của bảng điều hành (kiểm tra nguồn gửi).');
      }
      const body = await formBody(c);
      const sent = typeof body._csrf === 'string' ? body._csrf : '';
      // The sign-in form has no session yet: its token is the one set in a cookie with the form (double submit).
      const expected = route.action === PUBLIC ? (getCookie(c, PRE_CSRF_COOKIE) ?? '') : session!.csrfToken;
      if (!expected || !sent || !sameToken(sent, expected)) {
        return refusal(c, 403, 'Yêu cầu bị từ chối', 'Biểu mẫu đã hết hiệu lực hoặc không hợp lệ. Vui lòng tải lại trang và thử lại.');
      }
      // A change is its own committee's: a committee under it is seen, not changed (db/committee-scope.ts acts).
      const access =
        route.scope === 'cycle-in-body' ? (await accessToEveryCycle(deps.db, scope, cyclesOfRequest(body))).access : pathAccess;
      if (access === 'unseen') return refusal(c, 404, 'Không tìm thấy', 'Không có chu kỳ này, hoặc thao tác không nêu chu kỳ.');
      if (access === 'read-only')
        return refusal(
          c,
          403,
          'Chỉ được xem',
          'Chu kỳ này của một cấp ủy trực thuộc: cấp trên được xem tiến độ, việc thay đổi do cấp ủy đó thực hiện.',
        );
    }
    await next();
  };
}
