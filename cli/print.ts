/** How commands print: JSON for scripts (--json), aligned text for people. */
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
