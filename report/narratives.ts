/**
 * Drafts the report's narrative from what the units wrote: each unit's text is cut into sentences, similar
 * sentences (by shared words) of the same year are grouped, and each group becomes one line naming the units
 * that said it — a draft for the clerk, ordered by year, then by how many units said it. Sentences that state
 * other numbers ("98,9%" and "97%") or a negation the other lacks ("đã hoàn thành" and "chưa hoàn thành") are
 * never grouped, however many words they share. Pure and deterministic.
 */
import type { YearInput } from './figures.js';
import { countedUnits } from './figures.js';

export const NARRATIVE_FIELDS = ['results', 'strengths', 'limitations', 'causes', 'proposals'] as const;
export type NarrativeField = (typeof NARRATIVE_FIELDS)[number];

export interface NarrativeGroup {
  /** The most common wording in the group. */
  text: string;
  /** Units that wrote a sentence of this group, in order of first appearance; each once. */
  units: { code: string; name: string }[];
  /** The one year whose submissions said it (a list, as the report's JSON has always carried it). */
  years: number[];
  /** The year-end submissions the sentences came from. */
  submissionIds: number[];
}

const STOP = new Set([
  'và',
  'của',
  'các',
  'trong',
  'một',
  'số',
  'có',
  'được',
  'là',
  'với',
  'cho',
  'đã',
  'còn',
  'chưa',
  'những',
  'việc',
  'để',
  'theo',
  'tại',
  'từ',
  'đến',
  'này',
  'như',
  'thì',
  'mà',
  'ở',
  'về',
  'trên',
  'nên',
  'vẫn',
  'do',
  'bị',
  'rất',
  'cũng',
]);

/** Sentences of a text: split at full stops, semicolons, line breaks and list dashes. */
export function sentences(text: string): string[] {
  return text
    .normalize('NFC')
    .split(/(?<=[.!?;])\s+|\n+|^\s*[-•+]\s*/m)
    .map((s) =>
      s
        .replace(/^\s*[-•+*]\s*/, '')
        .replace(/[\s.;]+$/, '')
        .trim(),
    )
    .filter((s) => s.length >= 12);
}

/** Words of a sentence that carry meaning: lower case, letters and digits only, stop words out. */
export function words(sentence: string): Set<string> {
  const out = new Set<string>();
  for (const w of sentence.toLowerCase().split(/[^\p{L}\p{N}]+/u)) if (w && !STOP.has(w)) out.add(w);
  return out;
}

/**
 * Words and phrases that turn a statement into its opposite. "không có" and "chưa có" are covered by their first
 * word; each is counted, so "không … không" (a double negation) is not the same as one "không".
 */
const NEGATIONS = ['không', 'chưa', 'chẳng', 'chả', 'chớ', 'đừng', 'thiếu', 'hề'];

/** The negation words of a sentence, counted, in a fixed order: "chưa×1 không×2". */
export function negations(sentence: string): string {
  const counts = new Map<string, number>();
  for (const w of sentence
    .normalize('NFC')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u))
    if (NEGATIONS.includes(w)) counts.set(w, (counts.get(w) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([w, n]) => `${w}×${n}`)
    .join(' ');
}

/**
 * The numbers a sentence states, as values, in order: Vietnamese "1.234" (thousands) and "98,9" (decimal comma)
 * read as 1234 and 98.9, "05" as 5, and a percent sign kept ("98,9%" is not 98,9 units).
 */
export function numbers(sentence: string): string[] {
  const out: string[] = [];
  for (const m of sentence.normalize('NFC').matchAll(/\d+(?:[.,]\d+)*(\s*%)?/g)) {
    let t = m[0].replace(/\s*%$/, '');
    if (/^\d{1,3}(?:\.\d{3})+(?:,\d+)?$/.test(t)) t = t.replace(/\./g, '').replace(',', '.');
    else if (/^\d+,\d+$/.test(t)) t = t.replace(',', '.');
    else if (/^\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(t)) t = t.replace(/,/g, '');
    else t = t.replace(/[.,]/g, '.');
    const value = Number(t);
    out.push(`${Number.isFinite(value) ? String(value) : t}${m[1] ? '%' : ''}`);
  }
  return out;
}

/** What two sentences must share to be grouped, whatever their words: the same numbers and the same negations. */
export function meaningKey(sentence: string): string {
  return `${numbers(sentence).join(',')}|${negations(sentence)}`;
}

function similarity(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let common = 0;
  for (const w of a) if (b.has(w)) common++;
  return common / (a.size + b.size - common);
}

const SAME_GROUP = 0.6;

interface Draft {
  year: number;
  key: string;
  words: Set<string>;
  wordings: Map<string, number>;
  units: Map<string, string>;
  years: Set<number>;
  submissionIds: Set<number>;
  first: number;
}

/** Groups the sentences units wrote in one narrative field, year by year (in the order given), largest group first. */
export function groupNarratives(years: YearInput[], field: NarrativeField): NarrativeGroup[] {
  const all: Draft[] = [];
  let order = 0;
  for (const { year, data } of years) {
    // A year's sentences are grouped with that year's only.
    const drafts: Draft[] = [];
    for (const unit of countedUnits(data)) {
      const s = unit.phases['year-end-report']?.submission;
      const text = (s?.payload as { narrative?: Record<string, unknown> } | undefined)?.narrative?.[field];
      if (!s || typeof text !== 'string') continue;
      for (const sentence of sentences(text)) {
        const w = words(sentence);
        const key = meaningKey(sentence);
        let best: Draft | undefined;
        let bestScore = 0;
        for (const d of drafts) {
          if (d.key !== key) continue;
          const score = similarity(w, d.words);
          if (score > bestScore) [best, bestScore] = [d, score];
        }
        const d: Draft =
          best && bestScore >= SAME_GROUP
            ? best
            : (drafts[
                drafts.push({
                  year,
                  key,
                  words: w,
                  wordings: new Map(),
                  units: new Map(),
                  years: new Set(),
                  submissionIds: new Set(),
                  first: order,
                }) - 1
              ] as Draft);
        d.wordings.set(sentence, (d.wordings.get(sentence) ?? 0) + 1);
        if (!d.units.has(unit.code)) d.units.set(unit.code, unit.name);
        d.years.add(year);
        d.submissionIds.add(s.id);
        order++;
      }
    }
    all.push(...drafts.sort((a, b) => b.units.size - a.units.size || a.first - b.first));
  }
  return all.map((d) => ({
    text: [...d.wordings.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0],
    units: [...d.units.entries()].map(([code, name]) => ({ code, name })),
    years: [...d.years].sort(),
    submissionIds: [...d.submissionIds].sort((a, b) => a - b),
  }));
}
