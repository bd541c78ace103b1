/** How commands speak: JSON for scripts (--json), aligned text for people, and errors that say what and where. */
import { isConfigError } from '../config/errors.js';
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

/** Runs a command body; a ConfigError exits 2 with one line per issue, any other error exits 1. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      if (isConfigError(err)) {
        process.stderr.write(`Configuration error:\n${err.message}\n`);
        process.exitCode = 2;
      } else {
        process.stderr.write(`Error: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exitCode = 1;
      }
    }
  };
}
