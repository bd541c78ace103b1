/**
 * What a person reads on a page or in an email, and the internal words that must not be in it: phase ids, the
 * fields' ids (the keys of each phase's zod schema and form), ISO dates, and English status and cause words.
 * Used by test/integration/no-raw-ids.test.ts and the CLI's `--lang vi` test.
 */
import { PHASES, PHASE_IDS } from '../../domain/phases/index.js';
import { formLeaves } from '../../domain/phases/common.js';

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  '#39': "'",
  '#x27': "'",
  '#34': '"',
};

/**
 * The visible text of an HTML document: no script or style content, no comments, no tags (so no attributes),
 * entities decoded; then URLs, email addresses and workflow ids (references an operator copies, not words)
 * removed, and the values the user typed.
 */
export function visibleText(htmlOrText: string, typed: readonly string[] = []): string {
  let t = htmlOrText
    .replace(/<script\b[\s\S]*?<\/script>/gi, ' ')
    .replace(/<style\b[\s\S]*?<\/style>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(
      /&(#?\w+);/g,
      (m, e: string) =>
        ENTITIES[e] ??
        (e.startsWith('#x')
          ? String.fromCodePoint(parseInt(e.slice(2), 16))
          : e.startsWith('#')
            ? String.fromCodePoint(Number(e.slice(1)))
            : m),
    );
  for (const v of typed) if (v) t = t.split(v).join(' ');
  return t
    .replace(/https?:\/\/\S+/g, ' ')
    .replace(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, ' ')
    .replace(/\bchuky\/[\w/.-]+/g, ' ');
}

/** Every key of a zod schema, nested objects and arrays included. */
function schemaKeys(schema: unknown, out: Set<string>, seen = new Set<unknown>()): void {
  if (!schema || typeof schema !== 'object' || seen.has(schema)) return;
  seen.add(schema);
  const s = schema as { shape?: Record<string, unknown>; def?: Record<string, unknown>; _zod?: { def?: Record<string, unknown> } };
  const def = s.def ?? s._zod?.def;
  if (s.shape && typeof s.shape === 'object') {
    for (const [k, v] of Object.entries(s.shape)) {
      out.add(k);
      schemaKeys(v, out, seen);
    }
  }
  if (def) for (const k of ['innerType', 'in', 'out', 'element', 'schema']) schemaKeys(def[k], out, seen);
}

/** The ids of every phase's fields: its zod schema's keys and its form's field names and paths. */
export function fieldIds(): string[] {
  const ids = new Set<string>();
  for (const id of PHASE_IDS) {
    const spec = PHASES[id]!;
    schemaKeys(spec.schema({ members: 100 }), ids);
    for (const { path, field } of formLeaves(spec.form)) {
      ids.add(path);
      ids.add(field.name);
    }
  }
  ids.add('requestId');
  return [...ids].sort((a, b) => b.length - a.length);
}

/** English words for statuses, stall causes and actors, as operators' output has them. */
export const ENGLISH_WORDS = [
  'pending',
  'overdue',
  'not_submitted',
  'not submitted',
  'submitted',
  'late',
  'exempted',
  'removed',
  'launching',
  'running',
  'closed',
  'noticed',
  'scheduled',
  'concluded',
  'remedied',
  'remedy',
  'escalation',
  'escalated',
  'deadline',
  'days past',
  'day past',
  'level',
  'attempt',
  'ladder',
  'never opened',
  'still pending',
  'system',
  'via',
  'unit',
  'units',
  'phase',
  'status',
  'cause',
  'since',
  'repairs',
];

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export interface Leak {
  what: 'phase id' | 'field id' | 'ISO date' | 'English word';
  found: string;
  context: string;
}

/** The internal ids, ISO dates and English words in a visible text. */
export function leaks(text: string, opts: { fieldIds?: readonly string[]; phaseIds?: readonly string[] } = {}): Leak[] {
  const out: Leak[] = [];
  const context = (i: number, n: number) =>
    text
      .slice(Math.max(0, i - 40), i + n + 40)
      .replace(/\s+/g, ' ')
      .trim();
  const scan = (what: Leak['what'], re: RegExp) => {
    for (const m of text.matchAll(re)) out.push({ what, found: m[0], context: context(m.index ?? 0, m[0].length) });
  };
  // Whole words only: a letter, digit, '-', '_' or '.' next to the id makes it part of another word.
  const word = (ids: readonly string[], flags: string) =>
    new RegExp(`(?<![\\p{L}\\p{N}_.-])(?:${ids.map(escape).join('|')})(?![\\p{L}\\p{N}_-])`, `gu${flags}`);
  scan(
    'phase id',
    word(
      [...(opts.phaseIds ?? [...PHASE_IDS, 'compile'])].sort((a, b) => b.length - a.length),
      '',
    ),
  );
  scan('field id', word(opts.fieldIds ?? fieldIds(), ''));
  scan('ISO date', /\b\d{4}-\d{2}-\d{2}\b/g);
  scan('English word', word(ENGLISH_WORDS, 'i'));
  return out;
}
