/**
 * What `chuky unit show` shows, as data: from the database and Temporal with the deployment's credentials, from
 * the operator API (GET /cycles/:cycle/units/:unit) with a committee's token — one shape, one printer.
 */
import type { Client } from '@temporalio/client';
import { unitView } from '../client/unit-actions.js';
import type { Db } from '../db/pool.js';
import { unitEvents } from '../db/records.js';
import { unitEmails } from '../db/unit-emails.js';
import { unitTimeline } from './timeline.js';

export interface UnitShowView {
  live: Awaited<ReturnType<typeof unitView>>;
  events: Awaited<ReturnType<typeof unitEvents>>;
  emails: Awaited<ReturnType<typeof unitEmails>>;
  timeline: Awaited<ReturnType<typeof unitTimeline>>;
}

/** The live state from Temporal (a query) and the record from PostgreSQL, read at once. */
export async function unitShowView(client: Client, db: Db, cycleId: string, unitCode: string): Promise<UnitShowView> {
  // The query waits on the worker, the reads on PostgreSQL. The timeline is everything in one list, in time
  // order, each with why: emails, submissions, transitions, repairs, inspections.
  const [live, events, emails, timeline] = await Promise.all([
    unitView(client, cycleId, unitCode),
    unitEvents(db, cycleId, unitCode),
    unitEmails(db, cycleId, unitCode),
    unitTimeline(db, cycleId, unitCode),
  ]);
  return { live, events, emails, timeline };
}
