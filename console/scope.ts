/**
 * One deployment, many committees (issue 17): which committees a console user may see and act on. A user with no
 * committee sees the whole deployment; a user of a committee sees that committee, and where granted (`subtree`)
 * every committee under it (db/committee-scope.ts). Deny by default, like the permission table: every route says
 * here how it keeps a scoped user to their committees, and the router refuses to declare a route missing from it.
 *
 * - `cycle-in-path`: the route names a cycle (`:cycle`); the guard answers 404 for a cycle out of scope, exactly
 *   as for a cycle that does not exist, so a clerk cannot even learn which cycles another committee runs.
 * - `cycle-in-body`: a POST naming its cycle (`cycleId`) or a workflow of a cycle (`workflowId`), or both; the
 *   guard refuses it, before the handler runs, unless every cycle it names is in scope (and it names one).
 * - `filtered`: a list; its handler keeps only what is in scope (`sees`).
 * - `users`: the users' pages; a scoped admin sees and manages only users of its own scope.
 * - `none`: signing in and out.
 */

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
  'GET /chu-ky/:cycle/bao-cao-len': 'cycle-in-path',
  'POST /chu-ky/:cycle/bao-cao-len': 'cycle-in-path',
  ...Object.fromEntries(REPAIRS.map((a) => [`POST /sua-chua/${a}`, 'cycle-in-body' as const])),
  'GET /nguoi-dung': 'users',
  'POST /nguoi-dung/them': 'users',
  'POST /nguoi-dung/khoa': 'users',
  'POST /nguoi-dung/mo-khoa': 'users',
};

export { accessToEveryCycle, cyclesOfRequest } from '../ops/repair-scope.js';
export { accessToCycle, auditScope, scopeOf, sees, seesCycle, visibleCycles, WHOLE_DEPLOYMENT, type Scope } from '../db/committee-scope.js';
