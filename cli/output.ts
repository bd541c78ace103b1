/** How commands speak: JSON for scripts (--json), aligned text for people, and errors that say what and where. */
import { isConfigError } from '../config/errors.js';
import { isEngineBusy } from '../api/busy.js';
import { DEFAULT_UPDATE_TIMEOUT_MS, EngineBusyError, engineBusyLine, updateTimeoutMs } from '../client/unit-actions.js';
import { cellText, localiseTable } from './lang.js';

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A table for people; with `--lang vi` its headers and ids (phases, statuses) in Vietnamese (cli/lang.ts). */
export function printTable(rawRows: Record<string, unknown>[], columns: string[]): void {
  const { rows, headers } = localiseTable(rawRows, columns);
  const widths = columns.map((c, i) => Math.max(headers[i]!.length, ...rows.map((r) => cellText(r[c]).length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${line(headers)}\n${line(widths.map((w) => '-'.repeat(w)))}\n`);
  for (const r of rows) process.stdout.write(`${line(columns.map((c) => cellText(r[c])))}\n`);
}

/** sysexits' EX_TEMPFAIL: "try again later", which a script can tell from a real error (1) or a bad configuration (2). */
export const EXIT_ENGINE_BUSY = 75;

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

/**
 * Runs a command body; a ConfigError exits 2 with one line per issue, an Update Temporal did not confirm exits
 * EXIT_ENGINE_BUSY with one line that says what to do, any other error exits 1. Never a stack trace.
 */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      if (isConfigError(err)) {
        process.stderr.write(`Configuration error:\n${err.message}\n`);
        process.exitCode = 2;
      } else if (isEngineBusy(err)) {
        process.stderr.write(`${engineBusyCliLine(err)}\n`);
        process.exitCode = EXIT_ENGINE_BUSY;
      } else {
        process.stderr.write(`Error: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exitCode = 1;
      }
    }
  };
}
