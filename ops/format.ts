/**
 * Numbers as a Vietnamese reader writes them: "98,9%", "20.969" (the report uses the same conventions). Written
 * out rather than through Intl.NumberFormat('vi-VN'): making the first formatter starts ICU, about 22 ms of
 * `cycle status` (bench/README.md), for a dot between thousands and a comma before one decimal. The unit test
 * checks these against Intl's output. (console/format.ts keeps Intl: the console is a long-lived server.)
 */

/** A whole number's digits with a dot every three: through BigInt, so 1e21 is written out, as Intl does, not "1e+21". */
const groupThousands = (whole: number): string =>
  BigInt(whole)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, '.');

/**
 * One decimal, rounded half away from zero on the number as written (66,666 → "66,7"; 2,25 → "2,3"), as Intl does.
 * A negative number that rounds to zero prints "0,0%" (Intl writes "-0,0%"); shares are never negative.
 */
export function formatPercentVi(value: number): string {
  if (!Number.isFinite(value)) return `${value}%`;
  // Shifting the decimal point in the number's own digits ("2.25" → "22.5") rounds what was written, not the
  // binary fraction under it (2.25 * 10 is exact, but 1.15 * 10 is 11.499…); exponent forms just multiply.
  const written = String(Math.abs(value));
  const tenths = Math.round(written.includes('e') ? Math.abs(value) * 10 : Number(`${written}e1`));
  const sign = value < 0 && tenths !== 0 ? '-' : '';
  return `${sign}${groupThousands(Math.trunc(tenths / 10))},${tenths % 10}%`;
}

/** Rounded to a whole number (half away from zero), thousands grouped with dots: 20969 → "20.969". */
export function formatIntegerVi(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const whole = Math.round(Math.abs(value));
  const sign = value < 0 && whole !== 0 ? '-' : '';
  return `${sign}${groupThousands(whole)}`;
}

/** "8 (66,7%)": a count with its share, for tables. */
export function countWithPercent(count: number, percent: number): string {
  return `${formatIntegerVi(count)} (${formatPercentVi(percent)})`;
}

/** Columns of a terminal an operator's table must fit: 100, what a laptop's half screen shows. */
export const TERMINAL_WIDTH = 100;

const length = (s: string): number => [...s].length;

/** Cut a cell to `width` characters, with "…" where it was cut. */
export function truncate(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}

/**
 * Word-wrap `text` to lines of at most `width` characters, each starting with `indent`. A word longer than a line
 * (a path, an error with no spaces) is cut across lines; line breaks in the text are kept.
 */
export function wrapText(text: string, width: number, indent = ''): string[] {
  const room = Math.max(10, width - length(indent));
  const out: string[] = [];
  for (const paragraph of text.split(/\r?\n/)) {
    let line = '';
    for (let word of paragraph.split(/\s+/).filter(Boolean)) {
      while (length(word) > room) {
        if (line) {
          out.push(line);
          line = '';
        }
        const chars = [...word];
        out.push(chars.slice(0, room).join(''));
        word = chars.slice(room).join('');
      }
      if (!line) line = word;
      else if (length(line) + 1 + length(word) <= room) line += ` ${word}`;
      else {
        out.push(line);
        line = word;
      }
    }
    if (line || out.length === 0) out.push(line);
  }
  return out.map((l) => `${indent}${l}`.trimEnd());
}

/**
 * A table that fits `width` columns: each column as wide as its widest cell, and while the line is too long the
 * widest of the `shrinkable` columns loses a character (its cells cut with "…"), down to 6.
 */
export function fitTable(rows: Record<string, string>[], columns: string[], shrinkable: string[], width = TERMINAL_WIDTH): string[] {
  const widths = new Map(columns.map((c) => [c, Math.max(length(c), ...rows.map((r) => length(r[c] ?? '')))]));
  const total = (): number => [...widths.values()].reduce((a, b) => a + b, 0) + 2 * (columns.length - 1);
  while (total() > width) {
    const widest = shrinkable.filter((c) => (widths.get(c) ?? 0) > 6).sort((a, b) => widths.get(b)! - widths.get(a)!)[0];
    if (!widest) break;
    widths.set(widest, widths.get(widest)! - 1);
  }
  const line = (cells: string[]): string =>
    cells
      .map((cell, i) => truncate(cell, widths.get(columns[i]!)!).padEnd(widths.get(columns[i]!)!))
      .join('  ')
      .trimEnd();
  return [line(columns), line(columns.map((c) => '-'.repeat(widths.get(c)!))), ...rows.map((r) => line(columns.map((c) => r[c] ?? '')))];
}

/** What `formatStalls` needs of a stall (ops/types.ts `Stall`). */
export interface StallLine {
  kind: string;
  cycleId?: string;
  unitCode?: string;
  phase?: string;
  level?: number;
  attempt?: number;
  since?: string;
  cause: string;
  repairs: readonly string[];
  temporalUrl?: string;
}

/**
 * `chuky stalled` for a terminal `width` columns wide: one line per stall (kind, cycle, unit, phase, level or
 * attempt, since), then under it, indented, the cause wrapped to the width, the repairs that fit, and the link to
 * the workflow in Temporal's Web UI on a line of its own (a link is never cut; it is the only line that may be
 * longer than the width, when the link itself is).
 */
export function formatStalls(stalls: readonly StallLine[], width = TERMINAL_WIDTH): string[] {
  const columns = ['kind', 'cycle', 'unit', 'phase', 'level/attempt', 'since (UTC)'];
  const rows = stalls.map((s) => ({
    kind: s.kind,
    cycle: s.cycleId ?? '',
    unit: s.unitCode ?? '',
    phase: s.phase ?? '',
    'level/attempt': String(s.level ?? s.attempt ?? ''),
    'since (UTC)': s.since ? s.since.replace('T', ' ').slice(0, 16) : '',
  }));
  const [header, rule, ...lines] = fitTable(rows, columns, ['cycle', 'unit', 'phase'], width);
  const out = [header!, rule!];
  stalls.forEach((s, i) => {
    out.push(lines[i]!);
    out.push(...wrapText(s.cause, width, '    '));
    if (s.repairs.length) out.push(...wrapText(`repairs: ${s.repairs.join(', ')}`, width, '    '));
    if (s.temporalUrl) out.push(`    ${s.temporalUrl}`);
  });
  return out;
}
