/**
 * A lock for workflow code: what runs under it runs one at a time, in the order it asked. Temporal's
 * safe-message-handlers sample uses `async-mutex`'s Mutex for this; that package is not among chuky's
 * dependencies, and this is all of it chuky needs. Deterministic: a chain of promises, no timers, no I/O.
 *
 * Its one use today is the unit workflow's local activities: two outstanding at once (two Updates in one workflow
 * task) would complete in whatever order the database answers, while a replay takes their results from the
 * history's markers in recorded order, so their continuations could issue commands in another order (the fault
 * suite's full run, docs/RELIABILITY.md). The chain is the one the workflow had inline before (same awaits),
 * so recorded histories replay unchanged.
 */
export class Lock {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `fn` once everything queued before it has settled (resolved or failed); its result is `fn`'s. */
  runExclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}
