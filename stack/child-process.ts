// Lifecycle helpers for long-running server children: remember the tail of
// their output for error messages, make sure they die with us, and stop them
// politely (SIGTERM) before forcefully (SIGKILL).
import type { ChildProcess } from 'node:child_process';
import { OutputTail } from './log.js';

export interface WatchedChild {
  child: ChildProcess;
  tail: OutputTail;
  exited(): boolean;
  /** Resolves with the exit code (or signal name) once the child is gone. */
  exitPromise: Promise<string>;
  /** SIGTERM, then SIGKILL after graceMs. Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
}

export function watchChild(child: ChildProcess, tailLines = 60): WatchedChild {
  const tail = new OutputTail(tailLines);
  child.stdout?.on('data', (c: Buffer) => tail.push(c));
  child.stderr?.on('data', (c: Buffer) => tail.push(c));
  let done = false;
  const exitPromise = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      done = true;
      resolve(signal ?? `exit code ${String(code)}`);
    });
    child.once('error', (err) => {
      done = true;
      tail.push(`spawn error: ${err.message}\n`);
      resolve(`spawn error: ${err.message}`);
    });
  });

  // If our Node process exits without calling stop() (crash, process.exit in a
  // CLI), take the server down with us instead of leaving an orphan that holds
  // ports and the database file. Only synchronous work is allowed here.
  const killOnExit = () => {
    if (!done) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  void exitPromise.then(() => process.removeListener('exit', killOnExit));

  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 10_000): Promise<void> => {
    if (done) return Promise.resolve();
    stopping ??= (async () => {
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (!done) child.kill('SIGKILL');
      }, graceMs);
      await exitPromise;
      clearTimeout(timer);
    })();
    return stopping;
  };

  return { child, tail, exited: () => done, exitPromise, stop };
}
