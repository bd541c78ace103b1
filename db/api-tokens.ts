/** The api_tokens table (migration 1765400000000): committee-scoped tokens of the operator API, kept as SHA-256. */
import type { Db } from './pool.js';

export interface ApiTokenRow {
  id: number;
  name: string;
  committeeCode: string;
  subtree: boolean;
  createdBy: string;
  createdAt: string;
  revokedAt: string | null;
}

function toRow(r: Record<string, unknown>): ApiTokenRow {
  return {
    id: Number(r.id),
    name: r.name as string,
    committeeCode: r.committee_code as string,
    subtree: r.subtree === true,
    createdBy: r.created_by as string,
    createdAt: new Date(r.created_at as string).toISOString(),
    revokedAt: r.revoked_at ? new Date(r.revoked_at as string).toISOString() : null,
  };
}

export async function insertApiToken(
  db: Db,
  t: { name: string; committeeCode: string; subtree: boolean; tokenSha256: string; createdBy: string },
): Promise<ApiTokenRow> {
  const { rows } = await db.query(
    `INSERT INTO api_tokens (name, committee_code, subtree, token_sha256, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING *`,
    [t.name, t.committeeCode, t.subtree, t.tokenSha256, t.createdBy],
  );
  return toRow(rows[0]);
}

/** The live (not revoked) token with this hash, or undefined. */
export async function liveApiToken(db: Db, tokenSha256: string): Promise<ApiTokenRow | undefined> {
  const { rows } = await db.query('SELECT * FROM api_tokens WHERE token_sha256 = $1 AND revoked_at IS NULL', [tokenSha256]);
  return rows[0] ? toRow(rows[0]) : undefined;
}

export async function listApiTokens(db: Db): Promise<ApiTokenRow[]> {
  const { rows } = await db.query('SELECT * FROM api_tokens ORDER BY id');
  return rows.map(toRow);
}

/** Revokes a token (keeping the first revocation's time); false for no such token. */
export async function revokeApiToken(db: Db, id: number): Promise<boolean> {
  const r = await db.query('UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1', [id]);
  return (r.rowCount ?? 0) > 0;
}
