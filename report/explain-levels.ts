/**
 * `report explain` across the Party tree (issue 17): an addend that is a committee's year-end report sent from its
 * own child cycle (`report upward submit`) is followed down — to the child cycle's figures the field was summed
 * from, and each of those to its own addends (grassroots units' submissions, the committee's records), level by
 * level. Where the clerk edited the field, the explanation says so: what was drafted, what was sent, and why.
 */
import { loadFrozenSnapshot } from '../db/frozen.js';
import type { Db } from '../db/pool.js';
import { upwardReportOf } from '../db/upward-reports.js';
import { contributionRow, explainFigure, type ExplainedContribution, type Explanation } from './explain.js';
import { computeFigures, type Figures, type YearInput } from './figures.js';
import { readAt, upwardField } from './upward.js';

/** Levels followed at most: a province, its committees, their grassroots committees, their chi bộ, and one more. */
export const MAX_LEVELS = 5;

/** What a committee's sent figure was summed from in its own cycle. */
export interface LevelBelow {
  childCycleId: string;
  unitCode: string;
  field: string;
  /** What the report sent said, and what the draft said. */
  submitted: unknown;
  drafted: unknown;
  /** When the clerk changed this field from the draft: the reason recorded with it. */
  editReason?: string;
  /** The child's figures whose sum the draft took, each explained (and followed further down). */
  parts: Array<{ figureId: string; explanation: LeveledExplanation }>;
}

export type LeveledContribution = ExplainedContribution & { below?: LevelBelow };
export type LeveledExplanation = Omit<Explanation, 'contributions'> & { contributions: LeveledContribution[] };

/** Follows every addend that came up from a child cycle; the rest are returned as they are. */
export async function explainAcrossLevels(db: Db, e: Explanation): Promise<LeveledExplanation> {
  const years = new Map<string, { year: YearInput; figures: Figures } | null>();
  const childYear = async (cycleId: string) => {
    if (!years.has(cycleId)) {
      const snap = await loadFrozenSnapshot(db, cycleId);
      const year = snap ? { year: Number((snap.data.definition as { year?: unknown }).year), cycleId, data: snap.data } : undefined;
      years.set(cycleId, year ? { year, figures: computeFigures([year]) } : null);
    }
    return years.get(cycleId) ?? undefined;
  };
  const follow = async (ex: Explanation, depth: number): Promise<LeveledExplanation> => {
    const contributions: LeveledContribution[] = [];
    for (const c of ex.contributions) {
      const s = c.source;
      if (depth >= MAX_LEVELS || s.kind !== 'submission' || s.phase !== 'year-end-report') {
        contributions.push(c);
        continue;
      }
      const sent = await upwardReportOf(db, c.cycleId, s.unitCode, s.version);
      const field = upwardField(s.field);
      const child = sent && field ? await childYear(sent.childCycleId) : undefined;
      if (!sent || !field || !child) {
        contributions.push(c);
        continue;
      }
      const parts: LevelBelow['parts'] = [];
      for (const figureId of field.figureIds(child.figures)) {
        if (!child.figures.has(figureId)) continue;
        parts.push({ figureId, explanation: await follow(explainFigure(child.figures, figureId, [child.year]), depth + 1) });
      }
      const edit = sent.edits.find((x) => x.field === s.field);
      contributions.push({
        ...c,
        below: {
          childCycleId: sent.childCycleId,
          unitCode: s.unitCode,
          field: s.field,
          submitted: readAt(sent.submitted, s.field),
          drafted: readAt(sent.drafted, s.field),
          ...(edit ? { editReason: sent.editReason ?? '' } : {}),
          parts,
        },
      });
    }
    return { ...ex, contributions };
  };
  return follow(e, 0);
}

/**
 * One row per addend, the levels below indented under the addend they explain: the committee's report, then a
 * line naming the child cycle (and the edit, if any), then its units' submissions.
 */
export function leveledRows(e: LeveledExplanation, depth = 0): Array<Record<string, string | number>> {
  const indent = '  '.repeat(depth);
  const rows: Array<Record<string, string | number>> = [];
  for (const c of e.contributions) {
    const row = contributionRow(c);
    rows.push({ ...row, source: `${indent}${row.source}` });
    const b = c.below;
    if (!b) continue;
    const edited =
      b.editReason !== undefined ? `; edited from the draft's ${String(b.drafted)} to ${String(b.submitted)}: “${b.editReason}”` : '';
    rows.push({
      year: c.year,
      source: `${indent}  ↳ from cycle ${b.childCycleId}`,
      unit: `${b.parts.map((p) => `${p.figureId} ${p.explanation.total}`).join(' + ')}${edited}`,
      phase: '',
      field: '',
      value: '',
    });
    for (const p of b.parts) rows.push(...leveledRows(p.explanation, depth + 2));
  }
  return rows;
}
