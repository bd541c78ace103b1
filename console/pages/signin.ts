/** Signing in and out: the sign-in form, the password check with its lock-out, the session cookie. */
import { randomBytes } from 'node:crypto';
import { html } from 'hono/html';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { MiddlewareHandler } from 'hono';
import type { ConsoleDeps, ConsoleEnv, Ctx } from '../context.js';
import { BASE, layout, messageBox } from '../html.js';
import { decoyHash, verifyPassword } from '../passwords.js';
import { PUBLIC } from '../permissions.js';
import { PRE_CSRF_COOKIE, type ConsoleRouter } from '../router.js';
import { clientAddress, isHttps } from '../security.js';
import { createSession, endSession, loadSession, type SessionPolicy } from '../sessions.js';
import { lockMessage, lockState, recordAttempt, type ThrottlePolicy } from '../throttle.js';
import { getUser, normaliseUsername } from '../users.js';
import { formBody } from '../../api/body.js';

export const SESSION_COOKIE = 'chuky_console';

function cookieOptions(deps: ConsoleDeps) {
  // No Max-Age: the cookie goes when the browser closes; the server ends the session on its own schedule.
  return { path: BASE, httpOnly: true, sameSite: 'Lax' as const, secure: isHttps(deps.publicBaseUrl) };
}

/** Where to go after signing in: a console page, never another site ("//evil.example", "/\evil"). */
export function safeNext(raw: unknown): string {
  if (typeof raw !== 'string') return `${BASE}/`;
  if (!/^\/console(\/|\?|$)/.test(raw) || raw.includes('\\') || raw.startsWith('//') || raw.length > 500) return `${BASE}/`;
  return raw;
}

/** Loads the session named by the cookie (if any) for every request; the live stream checks without touching. */
export function sessionMiddleware(
  deps: ConsoleDeps,
  policy: SessionPolicy,
  isPassive: (path: string) => boolean,
): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    const raw = getCookie(c, SESSION_COOKIE);
    c.set('rawSessionId', raw);
    c.set('session', raw ? await loadSession(deps.db, raw, policy, !isPassive(c.req.path)) : undefined);
    await next();
  };
}

function signinPage(c: Ctx, token: string, opts: { next: string; username?: string; error?: string; notice?: string }) {
  return layout(
    c,
    'Đăng nhập',
    html`<div class="signin card"><h1>Đăng nhập bảng điều hành</h1>
<p class="muted">Dành cho Ban Tuyên giáo, lãnh đạo và quản trị hệ thống.</p>
${opts.notice ? messageBox('info', opts.notice, 'notice') : ''}${opts.error ? messageBox('bad', opts.error, 'signin-error') : ''}
<form method="post" action="${BASE}/dang-nhap" id="signin-form">
<input type="hidden" name="_csrf" value="${token}"><input type="hidden" name="tiep" value="${opts.next}">
<label for="username">Tên đăng nhập</label><input id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${opts.username ?? ''}">
<label for="password">Mật khẩu</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Đăng nhập</button></form></div>`,
  );
}

/** A fresh double-submit token for the sign-in form (there is no session to tie it to yet). */
function preToken(c: Ctx, deps: ConsoleDeps): string {
  const token = randomBytes(24).toString('base64url');
  setCookie(c, PRE_CSRF_COOKIE, token, { ...cookieOptions(deps), maxAge: 3600 });
  return token;
}

export function registerSignin(
  router: ConsoleRouter,
  deps: ConsoleDeps,
  sessionPolicy: SessionPolicy,
  throttle: ThrottlePolicy,
  trustProxy: boolean,
): void {
  router.get('/dang-nhap', PUBLIC, async (c) => {
    const next = safeNext(c.req.query('tiep'));
    if (c.get('session')) return c.redirect(next, 303);
    const notice =
      c.req.query('da-dang-xuat') !== undefined
        ? 'Bạn đã đăng xuất.'
        : getCookie(c, SESSION_COOKIE)
          ? 'Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.'
          : undefined;
    if (getCookie(c, SESSION_COOKIE)) deleteCookie(c, SESSION_COOKIE, { path: BASE });
    return c.html(signinPage(c, preToken(c, deps), { next, ...(notice ? { notice } : {}) }));
  });

  router.post('/dang-nhap', PUBLIC, async (c) => {
    const body = await formBody(c);
    const username = normaliseUsername(typeof body.username === 'string' ? body.username : '').slice(0, 100);
    const password = typeof body.password === 'string' ? body.password : '';
    const next = safeNext(body.tiep);
    const ip = clientAddress(c, trustProxy);
    const again = (status: 401 | 429, error: string) => c.html(signinPage(c, preToken(c, deps), { next, username, error }), status);

    const before = await lockState(deps.db, username, ip, throttle);
    if (before.locked) {
      await recordAttempt(deps.db, username, ip, 'locked');
      return again(429, lockMessage(before));
    }
    const user = username ? await getUser(deps.db, username) : undefined;
    // The same scrypt work whether or not the user exists, so timing does not tell which usernames are real.
    const ok = (await verifyPassword(password, user?.passwordHash ?? (await decoyHash()))) && !!user && !user.disabledAt;
    if (!ok) {
      await recordAttempt(deps.db, username, ip, 'failed');
      const after = await lockState(deps.db, username, ip, throttle);
      return again(after.locked ? 429 : 401, after.locked ? lockMessage(after) : 'Tên đăng nhập hoặc mật khẩu không đúng.');
    }
    await recordAttempt(deps.db, username, ip, 'ok');
    // A new session id at every sign-in (no fixation); an older session of this browser ends.
    await endSession(deps.db, getCookie(c, SESSION_COOKIE));
    const { rawId } = await createSession(deps.db, user.username, { ip, userAgent: c.req.header('user-agent') ?? '' }, sessionPolicy);
    setCookie(c, SESSION_COOKIE, rawId, cookieOptions(deps));
    deleteCookie(c, PRE_CSRF_COOKIE, { path: BASE });
    return c.redirect(next, 303);
  });

  router.post('/dang-xuat', 'session.end', async (c) => {
    await endSession(deps.db, c.get('rawSessionId'));
    deleteCookie(c, SESSION_COOKIE, { path: BASE, secure: isHttps(deps.publicBaseUrl), httpOnly: true, sameSite: 'Lax' });
    return c.redirect(`${BASE}/dang-nhap?da-dang-xuat`, 303);
  });
}
