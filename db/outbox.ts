/**
 * The email outbox: one row per purpose (email_key). Sending claims the row under a lock, so two attempts of
 * the same activity cannot both send, and a retry after success finds the row sent and stops.
 */
import type pg from 'pg';

export interface OutboxClaim {
  /** partial: delivered to some recipients, refused (5xx) by others. */
  status: 'pending' | 'sent' | 'bounced' | 'partial';
  messageId: string;
}

export async function claimEmail(
  client: pg.PoolClient,
  e: { key: string; messageId: string; cycleId: string; unitCode: string; phase: string; kind: string; to: string[]; cc: string[]; subject: string; calendarAt: number },
): Promise<OutboxClaim> {
  const inserted = await client.query(
    `INSERT INTO emails (email_key, message_id, cycle_id, unit_code, phase, kind, to_addrs, cc_addrs, subject, calendar_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, to_timestamp($10 / 1000.0))
     ON CONFLICT (email_key) DO NOTHING
     RETURNING status, message_id`,
    [e.key, e.messageId, e.cycleId, e.unitCode, e.phase, e.kind, e.to, e.cc, e.subject, e.calendarAt],
  );
  // A row this transaction inserted is locked by it until it ends: claimed, without asking again.
  if (inserted.rows[0]) return { status: inserted.rows[0].status, messageId: inserted.rows[0].message_id };
  // NOWAIT: if another attempt holds the row it is sending right now; fail this attempt and let it retry later.
  const { rows } = await client.query('SELECT status, message_id FROM emails WHERE email_key = $1 FOR UPDATE NOWAIT', [e.key]);
  return { status: rows[0].status, messageId: rows[0].message_id };
}

export async function markEmail(client: pg.PoolClient, key: string, outcome: { status: 'sent' | 'bounced' | 'pending' | 'partial'; error?: string }): Promise<void> {
  await client.query(
    `UPDATE emails SET status = $2, attempts = attempts + 1, last_error = $3,
       sent_at = CASE WHEN $2 IN ('sent', 'partial') THEN now() ELSE sent_at END
     WHERE email_key = $1`,
    [key, outcome.status, outcome.error ?? null],
  );
}
