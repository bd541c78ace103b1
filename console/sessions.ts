/**
 * Console sessions in PostgreSQL. The cookie carries 32 random bytes; the table keeps only their SHA-256, so a
 * leaked table (a backup) opens nothing. A session ends on sign-out, after `idleMinutes` without a request, at
 * `absoluteHours` after sign-in whatever the activity, or when its user is disabled. The CSRF token of a session
 * is an HMAC of its id: per session, never stored, and useless without the cookie.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { endConsoleSession, insertConsoleSession, liveConsoleSession } from '../db/console-sessions.js';
import type { Db } from '../db/pool.js';
import type { Role } from './permissions.js';

export interface SessionPolicy {
  /** Minutes without a request after which the session ends (default 30). */
  idleMinutes: number;
  /** Hours after sign-in after which the session ends (default 12: a working day). */
  absoluteHours: number;
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = { idleMinutes: 30, absoluteHours: 12 };

export interface Session {
  idHash: string;
  username: string;
  name: string;
  role: Role;
  /** The committee the user is scoped to (null: the whole deployment), and whether the committees under it too. */
  committeeCode: string | null;
  subtree: boolean;
  createdAt: string;
  expiresAt: string;
  /** The token every form of this session carries in its hidden `_csrf` field. */
  csrfToken: string;
}

const hashId = (raw: string): string => createHash('sha256').update(raw).digest('hex');

export function csrfTokenFor(rawId: string): string {
  return createHmac('sha256', rawId).update('chuky-console-csrf-v1').digest('base64url');
}

/** Constant-time comparison of two tokens (different lengths are simply unequal). */
export function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export async function createSession(
  db: Db,
  username: string,
  meta: { ip: string; userAgent: string },
  policy: SessionPolicy,
): Promise<{ rawId: string }> {
  const rawId = randomBytes(32).toString('base64url');
  await insertConsoleSession(db, {
    idHash: hashId(rawId),
    username,
    absoluteSeconds: policy.absoluteHours * 3600,
    ip: meta.ip,
    userAgent: meta.userAgent.slice(0, 300),
  });
  return { rawId };
}

/**
 * The live session of a cookie, or undefined. `touch` records the request as activity (a page, a form); the
 * live-update stream checks without touching, so an open tab left alone still times out.
 */
export async function loadSession(db: Db, rawId: string | undefined, policy: SessionPolicy, touch = true): Promise<Session | undefined> {
  if (!rawId || rawId.length > 100) return undefined;
  const r = await liveConsoleSession(db, hashId(rawId), policy.idleMinutes * 60, touch);
  if (!r) return undefined;
  return {
    idHash: r.idHash,
    username: r.username,
    name: r.name,
    role: r.role as Role,
    committeeCode: r.committeeCode,
    subtree: r.subtree,
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    csrfToken: csrfTokenFor(rawId),
  };
}

export async function endSession(db: Db, rawId: string | undefined): Promise<void> {
  if (!rawId) return;
  await endConsoleSession(db, hashId(rawId));
}
