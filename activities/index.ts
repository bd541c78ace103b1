/**
 * All activities, built by one factory from their clients (database pool, mailer, Temporal client): nothing
 * reaches for a global, so tests pass real test instances and production passes real ones.
 */
import type { Client } from '@temporalio/client';
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
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createEmailActivities(deps),
    ...createRecordActivities(deps),
    ...createCycleActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
