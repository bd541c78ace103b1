/**
 * Emails asked for inside another write's transaction (migration 1764900000000_email-requests.sql), and what the
 * workers' email relay (workers/email-relay.ts) does with them: take the due ones under a lease, then delete each
 * once sent or put it off with its error.
 */
import type pg from 'pg';
import type { Db } from './pool.js';
import type { SendUnitEmailInput } from '../domain/workflow-io.js';

export interface EmailRequest {
  key: string;
  workflowId: string;
  input: SendUnitEmailInput;
  /** Times taken, this one included. */
  attempts: number;
}

/**
 * How long a relay holds a request it took before another may take it: longer than a send takes (SMTP's timeouts,
 * 10 s to connect and greet and 30 s of silence), and a second taker still finds the outbox row locked or sent.
 */
export const EMAIL_REQUEST_LEASE_SECONDS = 60;

/** Stores a request in the caller's transaction; the same key twice is one request (a retried transaction). */
export async function requestEmailIn(
  client: pg.PoolClient,
  r: { taskQueue: string; workflowId: string; input: SendUnitEmailInput },
): Promise<void> {
  await client.query(
    `INSERT INTO email_requests (email_key, task_queue, workflow_id, cycle_id, input)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (email_key) DO NOTHING`,
    [r.input.key, r.taskQueue, r.workflowId, r.input.cycleId, JSON.stringify(r.input)],
  );
}

/** Takes up to `limit` due requests of `taskQueue`, oldest first, each leased to this relay for a while. */
export async function takeDueEmailRequests(db: Db, taskQueue: string, limit: number): Promise<EmailRequest[]> {
  const { rows } = await db.query(
    `UPDATE email_requests r
        SET attempts = r.attempts + 1, next_attempt_at = now() + make_interval(secs => $3)
      WHERE r.email_key IN (
        SELECT email_key FROM email_requests
         WHERE task_queue = $1 AND next_attempt_at <= now()
         ORDER BY next_attempt_at
         LIMIT $2
         FOR UPDATE SKIP LOCKED)
      RETURNING r.email_key, r.workflow_id, r.input, r.attempts`,
    [taskQueue, limit, EMAIL_REQUEST_LEASE_SECONDS],
  );
  return rows.map((r) => ({ key: r.email_key, workflowId: r.workflow_id, input: r.input as SendUnitEmailInput, attempts: r.attempts }));
}

export async function emailRequestDone(db: Db, key: string): Promise<void> {
  await db.query('DELETE FROM email_requests WHERE email_key = $1', [key]);
}

export async function retryEmailRequestLater(db: Db, key: string, delayMs: number, error: string): Promise<void> {
  await db.query(`UPDATE email_requests SET next_attempt_at = now() + make_interval(secs => $2), last_error = $3 WHERE email_key = $1`, [
    key,
    delayMs / 1000,
    error.slice(0, 2000),
  ]);
}

export interface PendingEmailRequest {
  key: string;
  cycleId: string;
  unitCode: string;
  phase: string;
  kind: string;
  workflowId: string;
  /** Times taken so far; a request taken and not sent has its error in `lastError`. */
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  nextAttemptAt: Date;
}

/**
 * Requests not sent yet, of one cycle or of all (those taken at least `minAttempts` times): what `chuky stalled`
 * shows, and what a rehearsal waits for.
 */
export async function pendingEmailRequests(db: Db, cycleId?: string, minAttempts = 0): Promise<PendingEmailRequest[]> {
  const { rows } = await db.query(
    `SELECT email_key, cycle_id, input->>'unitCode' AS unit_code, input->>'phase' AS phase, input->>'kind' AS kind,
            workflow_id, attempts, last_error, created_at, next_attempt_at
       FROM email_requests
      WHERE ($1::text IS NULL OR cycle_id = $1) AND attempts >= $2
      ORDER BY created_at`,
    [cycleId ?? null, minAttempts],
  );
  return rows.map((r) => ({
    key: r.email_key,
    cycleId: r.cycle_id,
    unitCode: r.unit_code,
    phase: r.phase,
    kind: r.kind,
    workflowId: r.workflow_id,
    attempts: r.attempts,
    lastError: r.last_error,
    createdAt: r.created_at,
    nextAttemptAt: r.next_attempt_at,
  }));
}
