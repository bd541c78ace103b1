/**
 * `chuky report compile`: reads frozen cycles' snapshots (never live tables, so a submission changed after the
 * freeze cannot change the report), computes the figures, takes the report's number from the register, and
 * writes the DOCX, the HTML preview and the data as JSON. Recompiling the same cycles gives the same files.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { CommitteeInfo, CycleDefinition } from '../config/cycle.js';
import type { ReportConfig } from '../config/report.js';
import { instantToLocalDate } from '../domain/calendar.js';
import { loadFrozenSnapshot, snapshotFrozenCycle } from '../db/frozen.js';
import type { Db } from '../db/pool.js';
import { registerReport } from '../db/register.js';
import { cyclesByIds, cyclesOfYears, setReportIssuedOn } from '../db/report-compile.js';
import { buildReport, documentNumber } from './build.js';
import { renderDocx } from './docx.js';
import { computeFigures, type Figures, type YearInput } from './figures.js';
import { renderHtml } from './html.js';
import { groupNarratives, NARRATIVE_FIELDS, type NarrativeField, type NarrativeGroup } from './narratives.js';
import { phaseStandings, type PhaseStanding } from './standings.js';

export class ReportError extends Error {
  override name = 'ReportError';
}

export type CycleSelection = { cycleIds: string[] } | { committeeCode?: string; years: number[] };

/** "2021-2023" → [2021, 2022, 2023]; "2023" → [2023]. */
export function parseYears(text: string): number[] {
  const m = /^\s*(\d{4})\s*(?:[-–]\s*(\d{4}))?\s*$/.exec(text);
  if (!m) throw new ReportError(`--years: expected a year or a range such as 2021-2023, got "${text}"`);
  const from = Number(m[1]);
  const to = m[2] ? Number(m[2]) : from;
  if (to < from) throw new ReportError(`--years: ${to} is before ${from}`);
  if (to - from > 9) throw new ReportError(`--years: at most 10 years in one review (got ${from}-${to})`);
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/**
 * The report's date as given on the command line: YYYY-MM-DD, or dd/mm/yyyy as clerks write it (d/m/yyyy too).
 * Returns YYYY-MM-DD; a day that does not exist (31/02/2024) is refused.
 */
export function parseReportDate(text: string, option = '--date'): string {
  const t = text.trim();
  let y: number, m: number, d: number;
  let match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
  if (match) [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  else if ((match = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(t))) [d, m, y] = [Number(match[1]), Number(match[2]), Number(match[3])];
  else throw new ReportError(`${option}: expected a date such as 2024-01-15 or 15/01/2024, got "${text}"`);
  const instant = new Date(Date.UTC(y, m - 1, d));
  if (instant.getUTCFullYear() !== y || instant.getUTCMonth() !== m - 1 || instant.getUTCDate() !== d) {
    throw new ReportError(`${option}: ${text} is not a day of the calendar`);
  }
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** The cycle ids a selection names, checked against the database. */
export async function resolveCycles(db: Db, sel: CycleSelection): Promise<{ cycleId: string; year: number; committeeCode: string }[]> {
  if ('cycleIds' in sel) {
    const rows = await cyclesByIds(db, sel.cycleIds);
    const missing = sel.cycleIds.filter((id) => !rows.some((r) => r.id === id));
    if (missing.length) throw new ReportError(`no such cycle: ${missing.join(', ')} (see \`chuky cycle list\`)`);
    const codes = new Set(rows.map((r) => r.committeeCode));
    if (codes.size > 1)
      throw new ReportError(`the cycles belong to different committees (${[...codes].join(', ')}); a report is one committee's`);
    return rows.map((r) => ({ cycleId: r.id, year: r.year, committeeCode: r.committeeCode })).sort((a, b) => a.year - b.year);
  }
  const rows = await cyclesOfYears(db, sel.years, sel.committeeCode);
  const byCommittee = new Map<string, typeof rows>();
  for (const r of rows) byCommittee.set(r.committeeCode, [...(byCommittee.get(r.committeeCode) ?? []), r]);
  const complete = [...byCommittee.entries()].filter(([, list]) => sel.years.every((y) => list.some((r) => r.year === y)));
  if (complete.length === 0) {
    const have = [...byCommittee.entries()].map(([c, list]) => `${c}: ${list.map((r) => r.year).join(', ')}`).join('; ');
    throw new ReportError(
      `no committee has a cycle for every ` +
        `year ${sel.years.join(', ')}${sel.committeeCode ? ` (committee ${sel.committeeCode})` : ''}${have ? `; found ${have}` : ''}`,
    );
  }
  if (complete.length > 1)
    throw new ReportError(
      `several committees have cycles for those years (${complete.map(([c]) => c).join(', ')}); name one with --committee`,
    );
  return complete[0]![1].map((r) => ({ cycleId: r.id, year: r.year, committeeCode: r.committeeCode }));
}

/** The snapshots of the selected cycles; every one must be frozen. */
export async function loadYears(
  db: Db,
  sel: CycleSelection,
): Promise<{ years: YearInput[]; committeeCode: string; sha256: Record<string, string> }> {
  const cycles = await resolveCycles(db, sel);
  const years: YearInput[] = [];
  const sha256: Record<string, string> = {};
  const notFrozen: string[] = [];
  for (const c of cycles) {
    // A cycle frozen before snapshots existed gets its snapshot now, from the data as it stood at the freeze.
    const snap = (await loadFrozenSnapshot(db, c.cycleId)) ?? (await snapshotFrozenCycle(db, c.cycleId));
    if (!snap) {
      notFrozen.push(c.cycleId);
      continue;
    }
    years.push({ year: c.year, cycleId: c.cycleId, data: snap.data });
    sha256[c.cycleId] = snap.sha256;
  }
  if (notFrozen.length) {
    throw new ReportError(
      `not frozen yet: ${notFrozen.join(', ')}. A report is compiled from a closed year: run \`chuky ` +
        `cycle close --cycle ID --reason …\` first (\`chuky cycle export\` shows the data so far)`,
    );
  }
  return { years, committeeCode: cycles[0]!.committeeCode, sha256 };
}

export interface Analysis {
  figures: Figures;
  standings: PhaseStanding[];
  narratives: Record<NarrativeField, NarrativeGroup[]>;
}

export function analyse(years: YearInput[]): Analysis {
  const narratives = {} as Record<NarrativeField, NarrativeGroup[]>;
  for (const f of NARRATIVE_FIELDS) narratives[f] = groupNarratives(years, f);
  return { figures: computeFigures(years), standings: phaseStandings(years), narratives };
}

/** The Party term containing a year: 2020-2025, 2025-2030, … (a congress year starts the new term). */
export function defaultTerm(year: number): string {
  const start = 2020 + Math.floor((year - 2020) / 5) * 5;
  return `${start}-${start + 5}`;
}

export interface CompileResult {
  reportKey: string;
  number: string;
  date: string;
  numberCreated: boolean;
  /** The date the register held before this compilation, when a date given now (`--date`, `date:`) replaced it. */
  previousDate?: string;
  files: { docx: string; html: string; json: string };
  docxSha256: string;
  cycles: Record<string, string>;
  figures: number;
}

export async function compileReport(
  db: Db,
  p: {
    selection: CycleSelection;
    config: ReportConfig;
    outDir: string;
    actor: string;
    /** The compile day in the committee's time zone; default today. Used when no date is given. */
    today?: string;
    /** The report's date given for this compilation (`--date`): wins over the settings' `date:`. */
    date?: string;
  },
): Promise<CompileResult> {
  const { years, committeeCode, sha256 } = await loadYears(db, p.selection);
  const lastDef = years[years.length - 1]!.data.definition as CycleDefinition;
  const committee: CommitteeInfo = lastDef.committee;
  const yearList = years.map((y) => y.year);
  const multi = yearList.length > 1;
  const span = multi ? `${yearList[0]}-${yearList[yearList.length - 1]}` : String(yearList[0]);
  const reportKey = `${multi ? 'so-ket' : 'bao-cao-nam'}/${committeeCode}/${span}`;
  const given = p.date ?? p.config.date;
  const entry = await registerReport(db, {
    committeeCode,
    term: p.config.term ?? defaultTerm(yearList[0]!),
    docType: p.config.documentType,
    reportKey,
    issuedOn: given ?? p.today ?? instantToLocalDate(Date.now(), lastDef.timezone ?? 'Asia/Ho_Chi_Minh'),
    firstNumber: p.config.firstNumber,
    actor: p.actor,
  });
  // A recompiled report keeps the number and date it was first given, unless a date is given now: then the
  // register takes the new date (the number stays).
  let previousDate: string | undefined;
  if (given && !entry.created && entry.issuedOn !== given) {
    await setReportIssuedOn(db, committeeCode, reportKey, given);
    previousDate = entry.issuedOn;
    entry.issuedOn = given;
  }
  const number = documentNumber(entry.number, entry.docType, committee.documentCode);
  const analysis = analyse(years);
  const doc = buildReport({
    years,
    committee,
    config: p.config,
    ...analysis,
    number,
    date: entry.issuedOn,
    studyTargetPercent: lastDef.targets?.studyPercent ?? 98,
  });
  const docx = await renderDocx(doc);
  const html = renderHtml(doc);
  const base = `${committeeCode}-${multi ? 'so-ket' : 'bao-cao'}-${span}`;
  fs.mkdirSync(p.outDir, { recursive: true });
  const files = {
    docx: path.join(p.outDir, `${base}.docx`),
    html: path.join(p.outDir, `${base}.html`),
    json: path.join(p.outDir, `${base}.json`),
  };
  fs.writeFileSync(files.docx, docx);
  fs.writeFileSync(files.html, html);
  const data = {
    report: {
      key: reportKey,
      number,
      date: entry.issuedOn,
      term: entry.term,
      committee: committeeCode,
      years: yearList,
      subject: doc.subject,
    },
    cycles: years.map((y) => ({ cycleId: y.cycleId, year: y.year, frozenAt: y.data.frozenAt, snapshotSha256: sha256[y.cycleId] })),
    figures: analysis.figures.all(),
    standings: analysis.standings,
    narratives: analysis.narratives,
  };
  fs.writeFileSync(files.json, `${JSON.stringify(data, null, 2)}\n`);
  return {
    reportKey,
    number,
    date: entry.issuedOn,
    numberCreated: entry.created,
    ...(previousDate ? { previousDate } : {}),
    files,
    docxSha256: createHash('sha256').update(docx).digest('hex'),
    cycles: sha256,
    figures: analysis.figures.all().length,
  };
}
