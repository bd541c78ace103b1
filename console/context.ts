/** What the console is built from, and what each request carries through its middleware. */
import type { Client } from '@temporalio/client';
import type { Context } from 'hono';
import type { Db } from '../db/pool.js';
import type { EmailDeps } from '../activities/email.js';
import type { OpsDeps } from '../ops/types.js';
import { temporalWorkflowUrl } from '../ops/temporal-url.js';
import type { Scope } from './scope.js';
import type { Session, SessionPolicy } from './sessions.js';
import type { ThrottlePolicy } from './throttle.js';

export interface ConsoleOptions {
  session?: Partial<SessionPolicy>;
  throttle?: Partial<ThrottlePolicy>;
  /**
   * Take the client's address from the right-most X-Forwarded-For entry (behind one reverse proxy that sets it).
   * Off by default: the socket's address, which a client cannot forge.
   */
  trustProxy?: boolean;
  /** How often the live view polls the events table, in ms (default 2000). */
  livePollMs?: number;
  /** How long one live stream stays open before the browser reconnects (and is authorised again), in ms. */
  liveMaxMs?: number;
}

export interface ConsoleDeps {
  db: Db;
  client: Client;
  namespace: string;
  taskQueue: string;
  temporalUiUrl?: string | undefined;
  /** The mailer and settings the 'remind' repair sends with (the worker's); without it 'remind' says it cannot. */
  mail?: Omit<EmailDeps, 'db'> | undefined;
  /** PUBLIC_BASE_URL: its origin is accepted on POSTs, and https makes the cookie Secure. */
  publicBaseUrl?: string | undefined;
  options?: ConsoleOptions | undefined;
}

export type ConsoleEnv = {
  Variables: {
    nonce: string;
    session: Session | undefined;
    rawSessionId: string | undefined;
    /** What the signed-in user may see: set by the guard for every declared route (console/scope.ts). */
    scope: Scope;
    /** The page's cycle is a committee's under the user's (seen through its subtree): read, not changed. */
    readOnlyCycle: boolean | undefined;
    /** For a user granted a subtree: the cycles of its own committee, the only ones it changes (lists' rows). */
    ownCycles: ReadonlySet<string> | undefined;
  };
};

export type Ctx = Context<ConsoleEnv>;

export function opsDeps(deps: ConsoleDeps): OpsDeps {
  return {
    db: deps.db,
    client: deps.client,
    namespace: deps.namespace,
    taskQueue: deps.taskQueue,
    ...(deps.temporalUiUrl ? { temporalUiUrl: deps.temporalUiUrl } : {}),
    ...(deps.mail ? { mail: deps.mail } : {}),
  };
}

/** A workflow's page in Temporal's Web UI, or undefined when the UI's address is not known. */
export function temporalLink(
  deps: Pick<ConsoleDeps, 'temporalUiUrl' | 'namespace'>,
  workflowId: string,
  runId?: string,
): string | undefined {
  return temporalWorkflowUrl(deps.temporalUiUrl, deps.namespace, workflowId, runId);
}

/** A path parameter of the declared route (handlers are typed without their path, so Hono cannot tell it exists). */
export function param(c: Ctx, name: string): string {
  return c.req.param(name) ?? '';
}
