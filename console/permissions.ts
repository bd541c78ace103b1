/**
 * Who may do what in the console: ONE table, action → roles, consulted by the guard (console/router.ts) for
 * every request. A route names its action when it is declared; a request matching no declared route is refused,
 * and so is an action missing from this table. Adding a page therefore means adding a line here.
 */

export const ROLES = ['admin', 'clerk', 'leader'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABEL_VI: Record<Role, string> = {
  admin: 'Quản trị hệ thống',
  clerk: 'Ban Tuyên giáo',
  leader: 'Lãnh đạo (chỉ xem)',
};

/** Actions anyone may take, signed in or not (the sign-in page itself). */
export const PUBLIC = 'public' as const;

export const PERMISSIONS = {
  /** Cycles, a cycle's page, its charts and its live updates, a unit's page and timeline. */
  'cycle.view': ['admin', 'clerk', 'leader'],
  /** The overdue list. */
  'overdue.view': ['admin', 'clerk', 'leader'],
  /** The stalled workflows (findStalls). */
  'stalls.view': ['admin', 'clerk', 'leader'],
  /** The audit log. */
  'audit.view': ['admin', 'clerk', 'leader'],
  /** Repairs on a unit's obligation (Ban Tuyên giáo's daily work). */
  'repair.extend': ['admin', 'clerk'],
  'repair.exempt': ['admin', 'clerk'],
  'repair.remind': ['admin', 'clerk'],
  'repair.record': ['admin', 'clerk'],
  /** Repairs on workflows themselves: the administrator's. */
  'repair.retry': ['admin'],
  'repair.reset': ['admin'],
  'repair.cancel': ['admin'],
  /** A committee's year-end report to its superior, drafted from its closed cycle, confirmed and sent (issue 17). */
  'report.upward': ['admin', 'clerk'],
  /** Console users. */
  'users.view': ['admin'],
  'users.manage': ['admin'],
  /** Signing out (any signed-in user). */
  'session.end': ['admin', 'clerk', 'leader'],
} as const satisfies Record<string, readonly Role[]>;

export type Action = keyof typeof PERMISSIONS;
export type RouteAction = Action | typeof PUBLIC;

export const ACTIONS = Object.keys(PERMISSIONS) as Action[];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Deny by default: an unknown action or role is refused. */
export function allowed(role: string | undefined, action: string): boolean {
  if (action === PUBLIC) return true;
  if (!role || !Object.prototype.hasOwnProperty.call(PERMISSIONS, action)) return false;
  return (PERMISSIONS[action as Action] as readonly string[]).includes(role);
}

/** The repair actions, each its own permission. */
export function repairPermission(action: string): Action | undefined {
  const key = `repair.${action}`;
  return Object.prototype.hasOwnProperty.call(PERMISSIONS, key) ? (key as Action) : undefined;
}
