/**
 * Security headers on every response of the HTTP server: the units' forms (/f/:token), the operator API
 * (/api/v1), /healthz, refusals and errors. They are set by hono's own `secureHeaders` middleware; the console
 * (console/security.ts) sets its own stricter policy with a nonce per response, so it runs with
 * `overwrite: false`: whatever a response already carries is kept, and only what is missing is added.
 *
 * - A form's URL carries its signed token: `Referrer-Policy: no-referrer` keeps it out of other sites' logs, and
 *   `Cache-Control: no-store` out of shared caches and the browser's history of pages.
 * - The forms have no script at all (`script-src` falls back to `default-src 'none'`); their one style element and
 *   the style attributes need `style-src 'unsafe-inline'`, which lets no script run. One page is the exception, with
 *   its own header: the "busy" page's script, by nonce (formPolicyWithScriptNonce).
 * - `Strict-Transport-Security` only when the server is reached over https (PUBLIC_BASE_URL, or the request's
 *   own URL): sent over http it would be ignored by browsers, and it would pin a development host to https.
 *
 * hono's middleware takes one fixed policy, and these differ by path (form or not) and by scheme (HSTS or not):
 * four instances are made once and each request picks its own. Its other defaults (Cross-Origin-Opener-Policy,
 * Origin-Agent-Cluster, X-DNS-Prefetch-Control: off, …) are kept: they only take abilities away.
 */
import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

type Csp = NonNullable<NonNullable<Parameters<typeof secureHeaders>[0]>['contentSecurityPolicy']>;

/** The unit's form pages: no script, no frames, forms posted only to chuky itself. */
const FORM_POLICY: Csp = {
  defaultSrc: ["'none'"],
  styleSrc: ["'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
};

/**
 * The form pages' policy plus one inline script, allowed by its nonce: for the one page of the forms that has a
 * script (api/busy.ts: the "busy" page that sends the unit's form again by itself). Set on that response, it is
 * kept by the middleware below (`overwrite: false`); every other form page still has no script.
 */
export function formPolicyWithScriptNonce(nonce: string): string {
  const directives = Object.entries({ ...FORM_POLICY, scriptSrc: [`'nonce-${nonce}'`] }).map(
    ([name, values]) => `${name.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`)} ${(values as string[]).join(' ')}`,
  );
  return directives.join('; ');
}

/** JSON and plain answers (the API, /healthz, not-found): nothing to load, never framed. */
const API_POLICY: Csp = { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] };

export const HSTS = 'max-age=31536000';

export function isHttpsBase(publicBaseUrl: string | undefined): boolean {
  return !!publicBaseUrl && /^https:/i.test(publicBaseUrl);
}

function headersFor(contentSecurityPolicy: Csp, https: boolean): MiddlewareHandler {
  return secureHeaders({
    contentSecurityPolicy,
    xFrameOptions: 'DENY',
    referrerPolicy: 'no-referrer',
    xContentTypeOptions: 'nosniff',
    crossOriginResourcePolicy: 'same-origin',
    strictTransportSecurity: https ? HSTS : false,
    overwrite: false,
  });
}

export function securityHeaders(opts: { publicBaseUrl?: string | undefined }): MiddlewareHandler {
  const httpsBase = isHttpsBase(opts.publicBaseUrl);
  const form = { http: headersFor(FORM_POLICY, false), https: headersFor(FORM_POLICY, true) };
  const api = { http: headersFor(API_POLICY, false), https: headersFor(API_POLICY, true) };
  return async (c, next) => {
    const kind = c.req.path.startsWith('/f/') ? form : api;
    const https = httpsBase || new URL(c.req.url).protocol === 'https:';
    await (https ? kind.https : kind.http)(c, next);
    // Not a header hono's middleware sets. Forms carry a token, the API answers a bearer token's holder: neither
    // is for a shared cache.
    if (!c.res.headers.has('Cache-Control')) c.res.headers.set('Cache-Control', 'no-store');
  };
}
