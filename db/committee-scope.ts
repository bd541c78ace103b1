/**
 * Committees as a tree, read from the cycles (issue 17): committee B is under committee A when one of B's cycles
 * is a child of one of A's (cycles.parent_cycle_id). A scoped console user sees one committee, or that committee
 * and every committee under it at any depth.
 */
import type { Db } from './pool.js';

/** `code` and, with `subtree`, every committee under it; in code order. */
export async function committeesUnder(db: Db, code: string, subtree: boolean): Promise<string[]> {
  if (!subtree) return [code];
  const { rows } = await db.query<{ code: string }>(
    `WITH RECURSIVE tree (code) AS (
       SELECT $1::text
       UNION
       SELECT child.committee_code FROM cycles child
         JOIN cycles parent ON parent.id = child.parent_cycle_id
         JOIN tree ON tree.code = parent.committee_code
     )
     SELECT code FROM tree ORDER BY code`,
    [code],
  );
  return rows.map((r) => r.code);
}

/** The committee a cycle belongs to, or undefined for no such cycle. */
export async function committeeOfCycle(db: Db, cycleId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ committee_code: string }>('SELECT committee_code FROM cycles WHERE id = $1', [cycleId]);
  return rows[0]?.committee_code;
}

/** Every committee with a cycle in chuky, with its name (from its latest cycle), in code order. */
export async function knownCommittees(db: Db): Promise<Array<{ code: string; name: string }>> {
  const { rows } = await db.query<{ code: string; name: string }>(
    `SELECT DISTINCT ON (committee_code) committee_code AS code, definition->'committee'->>'name' AS name
       FROM cycles ORDER BY committee_code, year DESC`,
  );
  return rows;
}

/** The ids of every cycle of these committees. */
export async function cyclesOfCommittees(db: Db, codes: readonly string[]): Promise<Set<string>> {
  const { rows } = await db.query<{ id: string }>('SELECT id FROM cycles WHERE committee_code = ANY($1)', [codes]);
  return new Set(rows.map((r) => r.id));
}

/** What a console user or an API token may see: the whole deployment, or a committee (and, with `subtree`, those under it). */
export type Scope = { all: true } | { all: false; root: string; subtree: boolean; committees: ReadonlySet<string> };

export const WHOLE_DEPLOYMENT: Scope = { all: true };

/**
 * The scope of a console user or an API token (read per request: a child cycle registered since sign-in is in
 * it at once). No committee: the whole deployment.
 */
export async function scopeOf(db: Db, holder: { committeeCode: string | null; subtree: boolean } | undefined): Promise<Scope> {
  if (!holder?.committeeCode) return WHOLE_DEPLOYMENT;
  const committees = await committeesUnder(db, holder.committeeCode, holder.subtree);
  return { all: false, root: holder.committeeCode, subtree: holder.subtree, committees: new Set(committees) };
}

/** Whether the scope includes this committee; nothing (an unknown cycle's) is in a committee's scope. */
export function sees(scope: Scope, committeeCode: string | null | undefined): boolean {
  if (scope.all) return true;
  return typeof committeeCode === 'string' && scope.committees.has(committeeCode);
}

/** Whether the scope includes this cycle (by its committee, read from the database). */
export async function seesCycle(db: Db, scope: Scope, cycleId: string | undefined): Promise<boolean> {
  if (scope.all) return true;
  if (!cycleId) return false;
  return sees(scope, await committeeOfCycle(db, cycleId));
}

/**
 * Whether the scope may change this committee's cycles: the whole deployment, or the scope's own committee. A
 * subtree is seen, not changed: a superior's clerk reads the progress of the committees under it, and each
 * committee acts on its own year (../shared/DOMAIN.md, "The tree").
 */
export function acts(scope: Scope, committeeCode: string | null | undefined): boolean {
  if (scope.all) return true;
  return typeof committeeCode === 'string' && committeeCode === scope.root;
}

/** For a change to a cycle: 'act' (its own), 'read-only' (seen through the subtree), or 'unseen' (404). */
export async function accessToCycle(db: Db, scope: Scope, cycleId: string | undefined): Promise<'act' | 'read-only' | 'unseen'> {
  if (scope.all) return 'act';
  if (!cycleId) return 'unseen';
  const committee = await committeeOfCycle(db, cycleId);
  if (acts(scope, committee)) return 'act';
  return sees(scope, committee) ? 'read-only' : 'unseen';
}

/** The cycles a scoped user sees (undefined: every cycle), for lists filtered after they are read. */
export async function visibleCycles(db: Db, scope: Scope): Promise<ReadonlySet<string> | undefined> {
  return scope.all ? undefined : cyclesOfCommittees(db, [...scope.committees]);
}

/** The audit log's filter for a scope: entries about its committees only. */
export function auditScope(scope: Scope): { committees?: string[] } {
  return scope.all ? {} : { committees: [...scope.committees] };
}
