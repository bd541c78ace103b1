/**
 * How commands speak: JSON for scripts (--json), aligned text for people (print.ts), and errors that say what and
 * where (action.ts). This module adds the line for a busy engine, which needs the Temporal SDK's errors: commands
 * import print.ts and action.ts, so that only an error loads this.
 */
import { DEFAULT_UPDATE_TIMEOUT_MS, EngineBusyError, engineBusyLine, updateTimeoutMs } from '../client/unit-actions.js';

export { printJson, printTable } from './print.js';
export { EXIT_ENGINE_BUSY, action } from './action.js';

/**
 * The line for an Update Temporal did not confirm (busy, or no worker polling), from a repair (its EngineBusyError
 * names the audit row) or from a command that sends its Update itself (the SDK's error: the limit in force).
 */
export function engineBusyCliLine(err: unknown): string {
  if (err instanceof EngineBusyError) return err.message;
  let ms: number;
  try {
    ms = updateTimeoutMs();
  } catch {
    // A bad CHUKY_UPDATE_TIMEOUT_MS could not have sent the Update; said of the default all the same.
    ms = DEFAULT_UPDATE_TIMEOUT_MS;
  }
  return engineBusyLine(ms);
}
