/**
 * Security headers on every response of the HTTP server: the units' forms (/f/:token), the operator API
 * (/api/v1), /healthz, refusals and errors. The console (console/security.ts) sets its own stricter policy with a
 * nonce per response; whatever a response already carries is kept, and only what is missing is added.
 *
 * - A form's URL carries its signed token: `Referrer-Policy: no-referrer` keeps it out of other sites' logs, and
 *   `Cache-Control: no-store` out of shared caches and the browser's history of pages.
 * - The forms have no script at all (`script-src` falls back to `default-src 'none'`); their one style element and
 *   the style attributes need `style-src 'unsafe-inline'`, which lets no script run.
 * - `Strict-Transport-Security` only when the server is reached over https (PUBLIC_BASE_URL, or the request's
 *   own URL): sent over http it would be ignored by browsers, and it would pin a development host to https.
 */
import type { MiddlewareHandler } from 'hono';

/** The unit's form pages: no script, no frames, forms posted only to chuky itself. */
export const FORM_CSP = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  "img-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/** JSON and plain answers (the API, /healthz, not-found): nothing to load, never framed. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export const HSTS = 'max-age=31536000';

export function isHttpsBase(publicBaseUrl: string | undefined): boolean {
  return !!publicBaseUrl && /^https:/i.test(publicBaseUrl);
}

export function securityHeaders(opts: { publicBaseUrl?: string | undefined }): MiddlewareHandler {
  const httpsBase = isHttpsBase(opts.publicBaseUrl);
  return async (c, next) => {
    await next();
    const h = c.res.headers;
    const setIfAbsent = (name: string, value: string) => {
      if (!h.has(name)) h.set(name, value);
    };
    const form = c.req.path.startsWith('/f/');
    setIfAbsent('Content-Security-Policy', form ? FORM_CSP : API_CSP);
    setIfAbsent('X-Content-Type-Options', 'nosniff');
    setIfAbsent('X-Frame-Options', 'DENY');
    // The form's token is in its URL; the API's answers name units and carry nothing a referrer should.
    setIfAbsent('Referrer-Policy', 'no-referrer');
    // Forms carry a token, the API answers a bearer token's holder: neither is for a shared cache.
    setIfAbsent('Cache-Control', 'no-store');
    setIfAbsent('Cross-Origin-Resource-Policy', 'same-origin');
    if (httpsBase || new URL(c.req.url).protocol === 'https:') setIfAbsent('Strict-Transport-Security', HSTS);
  };
}
