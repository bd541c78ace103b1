/**
 * Who may talk to the HTTP server, checked before any route runs. Three doors, each closing a way for a web page
 * on another site, open in the same browser as chuky, to change data:
 *
 * - `hostGuard`: the `Host` header must name this server: the host of PUBLIC_BASE_URL, or a loopback name
 *   (127.0.0.1, localhost, [::1]) with the port the server listens on. A DNS-rebinding page (evil.example resolved
 *   to 127.0.0.1) sends `Host: evil.example` and is refused with 421 before its request reaches the forms, the API
 *   or the console. With the Host checked, the request's own URL (built from it) is a trustworthy origin.
 * - `sameOriginWrites`: a write (POST, PUT, PATCH, DELETE) that a browser marks as coming from another origin is
 *   refused with 403: `Sec-Fetch-Site` other than `same-origin` (or `none`, the user's own action), or an `Origin`
 *   that is neither PUBLIC_BASE_URL's nor the request's own. Browsers set both on every cross-origin write and
 *   pages cannot forge them; a client that sends neither (the CLI, curl, a script) is no browser a page can
 *   drive, and passes. The console applies the same rule, with a CSRF token on top (console/security.ts).
 *   hono's own `csrf` middleware judges the writes, with this rule as its origin and Sec-Fetch-Site check; two
 *   gaps of it are closed around it (see `sameOriginWrites`).
 * - `jsonWrites`: the operator API's writes carry `Content-Type: application/json` (a units import: text/csv);
 *   anything else is refused with 415. The types a page may send without a CORS preflight (text/plain, a form's
 *   urlencoded or multipart body) are exactly the ones refused, so a cross-site page can never write blind.
 *
 * hono has no middleware for the Host check nor for the accepted body types (its `validator` parses a body, it
 * does not refuse a type with 415), so those two stay here.
 */
import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import { messagePage } from './pages.js';

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);
const HOST_RE = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;
const wantsJson = (c: Context) => c.req.path.startsWith('/api/');

/** The port a URL's authority names, its scheme's default when it names none. */
function portOf(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

/** The port the server accepted this connection on; undefined for an in-process request (`app.request`). */
function localPort(c: Context): number | undefined {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return incoming?.socket?.localPort ?? undefined;
}

function publicUrl(publicBaseUrl: string | undefined): URL | undefined {
  if (!publicBaseUrl) return undefined;
  try {
    return new URL(publicBaseUrl);
  } catch {
    return undefined; // a malformed PUBLIC_BASE_URL is refused by config/env.ts
  }
}

/**
 * Whether `host` (a Host header's value) names this server: PUBLIC_BASE_URL's host and port, or a loopback name
 * on the port the connection came in on (any port for an in-process request, which no browser can make).
 */
export function isOwnHost(
  host: string,
  opts: { publicBaseUrl?: string | undefined; localPort?: number | undefined; https?: boolean },
): boolean {
  // Only host[:port]: a Host with a path, credentials or spaces is no host of ours.
  if (!HOST_RE.test(host)) return false;
  let url: URL;
  try {
    url = new URL(`${opts.https ? 'https' : 'http'}://${host}`);
  } catch {
    return false;
  }
  const base = publicUrl(opts.publicBaseUrl);
  if (base && base.hostname === url.hostname && portOf(base) === portOf(url)) return true;
  if (!LOOPBACK_NAMES.has(url.hostname)) return false;
  return opts.localPort === undefined || opts.localPort === portOf(url);
}

/** The names a request may address the server by, for the refusal's message. */
function ownHosts(publicBaseUrl: string | undefined, port: number | undefined): string {
  const base = publicUrl(publicBaseUrl);
  const loopback = [...LOOPBACK_NAMES].map((n) => (port === undefined ? n : `${n}:${port}`));
  return [...new Set([...(base ? [base.host] : []), ...loopback])].join(', ');
}

/** Every request but /healthz: the Host header names this server (see above), else 421 Misdirected Request. */
export function hostGuard(opts: { publicBaseUrl?: string | undefined }): MiddlewareHandler {
  return async (c, next) => {
    const host = c.req.header('host') ?? new URL(c.req.url).host;
    const port = localPort(c);
    const https = new URL(c.req.url).protocol === 'https:';
    if (isOwnHost(host, { publicBaseUrl: opts.publicBaseUrl, localPort: port, https })) return next();
    const allowed = ownHosts(opts.publicBaseUrl, port);
    const en = `Host "${host}" is not this server's: address it as ${allowed} (set PUBLIC_BASE_URL to the address users open)`;
    if (wantsJson(c)) return c.json({ error: en }, 421);
    return c.html(
      messagePage(
        'Sai địa chỉ máy chủ',
        `Địa chỉ “${host}” không phải của máy chủ này; xin mở bằng một trong các địa chỉ: ${allowed}. (${en})`,
      ),
      421,
    );
  };
}

/** The origins a write may come from: PUBLIC_BASE_URL's and the request's own (its Host, checked by hostGuard). */
function ownOrigins(c: Context, publicBaseUrl: string | undefined): Set<string> {
  const origins = new Set([new URL(c.req.url).origin]);
  const base = publicUrl(publicBaseUrl);
  if (base) origins.add(base.origin);
  return origins;
}

/**
 * Why a write is cross-origin, or undefined when it is not (or comes from no browser). `Origin: null` is what a
 * browser sends for the units' own form posts (their pages say `Referrer-Policy: no-referrer`), so where
 * `nullOrigin` is 'as-absent' it tells nothing and `Sec-Fetch-Site` decides; elsewhere it is refused.
 */
export function crossOriginWrite(
  headers: { origin?: string | undefined; secFetchSite?: string | undefined },
  own: Set<string>,
  nullOrigin: 'as-absent' | 'refuse',
): string | undefined {
  const site = headers.secFetchSite?.trim().toLowerCase();
  if (site && site !== 'same-origin' && site !== 'none') return `Sec-Fetch-Site: ${site}`;
  const origin = headers.origin?.trim();
  if (origin === undefined || origin === '') return undefined;
  if (origin === 'null') return nullOrigin === 'as-absent' ? undefined : 'Origin: null';
  return own.has(origin) ? undefined : `Origin: ${origin}`;
}

/**
 * Writes a browser marks as coming from another origin are refused with 403 (JSON under /api/, else a page).
 *
 * hono/csrf decides, with `crossOriginWrite` as both its origin and its Sec-Fetch-Site check (it passes a request
 * when either check passes; each applies the whole rule, so one header saying "another origin" is enough to
 * refuse, as browsers send both consistently). Around it, two gaps of hono/csrf are closed:
 * - it refuses a form-typed write that carries neither header: that is the CLI, curl or a script, no browser a
 *   page can drive, and it passes (test/integration/security-cross-origin.test.ts);
 * - it judges only the bodies a page can send without a CORS preflight and lets JSON and CSV through unjudged
 *   (left to CORS): a JSON write naming another origin (a client relaying a page's request) is refused here by
 *   the same rule.
 */
export function sameOriginWrites(opts: { publicBaseUrl?: string | undefined; nullOrigin: 'as-absent' | 'refuse' }): MiddlewareHandler {
  const reasonOf = (c: Context) =>
    crossOriginWrite(
      { origin: c.req.header('origin'), secFetchSite: c.req.header('sec-fetch-site') },
      ownOrigins(c, opts.publicBaseUrl),
      opts.nullOrigin,
    );
  const sameOrigin = (_header: string, c: Context) => reasonOf(c) === undefined;
  const honoCsrf = csrf({ origin: sameOrigin, secFetchSite: sameOrigin });
  return async (c, next) => {
    if (!WRITES.has(c.req.method)) return next();
    // A write that carries neither header passes (no browser); hono/csrf would refuse it for a form-typed body.
    if (!c.req.header('origin')?.trim() && !c.req.header('sec-fetch-site')?.trim()) return next();
    let passed = false;
    try {
      await honoCsrf(c, async () => {
        passed = true;
      });
    } catch (err) {
      if (!(err instanceof HTTPException) || err.status !== 403) throw err;
    }
    // What hono/csrf passed unjudged (JSON, CSV) gets the same rule; what it refused is named by the rule's reason
    // (an odd header value the rule lets through, such as an upper-case Sec-Fetch-Site, is refused all the same).
    const reason = passed ? reasonOf(c) : (reasonOf(c) ?? 'Origin and Sec-Fetch-Site not accepted');
    if (reason === undefined) return next();
    const en = `cross-origin write refused (${reason}): only chuky's own pages, or clients that are not browsers, may send this request`;
    if (wantsJson(c)) return c.json({ error: en }, 403);
    return c.html(
      messagePage(
        'Không gửi được',
        `Biểu mẫu này chỉ nhận nội dung gửi từ chính trang của nó; yêu cầu này đến từ một trang web ` +
          `khác nên đã bị từ chối. Xin mở lại đường dẫn trong thư rồi gửi lại. (${en})`,
      ),
      403,
    );
  };
}

/** The media type of a Content-Type header, lower case, without parameters ("application/json"). */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * The operator API's writes: JSON only (a units import: text/csv), else 415 with a JSON error naming what came and
 * what is expected. A DELETE without a body (records) needs no type.
 */
export function jsonWrites(): MiddlewareHandler {
  return async (c, next) => {
    if (!WRITES.has(c.req.method)) return next();
    const type = mediaType(c.req.header('content-type'));
    const csv = c.req.path.endsWith('/units/import');
    const expected = csv ? 'text/csv' : 'application/json';
    if (type === expected) return next();
    const hasBody = Number(c.req.header('content-length') ?? 0) > 0 || c.req.header('transfer-encoding') !== undefined;
    if (c.req.method === 'DELETE' && !type && !hasBody) return next();
    return c.json(
      {
        error:
          `unsupported Content-Type ${type ? `"${type}"` : '(none)'}: ${c.req.method} ${c.req.path} ` +
          `takes ${csv ? 'a units CSV sent as Content-Type: text/csv' : 'a JSON body sent as Content-Type: application/json'}`,
      },
      415,
    );
  };
}
