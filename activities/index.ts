/**
 * All activities, built by one factory from their clients (database pool, mailer, Temporal client): nothing
 * reaches for a global, so tests pass real test instances and production passes real ones.
 */
import type { Client } from '@temporalio/client';
import { Context } from '@temporalio/activity';
import type { Db } from '../db/pool.js';
import type { Mailer } from '../mail/transport.js';
import { createEmailActivities } from './email.js';
import { createRecordActivities } from './records.js';
import { createCycleActivities } from './cycle.js';

export interface ActivityDeps {
  db: Db;
  mailer: Mailer;
  client: Client;
  taskQueue: string;
  mailFrom: string;
  publicBaseUrl: string;
  signingSecret: string;
  templatesDir?: string | undefined;
  searchAttributes: boolean;
  /** Told when an activity has stored an email request (db/email-requests.ts): the worker's relay wakes. */
  onEmailRequested?: (() => void) | undefined;
}

/** How often a running activity tells the server it is alive; workflows set a heartbeat timeout a few times longer. */
export const HEARTBEAT_EVERY_MS = 2_000;

/**
 * Every activity heartbeats while it runs. Without heartbeats, an activity whose worker was killed (kill -9, an
 * OOM, a lost machine) is retried only when its start-to-close timeout expires — a minute for most — and meanwhile
 * its workflow waits: a notice held up for a minute on a compressed calendar, or a unit's submission racing a
 * transition still owed from before the crash (the fault suite found both). With a heartbeat timeout of seconds
 * the server gives the task to a live worker almost at once. Local activities have no heartbeat; they are skipped.
 */
function withHeartbeats<T extends Record<string, (...args: never[]) => Promise<unknown>>>(activities: T): T {
  const wrapped: Record<string, (...args: never[]) => Promise<unknown>> = {};
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = async (...args: never[]) => {
      let ctx: Context | undefined;
      try {
        ctx = Context.current();
      } catch {
        ctx = undefined; // called outside an activity (tests call some directly)
      }
      const beat = ctx && !ctx.info.isLocal ? setInterval(() => ctx.heartbeat(), HEARTBEAT_EVERY_MS) : undefined;
      try {
        return await fn(...args);
      } finally {
        if (beat) clearInterval(beat);
      }
    };
  }
  return wrapped as T;
}

export function createActivities(deps: ActivityDeps) {
  return withHeartbeats({
    ...createEmailActivities(deps),
    ...createRecordActivities(deps),
    ...createCycleActivities(deps),
  });
}

export type Activities = ReturnType<typeof createActivities>;
