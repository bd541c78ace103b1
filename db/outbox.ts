/**
 * The email outbox: one row per purpose (email_key). Sending claims the row under a lock, so two attempts of
 * the same activity cannot both send, and a retry after success finds the row sent and stops. Once the SMTP
 * server has answered, the answer is recorded even when the claim's transaction is lost with the database.
 */
import type pg from 'pg';
import type { Db } from './pool.js';

export interface OutboxClaim {
  /** partial: delivered to some recipients, refused (5xx) by others. */
  status: 'pending' | 'sent' | 'bounced' | 'partial';
  messageId: string;
}

/** An outbox row as a send writes it. */
export interface OutboxEmail {
  key: string;
  messageId: string;
  cycleId: string;
  unitCode: string;
  phase: string;
  kind: string;
  to: string[];
  cc: string[];
  subject: string;
  calendarAt: number;
  /** Why it is sent, in Vietnamese: the unit's timeline shows it beside the email. */
  reason: string;
}

export async function claimEmail(client: pg.PoolClient, e: OutboxEmail): Promise<OutboxClaim> {
  const inserted = await client.query(
    `INSERT INTO emails (email_key, message_id, cycle_id, unit_code, phase, kind, to_addrs, cc_addrs, subject, calendar_at, reason)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, to_timestamp($10 / 1000.0), $11)
     ON CONFLICT (email_key) DO NOTHING
     RETURNING status, message_id`,
    [e.key, e.messageId, e.cycleId, e.unitCode, e.phase, e.kind, e.to, e.cc, e.subject, e.calendarAt, e.reason],
  );
  // A row this transaction inserted is locked by it until it ends: claimed, without asking again.
  if (inserted.rows[0]) return { status: inserted.rows[0].status, messageId: inserted.rows[0].message_id };
  // NOWAIT: if another attempt holds the row it is sending right now; fail this attempt and let it retry later.
  const { rows } = await client.query('SELECT status, message_id FROM emails WHERE email_key = $1 FOR UPDATE NOWAIT', [e.key]);
  return { status: rows[0].status, messageId: rows[0].message_id };
}

/**
 * Records a send's outcome on its claimed row. A message sent also ends the email relay's request for it
 * (db/email-requests.ts, same key), in the same transaction: the relay then has nothing left to do for it, and
 * saves the round trip of removing it afterwards (issue 16). A bounce keeps its request until the relay has told
 * the unit's workflow (workers/email-relay.ts).
 */
export async function markEmail(
  client: pg.PoolClient,
  key: string,
  outcome: { status: 'sent' | 'bounced' | 'pending' | 'partial'; error?: string },
): Promise<void> {
  await client.query(
    `WITH request AS (DELETE FROM email_requests WHERE $2 = 'sent' AND email_key = $1)
     UPDATE emails SET status = $2, attempts = attempts + 1, last_error = $3,
       sent_at = CASE WHEN $2 IN ('sent', 'partial') THEN now() ELSE sent_at END
     WHERE email_key = $1`,
    [key, outcome.status, outcome.error ?? null],
  );
}

/** What a send decided inside the outbox's transaction: a value to return, or an error to throw once committed. */
export type OutboxOutcome<T> = { value: T } | { fail: unknown };

/**
 * One send's transaction: the claim, the SMTP conversation and the row's outcome. It is committed whatever the
 * send decided, a failure included (a temporary SMTP failure is recorded on the row, attempts and error, and then
 * thrown so the activity retries); only an error `fn` itself throws (the database gone, a row locked by another
 * attempt) rolls back.
 */
export async function inOutboxTransaction<T>(db: Db, fn: (client: pg.PoolClient) => Promise<OutboxOutcome<T>>): Promise<T> {
  const client = await db.connect();
  let outcome: OutboxOutcome<T>;
  try {
    await client.query('BEGIN');
    outcome = await fn(client);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
  if ('fail' in outcome) throw outcome.fail;
  return outcome.value;
}

/** What the SMTP server answered a send, as the outbox row records it. */
export interface SmtpOutcome {
  status: 'sent' | 'bounced' | 'partial';
  error?: string;
}

/** How long a send whose claim was lost keeps trying to record its outcome: well inside the activity's minute. */
export const RECORD_AFTER_LOST_CLAIM_MS = 40_000;

/**
 * Records what the SMTP server answered on a connection of its own, when the transaction that claimed the row was
 * lost after the server had answered: the database restarted or ended the connection in the middle of the SMTP
 * conversation, so the claim (and, for a new row, the row itself) was rolled back. Without this, the activity's
 * retry found the row free and sent the message a second time, with the same Message-ID (the fault suite's
 * short form, CI of 7 December 2026: three of them, with a PostgreSQL restart among its faults).
 *
 * It waits for the database (a restart takes seconds), backing off, for at most `withinMs`; then it throws and
 * the activity's retry decides, as before. A row another attempt already settled is left as it is.
 */
export async function recordOutcomeAfterLostClaim(
  db: Db,
  e: OutboxEmail,
  outcome: SmtpOutcome,
  withinMs = RECORD_AFTER_LOST_CLAIM_MS,
  pause: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<void> {
  const giveUpAt = Date.now() + withinMs;
  for (let wait = 250; ; wait = Math.min(wait * 2, 5_000)) {
    try {
      await db.query(
        `INSERT INTO emails (email_key, message_id, cycle_id, unit_code, phase, kind, to_addrs, cc_addrs, subject, calendar_at, reason,
                             status, attempts, last_error, sent_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, to_timestamp($10 / 1000.0), $11,
                 $12, 1, $13, CASE WHEN $12 IN ('sent', 'partial') THEN now() END)
         ON CONFLICT (email_key) DO UPDATE
           SET status = EXCLUDED.status, attempts = emails.attempts + 1, last_error = EXCLUDED.last_error, sent_at = EXCLUDED.sent_at
           WHERE emails.status = 'pending'`,
        [
          e.key,
          e.messageId,
          e.cycleId,
          e.unitCode,
          e.phase,
          e.kind,
          e.to,
          e.cc,
          e.subject,
          e.calendarAt,
          e.reason,
          outcome.status,
          outcome.error ?? null,
        ],
      );
      return;
    } catch (err) {
      if (Date.now() + wait > giveUpAt) throw err;
      await pause(wait);
    }
  }
}
