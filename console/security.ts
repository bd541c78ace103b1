/**
 * Security of every console response and request: a fresh CSP nonce per response (the only inline script and
 * style carry it), the headers, the POST origin check, and the client's address for the sign-in lock-out.
 */
import { randomBytes } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { ConsoleEnv, Ctx } from './context.js';

export function securityHeaders(): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    const nonce = randomBytes(16).toString('base64');
    c.set('nonce', nonce);
    await next();
    const h = c.res.headers;
    h.set(
      'Content-Security-Policy',
      [
        "default-src 'none'",
        `script-src 'nonce-${nonce}'`,
        `style-src 'nonce-${nonce}'`,
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
      ].join('; '),
    );
    h.set('X-Frame-Options', 'DENY');
    h.set('X-Content-Type-Options', 'nosniff');
    h.set('Referrer-Policy', 'no-referrer');
    h.set('Cross-Origin-Opener-Policy', 'same-origin');
    h.set('Cross-Origin-Resource-Policy', 'same-origin');
    h.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=()');
    // Pages show names and figures of units: never kept by a shared cache or the browser's back-forward cache.
    if (!h.has('Cache-Control')) h.set('Cache-Control', 'no-store');
  };
}

/** The origins a POST may come from: the public base URL's, and the one the request itself was sent to. */
function allowedOrigins(c: Ctx, publicBaseUrl: string | undefined): Set<string> {
  const origins = new Set<string>();
  if (publicBaseUrl) {
    try {
      origins.add(new URL(publicBaseUrl).origin);
    } catch {
      // A malformed PUBLIC_BASE_URL is refused by config/env.ts; nothing to add.
    }
  }
  origins.add(new URL(c.req.url).origin);
  return origins;
}

/**
 * Whether a POST comes from the console's own pages. The Origin header is the check, but a page served with
 * `Referrer-Policy: no-referrer` makes the browser send `Origin: null` on its own form posts (Fetch standard,
 * "append a request Origin header"), so a null or absent Origin is accepted only with `Sec-Fetch-Site:
 * same-origin`, which browsers set themselves and pages cannot forge. Scripts and tests send an Origin.
 */
export function sameOriginPost(c: Ctx, publicBaseUrl: string | undefined): boolean {
  const site = c.req.header('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') return false;
  const origin = c.req.header('origin');
  if (origin && origin !== 'null') return allowedOrigins(c, publicBaseUrl).has(origin);
  return site === 'same-origin';
}

export function clientAddress(c: Ctx, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for');
    const last = forwarded
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .at(-1);
    if (last) return last;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown'; // not behind @hono/node-server (an in-process request)
  }
}

export function isHttps(publicBaseUrl: string | undefined): boolean {
  return !!publicBaseUrl && publicBaseUrl.startsWith('https:');
}
