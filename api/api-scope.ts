/**
 * Who calls the operator API, and what they may see (issue 17). Two kinds of bearer token open it:
 * - CHUKY_API_TOKEN, the deployment's own: the whole deployment;
 * - a committee's token (`chuky api-token create --committee X [--subtree]`, kept as SHA-256 in api_tokens): that
 *   committee, and where granted the committees under it. Every route naming a cycle answers 404 for a cycle out
 *   of its scope, exactly as for a cycle that does not exist; the list of cycles keeps its own.
 * Every refusal is the same 401 (or the 503 of an API closed for want of CHUKY_API_TOKEN in production), and the
 * deployment token is compared as a digest in constant time, so an answer's timing says nothing about it.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { insertApiToken, liveApiToken, type ApiTokenRow } from '../db/api-tokens.js';
import { accessToCycle, scopeOf, WHOLE_DEPLOYMENT, type Scope } from '../db/committee-scope.js';
import type { Db } from '../db/pool.js';

export type ApiScopeEnv = { Variables: { apiScope: Scope } };

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
const sha256hex = (s: string): string => createHash('sha256').update(s).digest('hex');

/** A committee token: "chuky_" and 32 random bytes, base64url. */
const COMMITTEE_TOKEN = /^Bearer (chuky_[A-Za-z0-9_-]{43})$/;

/** Makes a committee's token; the token is returned once, and only its hash is stored. */
export async function createApiToken(
  db: Db,
  t: { name: string; committeeCode: string; subtree: boolean; createdBy: string },
): Promise<{ token: string; row: ApiTokenRow }> {
  const token = `chuky_${randomBytes(32).toString('base64url')}`;
  const row = await insertApiToken(db, { ...t, tokenSha256: sha256hex(token) });
  return { token, row };
}

export function apiAuth(o: { db: Db; deploymentToken?: string | undefined; requireToken: boolean }): MiddlewareHandler<ApiScopeEnv> {
  const expected = o.deploymentToken ? digest(`Bearer ${o.deploymentToken}`) : undefined;
  const unauthorized = (c: Context) => c.json({ error: 'unauthorized: send Authorization: Bearer <CHUKY_API_TOKEN>' }, 401);
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    if (expected && timingSafeEqual(digest(header), expected)) {
      c.set('apiScope', WHOLE_DEPLOYMENT);
      return next();
    }
    const committeeToken = COMMITTEE_TOKEN.exec(header)?.[1];
    const row = committeeToken ? await liveApiToken(o.db, sha256hex(committeeToken)) : undefined;
    if (row) {
      c.set('apiScope', await scopeOf(o.db, row));
      return next();
    }
    if (!expected) {
      if (o.requireToken) return c.json({ error: 'the operator API is closed: set CHUKY_API_TOKEN to open it' }, 503);
      // No token configured (a developer's machine): open, as it always was.
      c.set('apiScope', WHOLE_DEPLOYMENT);
      return next();
    }
    return unauthorized(c);
  };
}

/**
 * For every route under /cycles/:cycle: a cycle out of the caller's scope does not exist; a cycle of a committee
 * under the caller's (a subtree token) is read, not changed (403 on any write).
 */
export function cycleInScope(db: Db): MiddlewareHandler<ApiScopeEnv> {
  return async (c, next) => {
    const cycle = c.req.param('cycle');
    const access = await accessToCycle(db, c.get('apiScope'), cycle);
    if (access === 'unseen') return c.json({ error: `no cycle ${cycle ?? ''}` }, 404);
    if (access === 'read-only' && c.req.method !== 'GET' && c.req.method !== 'HEAD') return c.json({ error: readOnly(cycle ?? '') }, 403);
    return next();
  };
}

/** The refusal of a change to a cycle seen through a subtree. */
export const readOnly = (cycle: string): string =>
  `cycle ${cycle} is a committee's under yours: its progress is yours to read, its changes are its own committee's`;
