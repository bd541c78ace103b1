/**
 * Where a reminder (and everything else) is recorded: transitions, submissions and the obligations projection.
 * Every write is keyed, so an activity that retries writes once.
 */
import type pg from 'pg';
import type { AcceptSubmissionInput, RecordTransitionInput, StoreSubmissionInput } from '../domain/workflow-io.js';
import { withTransaction, type Db } from './pool.js';
import { emailKey } from '../domain/ids.js';

export async function recordTransition(db: Db, t: RecordTransitionInput): Promise<{ recorded: boolean }> {
  return recordTransitionIn(db, t);
}

/**
 * The obligation row's upsert by a transition. A transition retried late (its worker died) must not overwrite a
 * later one: the row keeps the newest state by the workflow's own clock (the fault suite saw "opened" land after
 * "submitted"), and of two at the same calendar time, the one the workflow recorded last. Shared by
 * recordTransition and acceptSubmission.
 */
const OBLIGATION_KEEPS_NEWEST = `ON CONFLICT (cycle_id, unit_code, phase) DO UPDATE SET deadline = EXCLUDED.deadline, due_at = EXCLUDED.due_at,
         status = EXCLUDED.status, escalation_level = EXCLUDED.escalation_level, last_event = EXCLUDED.last_event,
         calendar_at = EXCLUDED.calendar_at, seq = EXCLUDED.seq, updated_at = now()
       WHERE obligations.calendar_at IS NULL OR obligations.calendar_at < EXCLUDED.calendar_at
         OR (obligations.calendar_at = EXCLUDED.calendar_at AND (obligations.seq IS NULL OR EXCLUDED.seq IS NULL OR obligations.seq <= EXCLUDED.seq))`;

/**
 * The event, and the obligation's row when the event is new, in one statement (atomic by itself: no BEGIN and
 * COMMIT, a third of the round trips; every transition of every unit goes through here).
 */
async function recordTransitionIn(client: Db | pg.PoolClient, t: RecordTransitionInput): Promise<{ recorded: boolean }> {
  const { rows } = await client.query(
    `WITH event AS (
       INSERT INTO events (event_key, cycle_id, unit_code, phase, kind, status, escalation_level, deadline, actor, reason, data, calendar_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, to_timestamp($12 / 1000.0))
       ON CONFLICT (event_key) DO NOTHING
       RETURNING 1
     ), obligation AS (
       INSERT INTO obligations (cycle_id, unit_code, phase, deadline, due_at, status, escalation_level, last_event, calendar_at, seq)
       SELECT $2, $3, $4, $8, to_timestamp($13 / 1000.0), $6, $7, $5, to_timestamp($12 / 1000.0), $14 WHERE EXISTS (SELECT 1 FROM event)
       ${OBLIGATION_KEEPS_NEWEST}
       RETURNING 1
     )
     SELECT (SELECT count(*) FROM event)::int AS recorded`,
    [
      t.key,
      t.cycleId,
      t.unitCode,
      t.phase,
      t.kind,
      t.status,
      t.escalationLevel,
      t.deadline,
      t.actor,
      t.reason ?? null,
      t.data ? JSON.stringify(t.data) : null,
      t.calendarAt,
      t.dueAt,
      t.seq ?? null,
    ],
  );
  return { recorded: (rows[0]?.recorded ?? 0) > 0 };
}

/** Stores one version of a submission; a retried store with the same key returns the version already stored. */
export async function storeSubmission(db: Db, s: StoreSubmissionInput): Promise<{ version: number }> {
  return withTransaction(db, (client) => storeSubmissionIn(client, s));
}

async function storeSubmissionIn(client: pg.PoolClient, s: StoreSubmissionInput): Promise<{ version: number }> {
  const existing = await client.query('SELECT version FROM submissions WHERE submission_key = $1', [s.key]);
  if (existing.rows[0]) return { version: existing.rows[0].version as number };
  // Serialise versions of one obligation: two revisions at once must not both become version N.
  await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${s.cycleId}/${s.unitCode}/${s.phase}`]);
  const { rows } = await client.query(
    'SELECT COALESCE(max(version), 0) + 1 AS v FROM submissions WHERE cycle_id = $1 AND unit_code = $2 AND phase = $3',
    [s.cycleId, s.unitCode, s.phase],
  );
  const version = rows[0].v as number;
  await client.query(
    `INSERT INTO submissions (submission_key, cycle_id, unit_code, phase, version, payload, actor, via, late, calendar_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, to_timestamp($10 / 1000.0))`,
    [s.key, s.cycleId, s.unitCode, s.phase, version, JSON.stringify(s.payload), s.actor, s.via, s.late, s.calendarAt],
  );
  return { version };
}

/**
 * `storeSubmission`, then its transition ('submitted' for version 1, 'revised' after, with the version in its
 * data) as `recordTransition` records it, and the request for its receipt (db/email-requests.ts), in one
 * statement: atomic by itself, one round trip instead of eight (BEGIN, the key, a lock, the versions, the row,
 * the transition, the request, COMMIT), on the path where a unit waits for its "đã nhận" (bench/RESULTS.md,
 * scenario 3). Retried with the same key, it stores, records and asks nothing twice and returns the version
 * stored the first time.
 *
 * Versions of one obligation are numbered by the statement itself (the highest + 1); two statements numbering
 * the same obligation at once cannot both win, by the table's UNIQUE (cycle_id, unit_code, phase, version): the
 * loser fails and its local activity is retried, and numbers the next version. The unit workflow runs its
 * local activities one at a time (workflows/lock.ts), so that takes a worker's crash and a retry racing it.
 */
export async function acceptSubmission(db: Db, a: AcceptSubmissionInput, relay?: { taskQueue: string }): Promise<{ version: number }> {
  const receipt = a.receipt && relay ? a.receipt : undefined;
  // The receipt's key is emailKey's with the version as its sequence (`…/receipt@<deadline>#<version>`), as the
  // workflow's own send named it before the relay; the statement appends the version it numbered.
  const receiptKeyBase = receipt
    ? emailKey({
        cycle: receipt.email.cycleId,
        unit: receipt.email.unitCode,
        phase: receipt.email.phase,
        kind: 'receipt',
        deadline: receipt.email.deadline,
      })
    : null;
  const { rows } = await db.query(
    `WITH existing AS (
       SELECT version FROM submissions WHERE submission_key = $1
     ), inserted AS (
       INSERT INTO submissions (submission_key, cycle_id, unit_code, phase, version, payload, actor, via, late, calendar_at)
       SELECT $1, $2, $3, $4, COALESCE(max(version), 0) + 1, $5, $6, $7, $8, to_timestamp($9 / 1000.0)
         FROM submissions WHERE cycle_id = $2 AND unit_code = $3 AND phase = $4
       HAVING NOT EXISTS (SELECT 1 FROM existing)
       ON CONFLICT (submission_key) DO NOTHING
       RETURNING version
     ), v AS (
       SELECT COALESCE((SELECT version FROM inserted), (SELECT version FROM existing)) AS version
     ), event AS (
       INSERT INTO events (event_key, cycle_id, unit_code, phase, kind, status, escalation_level, deadline, actor, reason, data, calendar_at)
       SELECT $1, $2, $3, $4, CASE WHEN v.version = 1 THEN 'submitted' ELSE 'revised' END, $10, $11, $12, $6, NULL,
              jsonb_build_object('version', v.version) || $13::jsonb, to_timestamp($14 / 1000.0)
         FROM v WHERE v.version IS NOT NULL
       ON CONFLICT (event_key) DO NOTHING
       RETURNING kind
     ), obligation AS (
       INSERT INTO obligations (cycle_id, unit_code, phase, deadline, due_at, status, escalation_level, last_event, calendar_at, seq)
       SELECT $2, $3, $4, $12, to_timestamp($15 / 1000.0), $10, $11, event.kind, to_timestamp($14 / 1000.0), $16 FROM event
       ${OBLIGATION_KEEPS_NEWEST}
       RETURNING 1
     ), request AS (
       INSERT INTO email_requests (email_key, task_queue, workflow_id, cycle_id, input)
       SELECT $17 || '#' || v.version, $18, $19, $2,
              $20::jsonb || jsonb_build_object('key', $17 || '#' || v.version, 'version', v.version)
         FROM v WHERE $17::text IS NOT NULL AND v.version IS NOT NULL
       ON CONFLICT (email_key) DO NOTHING
       RETURNING 1
     )
     SELECT v.version, (SELECT count(*) FROM obligation)::int AS projected, (SELECT count(*) FROM request)::int AS requested FROM v`,
    [
      a.key,
      a.cycleId,
      a.unitCode,
      a.phase,
      JSON.stringify(a.payload),
      a.actor,
      a.via,
      a.late,
      a.calendarAt,
      a.status,
      a.escalationLevel,
      a.deadline,
      JSON.stringify(a.data),
      a.calendarAt,
      a.dueAt,
      a.seq ?? null,
      receiptKeyBase,
      relay?.taskQueue ?? null,
      receipt?.workflowId ?? null,
      receipt ? JSON.stringify(receipt.email) : null,
    ],
  );
  const version = rows[0]?.version as number | null | undefined;
  if (typeof version !== 'number') throw new Error(`submission ${a.key}: neither stored nor found`);
  return { version };
}

export interface ObligationRow {
  unitCode: string;
  unitName: string;
  phase: string;
  deadline: string;
  status: string;
  escalationLevel: number;
  lastEvent: string;
  updatedAt: string;
  emailsSent: number;
  versions: number;
}

/** Every unit of a cycle with its obligation state; units whose workflow has not recorded anything yet show as 'launching'. */
export async function cycleStatus(db: Db, cycleId: string): Promise<ObligationRow[]> {
  const { rows } = await db.query(
    `SELECT u.code, u.name, o.phase, to_char(o.deadline, 'YYYY-MM-DD') AS deadline, o.status, o.escalation_level, o.last_event, o.updated_at,
       (SELECT count(*)::int FROM emails e WHERE e.cycle_id = u.cycle_id AND e.unit_code = u.code AND e.phase = o.phase AND e.status IN ('sent', 'partial')) AS emails_sent,
       (SELECT count(*)::int FROM submissions s WHERE s.cycle_id = u.cycle_id AND s.unit_code = u.code AND s.phase = o.phase) AS versions
     FROM units u LEFT JOIN obligations o ON o.cycle_id = u.cycle_id AND o.unit_code = u.code
     WHERE u.cycle_id = $1 ORDER BY u.code, o.phase`,
    [cycleId],
  );
  return rows.map((r) => ({
    unitCode: r.code,
    unitName: r.name,
    phase: r.phase ?? '',
    deadline: r.deadline ?? '',
    status: r.status ?? 'launching',
    escalationLevel: r.escalation_level ?? 0,
    lastEvent: r.last_event ?? '',
    updatedAt: r.updated_at ? new Date(r.updated_at).toISOString() : '',
    emailsSent: r.emails_sent,
    versions: r.versions,
  }));
}

export async function unitEvents(db: Db, cycleId: string, unitCode: string): Promise<Record<string, unknown>[]> {
  const { rows } = await db.query(
    `SELECT phase, kind, status, escalation_level, to_char(deadline, 'YYYY-MM-DD') AS deadline, actor, reason, data, at, calendar_at
     FROM events WHERE cycle_id = $1 AND unit_code = $2 ORDER BY id`,
    [cycleId, unitCode],
  );
  return rows;
}

/** Emails that could not be delivered (permanent SMTP failures): an operator corrects the unit's address. */
export async function bouncedEmails(
  db: Db,
  cycleId: string,
): Promise<{ unitCode: string; phase: string; kind: string; to: string[]; error: string | null; at: string }[]> {
  const { rows } = await db.query(
    'SELECT unit_code, phase, kind, to_addrs, last_error, created_at FROM emails WHERE cycle_id = ' +
      "$1 AND status IN ('bounced', 'partial') ORDER BY id",
    [cycleId],
  );
  return rows.map((r) => ({
    unitCode: r.unit_code,
    phase: r.phase,
    kind: r.kind,
    to: r.to_addrs,
    error: r.last_error,
    at: new Date(r.created_at).toISOString(),
  }));
}
