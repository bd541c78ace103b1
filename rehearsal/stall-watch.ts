/**
 * A watch for a rehearsal that has stopped moving. The time-skipping test server can wedge, and then nothing
 * fails: every call waits for ever. (The 1,000-unit year's stalls of 6–7 December were one such wedge, caused by the
 * client's keepalive pings and fixed in stack/test-server.ts; this watch is for any other.) The rehearsal tells
 * the watch each time it moves (an action answered, a day skipped to, a unit workflow finished, an email received); when nothing has
 * moved for the allowed quiet time the watch rejects `stalled`, naming the last step, and the rehearsal stops its
 * services instead of hanging the command (or the bench) that ran it.
 */

export class RehearsalStalledError extends Error {
  constructor(
    readonly quietMs: number,
    readonly lastStep: string,
    readonly elapsedMs: number,
    /** What was found about the stall once it happened (rehearsal/wedged.ts), if anything was looked at. */
    readonly finding?: string,
  ) {
    super(
      `the rehearsal stalled: nothing moved for ${Math.round(quietMs / 1000)} s ` +
        `(${Math.round(elapsedMs / 1000)} s after it started); the last step was: ${lastStep}` +
        (finding ? `; ${finding}` : ''),
    );
    this.name = 'RehearsalStalledError';
  }
}

export interface StallWatch {
  /** The rehearsal moved: `step` says how (kept for the error). */
  progressed(step: string): void;
  /** Rejects with a RehearsalStalledError once nothing has moved for the quiet time; never resolves. */
  readonly stalled: Promise<never>;
  /** Stops watching (the rehearsal ended, either way). */
  stop(): void;
}

/** Checks a few times per quiet period, and at least every 5 s, so a stall is caught soon after it passes. */
export function checkEveryMs(quietMs: number): number {
  return Math.max(10, Math.min(5_000, Math.floor(quietMs / 4)));
}

/**
 * `pulse`, read at every check, is a sign of life between the rehearsal's own steps: when what it says changes, the
 * year moved. The rehearsal passes the count of emails its sink received: a skip from one action's day to the next
 * can run for minutes while the server and the worker work through a thousand units' timers (the 1,000-unit
 * year's skip from 30 October to 6 November took 5 min 7 s on 7 December, and an earlier run was stopped as stalled
 * in that same skip, after 5 min 3 s); the emails such a skip sends, where it sends any, show it moving.
 */
export function watchForStall(quietMs: number, now: () => number = Date.now, pulse: () => string = () => ''): StallWatch {
  if (!(quietMs > 0)) throw new Error(`a rehearsal's allowed quiet time must be positive, not ${quietMs} ms`);
  const started = now();
  let last = started;
  let lastStep = 'starting its services';
  let lastPulse = pulse();
  let sinceStep = '';
  let reject!: (err: RehearsalStalledError) => void;
  const stalled = new Promise<never>((_, rej) => (reject = rej));
  // Whoever races it may have finished already: an unobserved rejection must not end the process.
  stalled.catch(() => undefined);
  const timer = setInterval(() => {
    const t = now();
    const p = pulse();
    if (p !== lastPulse) {
      lastPulse = p;
      sinceStep = p;
      last = t;
      return;
    }
    if (t - last < quietMs) return;
    clearInterval(timer);
    reject(new RehearsalStalledError(t - last, sinceStep ? `${lastStep} (then ${sinceStep})` : lastStep, t - started));
  }, checkEveryMs(quietMs));
  // A watch alone must not keep the process alive.
  timer.unref();
  return {
    progressed(step) {
      last = now();
      lastStep = step;
      sinceStep = '';
    },
    stalled,
    stop: () => clearInterval(timer),
  };
}

/** The error a closed gRPC channel throws when the Temporal client's retry interceptor tries a call again. */
export function isClosedChannelRetry(err: unknown): boolean {
  return err instanceof Error && err.message === 'Channel has been shut down';
}

/**
 * After a stall, the rehearsal closes its Temporal connection with calls still waiting on the wedged server. The
 * client's retry interceptor (@temporalio/client grpc-retry) tries a failed call again from a timer, and on a
 * closed channel that retry throws from the timer: an uncaught exception that would end the process (it ended the
 * bench's run on 7 December, after the watch had stopped the year). For `forMs` after the stop those throws are
 * dropped, counted; anything else is thrown again, as Node would have it. Returns the uninstaller.
 */
export function dropClosedChannelRetries(forMs = 120_000, onDropped: (n: number) => void = () => undefined): () => void {
  let dropped = 0;
  const handler = (err: unknown) => {
    if (isClosedChannelRetry(err)) {
      onDropped(++dropped);
      return;
    }
    uninstall();
    // Outside this handler, with none left: Node's own end for an uncaught exception.
    process.nextTick(() => {
      throw err;
    });
  };
  const timer = setTimeout(() => uninstall(), forMs);
  timer.unref();
  const uninstall = () => {
    clearTimeout(timer);
    process.removeListener('uncaughtException', handler);
  };
  process.on('uncaughtException', handler);
  return uninstall;
}
