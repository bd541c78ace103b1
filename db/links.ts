/**
 * Revoked links: a unit's links issued before its `revoked_before` are refused (a forwarded or leaked email).
 * Links carry their issue time in whole seconds (`iat`), so the comparison is in seconds: a link issued in the
 * same second as the revocation counts as revoked, whichever came first within that second. `revokeLinks`
 * returns only once that second is over, so every link signed after it returns (a new email, `chuky link
 * issue`) works.
 */
import type { LinkScope } from '../auth/links.js';
import type { Db } from './pool.js';

export class RevocationError extends Error {
  override name = 'RevocationError';
  constructor(
    message: string,
    readonly httpStatus: 400 | 404,
  ) {
    super(message);
  }
}

export interface Revocation {
  cycleId: string;
  unitCode: string;
  /** Links issued before this instant are refused (extended to the end of its second). */
  revokedBefore: string;
  /** The first instant at which a newly signed link is valid again. */
  validFrom: string;
  reason: string;
  actor: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The end of the second `ms` falls in: links with iat·1000 below it are revoked. */
function endOfSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000 + 1000;
}

/**
 * Revokes every link issued so far for the unit (all its phases). A later revocation moves the bound forward,
 * never back. Refuses an unknown unit (a typo would otherwise revoke nothing, silently).
 */
export async function revokeLinks(
  db: Db,
  params: { cycleId: string; unitCode: string; reason: string; actor: string; now?: number; wait?: boolean },
): Promise<Revocation> {
  const reason = params.reason.normalize('NFC').trim();
  if (reason.length < 3) throw new RevocationError('Lý do: cần ghi rõ lý do thu hồi', 400);
  const actor = params.actor.normalize('NFC').trim();
  if (actor === '') throw new RevocationError('actor: who revokes must be named', 400);
  const { rows: units } = await db.query('SELECT code FROM units WHERE cycle_id = $1 AND code = $2', [params.cycleId, params.unitCode]);
  if (units.length === 0) throw new RevocationError(`no unit "${params.unitCode}" in cycle "${params.cycleId}"`, 404);
  const at = params.now ?? Date.now();
  const { rows } = await db.query(
    `INSERT INTO link_revocations (cycle_id, unit_code, revoked_before, reason, actor)
     VALUES ($1, $2, to_timestamp($3 / 1000.0), $4, $5)
     ON CONFLICT (cycle_id, unit_code) DO UPDATE SET
       revoked_before = GREATEST(link_revocations.revoked_before, EXCLUDED.revoked_before),
       reason = EXCLUDED.reason, actor = EXCLUDED.actor, at = now()
     RETURNING (extract(epoch FROM revoked_before) * 1000)::float8 AS revoked_before_ms`,
    [params.cycleId, params.unitCode, at, reason, actor],
  );
  const revokedBeforeMs = Number(rows[0].revoked_before_ms);
  const validFrom = endOfSecond(revokedBeforeMs);
  if (params.wait !== false) {
    const wait = validFrom - Date.now();
    if (wait > 0) await sleep(wait);
  }
  return {
    cycleId: params.cycleId,
    unitCode: params.unitCode,
    revokedBefore: new Date(revokedBeforeMs).toISOString(),
    validFrom: new Date(validFrom).toISOString(),
    reason,
    actor,
  };
}

/** True when the unit's links issued at `issuedAtMs` (a token's iat in ms) have been revoked. */
export async function isRevoked(db: Db, scope: Pick<LinkScope, 'cycleId' | 'unitCode'>, issuedAtMs: number): Promise<boolean> {
  const { rows } = await db.query(
    'SELECT floor(extract(epoch FROM revoked_before))::bigint AS second FROM link_revocations WHERE cycle_id = $1 AND unit_code = $2',
    [scope.cycleId, scope.unitCode],
  );
  return revokedBy(rows[0] ? Number(rows[0].second) : null, issuedAtMs);
}

/**
 * Whether a link issued at `issuedAtMs` is revoked by a revocation of its unit's links before `second` (whole
 * seconds, as stored; null: none). The revocation's own second counts as revoked: a token's `iat` has whole seconds.
 */
export function revokedBy(second: number | null, issuedAtMs: number): boolean {
  return second !== null && issuedAtMs < (second + 1) * 1000;
}

export async function getRevocation(db: Db, cycleId: string, unitCode: string): Promise<Omit<Revocation, 'validFrom'> | undefined> {
  const { rows } = await db.query(
    `SELECT (extract(epoch FROM revoked_before) * 1000)::float8 AS ms, reason, actor FROM ` +
      `link_revocations WHERE cycle_id = $1 AND unit_code = $2`,
    [cycleId, unitCode],
  );
  if (!rows[0]) return undefined;
  return { cycleId, unitCode, revokedBefore: new Date(Number(rows[0].ms)).toISOString(), reason: rows[0].reason, actor: rows[0].actor };
}
