/**
 * The worker's email relay: sends the emails stored as requests inside another write's transaction
 * (db/email-requests.ts) — a submission's receipt, stored with the submission by the unit workflow's local
 * activity. An activity per receipt cost the server and the worker a second activity task and a second workflow
 * task on every submission, while the next units' posts waited (bench/RESULTS.md, scenario 3).
 *
 * The promises of docs/RELIABILITY.md hold as for an activity: a request is in PostgreSQL from the moment the
 * submission is, and stays until its email is sent or bounced, so a worker killed mid-send leaves it to the next
 * relay (after the lease, EMAIL_REQUEST_LEASE_SECONDS); the send goes through the same outbox as the activity
 * (activities/email.ts), so a request sent twice is delivered once; a temporary SMTP failure is retried with the
 * activities' backoff (2 s doubling to 10 minutes). A bounce is told to the unit's workflow by a signal
 * (`emailBounced`), which records it and warns the standing body as for any email.
 *
 * Each worker process runs one, for its own task queue. It looks when its worker's activity has just stored a
 * request (`kick`), and every second otherwise (requests of a worker that died, retries that fell due).
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Db } from '../db/pool.js';
import {
  emailRequestDone,
  pendingEmailRequests,
  retryEmailRequestLater,
  takeDueEmailRequests,
  type EmailRequest,
} from '../db/email-requests.js';
import type { SendUnitEmailInput, SendUnitEmailResult } from '../domain/workflow-io.js';
import { emailBouncedSignal } from '../workflows/messages.js';

/** Requests sent at once: each holds a database connection for its SMTP conversation (the outbox row's lock). */
export const RELAY_CONCURRENCY = 4;
/** How often the relay looks when nothing told it to. */
export const RELAY_IDLE_MS = 1_000;

/** The activities' retry policy (workflows/unit/activities.ts): 2 s, doubling, at most 10 minutes. */
export function retryDelayMs(attempts: number): number {
  return Math.min(2_000 * 2 ** Math.max(0, attempts - 1), 600_000);
}

export interface EmailRelayDeps {
  db: Db;
  client: Client;
  taskQueue: string;
  /** The outbox's send (activities/email.ts); a message it reports `sent` has had its request removed with it. */
  send(input: SendUnitEmailInput): Promise<SendUnitEmailResult>;
  log?: (message: string) => void;
}

export class EmailRelay {
  private running: Promise<void> | undefined;
  private stopping = false;
  private kicked = false;
  private wake: (() => void) | undefined;
  private readonly idle = new Set<() => void>();

  constructor(private readonly deps: EmailRelayDeps) {}

  /** Look now: a request was just stored. */
  kick(): void {
    this.kicked = true;
    this.wake?.();
  }

  start(): void {
    this.stopping = false;
    this.running ??= this.loop().finally(() => (this.running = undefined));
  }

  /** Stops looking; sends in progress finish first. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.running;
  }

  /** Resolves once the relay has looked and found nothing due (tests and the rehearsal wait for it). */
  whenIdle(): Promise<void> {
    return new Promise((resolve) => {
      this.idle.add(resolve);
      this.kick();
    });
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      this.kicked = false;
      let taken = 0;
      try {
        taken = await this.sendDue();
      } catch (err) {
        // The database is away: the requests wait in it; look again at the next tick.
        this.deps.log?.(`email relay: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (taken > 0 || this.kicked) continue;
      for (const resolve of this.idle) resolve();
      this.idle.clear();
      if (this.stopping) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, RELAY_IDLE_MS);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
    for (const resolve of this.idle) resolve();
    this.idle.clear();
  }

  /** Takes what is due, in batches, until nothing is. Returns how many it took. */
  private async sendDue(): Promise<number> {
    let total = 0;
    for (;;) {
      const due = await takeDueEmailRequests(this.deps.db, this.deps.taskQueue, RELAY_CONCURRENCY);
      if (!due.length) return total;
      total += due.length;
      await Promise.all(due.map((r) => this.sendOne(r)));
      if (this.stopping) return total;
    }
  }

  private async sendOne(r: EmailRequest): Promise<void> {
    try {
      const result = await this.deps.send(r.input);
      if (result.status === 'bounced') await this.tellBounce(r, result);
      // A message sent now was marked sent with its request removed, in one transaction (db/outbox.ts markEmail).
      if (result.status !== 'sent') await emailRequestDone(this.deps.db, r.key);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.deps.log?.(`email relay: ${r.key}: attempt ${r.attempts} failed (${message}); retried in ${retryDelayMs(r.attempts) / 1000} s`);
      await retryEmailRequestLater(this.deps.db, r.key, retryDelayMs(r.attempts), message).catch(() => undefined);
    }
  }

  /** The unit's workflow records the bounce and warns the standing body; a closed workflow has nobody to tell. */
  private async tellBounce(r: EmailRequest, result: SendUnitEmailResult): Promise<void> {
    try {
      await this.deps.client.workflow.getHandle(r.workflowId).signal(emailBouncedSignal, {
        phase: r.input.phase,
        kind: r.input.kind,
        key: r.key,
        to: result.to,
        messageId: result.messageId,
      });
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      this.deps.log?.(`email relay: ${r.key} bounced after ${r.workflowId} closed; the outbox keeps it as bounced`);
    }
  }
}

/**
 * Waits until `relay` has sent every request of the cycle (a rehearsal, or a test, reading the year's emails);
 * returns how many are left after `timeoutMs` (0 when all went).
 */
export async function drainEmailRequests(relay: EmailRelay, db: Db, cycleId: string, timeoutMs = 60_000): Promise<number> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    await relay.whenIdle();
    const left = (await pendingEmailRequests(db, cycleId)).length;
    if (!left || Date.now() > until) return left;
    await new Promise((r) => setTimeout(r, 200));
  }
}
