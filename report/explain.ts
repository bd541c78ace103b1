/**
 * `chuky report explain FIGURE`: the addends of one figure — which unit's submission (id and version) or which
 * committee record gave how much — so "where does 231 come from?" has an answer a clerk can check.
 */
import type { FrozenOrigin } from '../db/frozen.js';
import { isRecordKind } from '../domain/records.js';
import type { Contribution, Figure, Figures, YearInput } from './figures.js';
import { recordColumns, unitColumns } from './past-years/columns.js';

/** Where an addend of an imported year was read: workbook, sheet, row, and the column as the template heads it. */
export type ContributionOrigin = FrozenOrigin & { column?: string };

/** An addend; `origin` names the workbook, sheet and row it was read from when its year was imported. */
export type ExplainedContribution = Contribution & { origin?: ContributionOrigin };

export interface Explanation {
  figure: Pick<Figure, 'id' | 'label' | 'value' | 'byYear'>;
  year?: number;
  total: number;
  contributions: ExplainedContribution[];
}

/**
 * The workbook row behind an addend of an imported year: its submission's or record's origin, or for a figure
 * read from the units list (units counted) the row of the unit's year-end report.
 */
export function originOf(c: Contribution, years: readonly YearInput[]): ContributionOrigin | undefined {
  const data = years.find((y) => y.cycleId === c.cycleId)?.data;
  if (!data?.imported) return undefined;
  const s = c.source;
  const withColumn = (o: FrozenOrigin | undefined, column: string | undefined): ContributionOrigin | undefined =>
    o ? { ...o, ...(column ? { column } : {}) } : undefined;
  switch (s.kind) {
    case 'submission':
      return withColumn(
        data.units.find((u) => u.code === s.unitCode)?.phases[s.phase]?.submission?.origin,
        unitColumns().find((col) => col.path === s.field)?.header,
      );
    case 'unit':
      return withColumn(
        Object.values(data.units.find((u) => u.code === s.unitCode)?.phases ?? {}).find((o) => o.submission?.origin)?.submission?.origin,
        'Mã đơn vị',
      );
    case 'record':
      return withColumn(
        data.committeeRecords.find((r) => r.id === s.recordId)?.origin,
        isRecordKind(s.recordKind) ? recordColumns(s.recordKind).find((col) => col.path === s.field)?.header : undefined,
      );
    default:
      return undefined;
  }
}

export class UnknownFigureError extends Error {
  override name = 'UnknownFigureError';
}

/** "pledge.violated" or "unit.violatedPledge@2022". With the years, addends of imported years name their workbook row. */
export function explainFigure(figures: Figures, query: string, years: readonly YearInput[] = []): Explanation {
  const [id, yearText] = query.trim().split('@') as [string, string | undefined];
  const year = yearText !== undefined ? Number(yearText) : undefined;
  if (yearText !== undefined && !/^\d{4}$/.test(yearText))
    throw new UnknownFigureError(`"${query}": the year after @ must be four digits, e.g. ${id}@2022`);
  if (!figures.has(id)) {
    const near = figures
      .all()
      .map((f) => f.id)
      .filter((f) => f.includes(id) || id.split('.').some((part) => part.length > 3 && f.includes(part)))
      .slice(0, 12);
    throw new UnknownFigureError(
      `no figure "${id}"${near.length ? `; did you mean: ${near.join(', ')}` : ''}. \`chuky report figures\` lists them all`,
    );
  }
  const f = figures.get(id);
  const contributions = (year === undefined ? f.contributions : f.contributions.filter((c) => c.year === year)).map(
    (c): ExplainedContribution => {
      const origin = originOf(c, years);
      return origin ? { ...c, origin } : c;
    },
  );
  const total = contributions.reduce((n, c) => n + c.value, 0);
  return {
    figure: { id: f.id, label: f.label, value: f.value, byYear: f.byYear },
    ...(year !== undefined ? { year } : {}),
    total,
    contributions,
  };
}

/** One row per addend, for people. */
export function contributionRow(c: ExplainedContribution): Record<string, string | number> {
  const s = c.source;
  const o = c.origin;
  // An imported year: the workbook row first, then what chuky stored it as.
  const from = (stored: string) =>
    o ? `workbook ${o.workbook}, sheet “${o.sheet}”, row ${o.row}${o.column ? `, column “${o.column}”` : ''} (${stored})` : stored;
  switch (s.kind) {
    case 'submission':
      return {
        year: c.year,
        source: from(`submission ${s.submissionId} v${s.version}`),
        unit: `${s.unitCode} ${s.unitName}`,
        phase: s.phase,
        field: s.field,
        value: c.value,
      };
    case 'record':
      return {
        year: c.year,
        source: from(`record ${s.recordId} (${s.recordKind})`),
        unit: s.description.slice(0, 80),
        phase: '',
        field: s.field,
        value: c.value,
      };
    case 'inspection':
      return {
        year: c.year,
        source: `inspection ${s.inspectionId}`,
        unit: `${s.unitCode} ${s.unitName}`,
        phase: '',
        field: 'concluded',
        value: c.value,
      };
    case 'unit':
      return { year: c.year, source: from('units list'), unit: `${s.unitCode} ${s.unitName}`, phase: '', field: s.field, value: c.value };
  }
}
