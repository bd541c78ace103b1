/**
 * `chuky report explain FIGURE`: the addends of one figure — which unit's submission (id and version) or which
 * committee record gave how much — so "where does 231 come from?" has an answer a clerk can check.
 */
import type { Contribution, Figure, Figures } from './figures.js';

export interface Explanation {
  figure: Pick<Figure, 'id' | 'label' | 'value' | 'byYear'>;
  year?: number;
  total: number;
  contributions: Contribution[];
}

export class UnknownFigureError extends Error {
  override name = 'UnknownFigureError';
}

/** "pledge.violated" or "unit.violatedPledge@2022". */
export function explainFigure(figures: Figures, query: string): Explanation {
  const [id, yearText] = query.trim().split('@') as [string, string | undefined];
  const year = yearText !== undefined ? Number(yearText) : undefined;
  if (yearText !== undefined && !/^\d{4}$/.test(yearText)) throw new UnknownFigureError(`"${query}": the year after @ must be four digits, e.g. ${id}@2022`);
  if (!figures.has(id)) {
    const near = figures
      .all()
      .map((f) => f.id)
      .filter((f) => f.includes(id) || id.split('.').some((part) => part.length > 3 && f.includes(part)))
      .slice(0, 12);
    throw new UnknownFigureError(`no figure "${id}"${near.length ? `; did you mean: ${near.join(', ')}` : ''}. \`chuky report figures\` lists them all`);
  }
  const f = figures.get(id);
  const contributions = year === undefined ? f.contributions : f.contributions.filter((c) => c.year === year);
  const total = contributions.reduce((n, c) => n + c.value, 0);
  return { figure: { id: f.id, label: f.label, value: f.value, byYear: f.byYear }, ...(year !== undefined ? { year } : {}), total, contributions };
}

/** One row per addend, for people. */
export function contributionRow(c: Contribution): Record<string, string | number> {
  const s = c.source;
  switch (s.kind) {
    case 'submission':
      return { year: c.year, source: `submission ${s.submissionId} v${s.version}`, unit: `${s.unitCode} ${s.unitName}`, phase: s.phase, field: s.field, value: c.value };
    case 'record':
      return { year: c.year, source: `record ${s.recordId} (${s.recordKind})`, unit: s.description.slice(0, 80), phase: '', field: s.field, value: c.value };
    case 'inspection':
      return { year: c.year, source: `inspection ${s.inspectionId}`, unit: `${s.unitCode} ${s.unitName}`, phase: '', field: 'concluded', value: c.value };
    case 'unit':
      return { year: c.year, source: 'units list', unit: `${s.unitCode} ${s.unitName}`, phase: '', field: s.field, value: c.value };
  }
}
