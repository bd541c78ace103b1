/**
 * A cycle's charts, drawn by the report's chart renderer (report/charts.ts) and inlined as SVG: completion per
 * phase over the cycle's calendar, attendance and pledge rates per unit, and escalations by level.
 */
import {
  activeUnitNames,
  countActiveUnits,
  escalatedUnitCounts,
  firstSubmissionTimes,
  latestStudyAndPledgeReports,
  owedUnitsByPhase,
} from '../db/console-charts.js';
import type { CycleRow } from '../db/cycles.js';
import type { Db } from '../db/pool.js';
import { unitPhases } from '../config/phase-lookup.js';
import { addDays, compareDates, daysBetween, instantToLocalDate } from '../domain/calendar.js';
import { realToCalendar } from '../domain/clock.js';
import { comparePhases } from '../ops/overview.js';
import { renderChart, type ChartSpec } from '../report/charts.js';
import { phaseShort } from './format.js';

/**
 * ECharts writes text styles as `style="…"` attributes, which the console's CSP (no 'unsafe-inline' styles)
 * would drop; they become SVG presentation attributes (font-size="11px"), which CSP does not govern. Values come
 * from ECharts, already attribute-escaped; only plain property names are kept.
 */
export function cspSafeSvg(svg: string): string {
  return svg
    .replace(/ style="([^"]*)"/g, (_m, css: string) =>
      css
        .split(';')
        .map((decl) => {
          const i = decl.indexOf(':');
          if (i <= 0) return '';
          const prop = decl.slice(0, i).trim();
          const value = decl.slice(i + 1).trim();
          return /^[a-z-]+$/.test(prop) && value ? ` ${prop}="${value}"` : '';
        })
        .join(''),
    )
    .replace(/^<svg width="\d+" height="\d+"/, '<svg role="img"');
}

/** The SVG of a chart. The PNG renderChart also makes is not used here: it is asked for at a tiny scale. */
export function chartSvg(spec: ChartSpec, size: { width?: number; height?: number } = {}): string {
  return cspSafeSvg(renderChart(spec, { ...size, scale: 0.05 }).svg);
}

function cycleToday(cycle: CycleRow, nowMs = Date.now()): string {
  const def = cycle.definition;
  return instantToLocalDate(realToCalendar(cycle.clock, nowMs), def.timezone);
}

/** Share of the units owing each phase that have submitted it (any version), day by day (or week by week). */
export async function completionChart(db: Db, cycle: CycleRow): Promise<ChartSpec> {
  const def = cycle.definition;
  const [firsts, owed] = await Promise.all([firstSubmissionTimes(db, cycle.id), owedUnitsByPhase(db, cycle.id)]);
  const activeUnits = await countActiveUnits(db, cycle.id);
  const configured = unitPhases(def).map((p) => p.id as string);
  const owedBy = new Map<string, number>(owed.map((r) => [r.phase, r.n]));
  const phases = [...new Set([...configured, ...owedBy.keys()])].sort(comparePhases);
  const start =
    unitPhases(def)
      .map((p) => p.opensOn)
      .sort()[0] ?? `${def.year}-01-01`;
  const closes = def.closesOn ?? `${def.year}-12-31`;
  let end = cycleToday(cycle);
  for (const r of firsts) {
    const d = instantToLocalDate(r.firstAt.getTime(), def.timezone);
    if (compareDates(d, end) > 0) end = d;
  }
  if (compareDates(end, closes) > 0) end = closes;
  if (compareDates(end, start) < 0) end = start;
  const span = daysBetween(start, end);
  const step = Math.max(1, Math.ceil(span / 30));
  const days: string[] = [];
  for (let d = start; compareDates(d, end) <= 0; d = addDays(d, step)) days.push(d);
  if (days.at(-1) !== end) days.push(end);
  const firstDays = new Map<string, string[]>();
  for (const r of firsts) {
    const list = firstDays.get(r.phase) ?? [];
    list.push(instantToLocalDate(r.firstAt.getTime(), def.timezone));
    firstDays.set(r.phase, list);
  }
  return {
    id: 'completion-over-time',
    title: 'Tỉ lệ đơn vị đã nộp theo thời gian, từng giai đoạn',
    kind: 'line',
    percent: true,
    categories: days.map((d) => `${d.slice(8, 10)}/${d.slice(5, 7)}`),
    series: phases
      .filter((p) => (firstDays.get(p)?.length ?? 0) > 0 || configured.includes(p))
      .map((p) => {
        const total = owedBy.get(p) ?? (configured.includes(p) ? activeUnits : 0);
        const list = firstDays.get(p) ?? [];
        return {
          name: phaseShort(p),
          values: days.map((d) => (total ? Math.round((list.filter((x) => compareDates(x, d) <= 0).length / total) * 1000) / 10 : null)),
        };
      }),
  };
}

/** Each unit's latest word on attendance (the make-up session's total if it held one) and personal plans. */
export async function ratesChart(db: Db, cycle: CycleRow): Promise<ChartSpec> {
  const [units, subs] = await Promise.all([activeUnitNames(db, cycle.id), latestStudyAndPledgeReports(db, cycle.id)]);
  const latest = new Map<string, Record<string, unknown>>();
  for (const r of subs) latest.set(`${r.unitCode}/${r.phase}`, r.payload);
  const rate = (num: unknown, den: unknown): number | null =>
    typeof num === 'number' && typeof den === 'number' && den > 0 ? Math.round((num / den) * 1000) / 10 : null;
  return {
    id: 'rates-by-unit',
    title: 'Tỉ lệ đảng viên học tập và có kế hoạch cá nhân, theo đơn vị',
    kind: 'bar',
    horizontal: true,
    percent: true,
    categories: units.map((u) => u.name),
    series: [
      {
        name: 'Học tập, quán triệt',
        values: units.map((u) => {
          const makeup = latest.get(`${u.code}/study-makeup`);
          const study = latest.get(`${u.code}/study`);
          return makeup ? rate(makeup.studiedTotal, makeup.members) : study ? rate(study.studied, study.members) : null;
        }),
      },
      {
        name: 'Kế hoạch cá nhân, cam kết',
        values: units.map((u) => {
          const p = latest.get(`${u.code}/pledge`);
          return p ? rate(p.withPersonalPlan, p.members) : null;
        }),
      },
    ],
  };
}

/** Obligations that reached each escalation level (from the recorded transitions), per phase. */
export async function escalationsChart(db: Db, cycle: CycleRow): Promise<ChartSpec> {
  const rows = await escalatedUnitCounts(db, cycle.id);
  const phases = [...new Set(rows.map((r) => r.phase))].sort(comparePhases);
  const count = (phase: string, kind: string) => rows.find((r) => r.phase === phase && r.kind === kind)?.n ?? 0;
  return {
    id: 'escalations-by-level',
    title: 'Số đơn vị bị đôn đốc theo mức, từng giai đoạn',
    kind: 'bar',
    categories: phases.map(phaseShort),
    series: [
      { name: 'Mức 1: quá hạn', values: phases.map((p) => count(p, 'overdue')) },
      { name: 'Mức 2: báo lãnh đạo', values: phases.map((p) => count(p, 'escalation2')) },
      { name: 'Mức 3: không nộp', values: phases.map((p) => count(p, 'escalation3')) },
    ],
  };
}
