/**
 * One deployment, many committees (issue 17): which committees a console user may see and act on. A user with no
 * committee sees the whole deployment; a user of a committee sees that committee, and where granted (`subtree`)
 * every committee under it (db/committee-scope.ts). Deny by default, like the permission table: every route says
 * here how it keeps a scoped user to their committees, and the router refuses to declare a route missing from it.
 *
 * - `cycle-in-path`: the route names a cycle (`:cycle`); the guard answers 404 for a cycle out of scope, exactly
 *   as for a cycle that does not exist, so a clerk cannot even learn which cycles another committee runs.
 * - `cycle-in-body`: a POST naming its cycle (`cycleId`) or a workflow of a cycle (`workflowId`); the guard
 *   refuses one out of scope, or one naming neither, before the handler runs.
 * - `filtered`: a list; its handler keeps only what is in scope (`sees`).
 * - `users`: the users' pages; a scoped admin sees and manages only users of its own scope.
 * - `none`: signing in and out.
 */
import { committeeOfCycle, committeesUnder, cyclesOfCommittees } from '../db/committee-scope.js';
import type { Db } from '../db/pool.js';
import { parseWorkflowId } from '../ops/stalled.js';
import type { Session } from './sessions.js';

export type ScopeRule = 'cycle-in-path' | 'cycle-in-body' | 'filtered' | 'users' | 'none';

const REPAIRS = ['extend', 'exempt', 'remind', 'record', 'retry', 'reset', 'cancel'] as const;

export const ROUTE_SCOPE: Record<string, ScopeRule> = {
  'GET /dang-nhap': 'none',
  'POST /dang-nhap': 'none',
  'POST /dang-xuat': 'none',
  'GET /': 'filtered',
  'GET /qua-han': 'filtered',
  'GET /bi-ket': 'filtered',
  'GET /nhat-ky': 'filtered',
  'GET /chu-ky/:cycle': 'cycle-in-path',
  'GET /chu-ky/:cycle/truc-tiep': 'cycle-in-path',
  'GET /chu-ky/:cycle/bieu-do': 'cycle-in-path',
  'GET /chu-ky/:cycle/don-vi/:unit': 'cycle-in-path',
  'GET /chu-ky/:cycle/don-vi/:unit/ghi-nhan/:phase': 'cycle-in-path',
  ...Object.fromEntries(REPAIRS.map((a) => [`POST /sua-chua/${a}`, 'cycle-in-body' as const])),
  'GET /nguoi-dung': 'users',
  'POST /nguoi-dung/them': 'users',
  'POST /nguoi-dung/khoa': 'users',
  'POST /nguoi-dung/mo-khoa': 'users',
};

export type Scope = { all: true } | { all: false; root: string; subtree: boolean; committees: ReadonlySet<string> };

export const WHOLE_DEPLOYMENT: Scope = { all: true };

/** The scope of a signed-in user (read per request: a child cycle registered since sign-in is in it at once). */
export async function scopeOf(db: Db, session: Pick<Session, 'committeeCode' | 'subtree'> | undefined): Promise<Scope> {
  if (!session?.committeeCode) return WHOLE_DEPLOYMENT;
  const committees = await committeesUnder(db, session.committeeCode, session.subtree);
  return { all: false, root: session.committeeCode, subtree: session.subtree, committees: new Set(committees) };
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

/** The cycle a repair's form names: its `cycleId`, else the cycle of its `workflowId`. */
export function cycleOfRequest(body: Record<string, unknown>): string | undefined {
  const cycleId = typeof body.cycleId === 'string' ? body.cycleId.trim() : '';
  if (cycleId) return cycleId;
  const workflowId = typeof body.workflowId === 'string' ? body.workflowId.trim() : '';
  return workflowId ? parseWorkflowId(workflowId).cycleId : undefined;
}

/** The cycles a scoped user sees (undefined: every cycle), for lists filtered after they are read. */
export async function visibleCycles(db: Db, scope: Scope): Promise<ReadonlySet<string> | undefined> {
  return scope.all ? undefined : cyclesOfCommittees(db, [...scope.committees]);
}

/** The audit log's filter for a scope: entries about its committees only. */
export function auditScope(scope: Scope): { committees?: string[] } {
  return scope.all ? {} : { committees: [...scope.committees] };
}
