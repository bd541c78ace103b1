/**
 * `chuky cycle import-year --file 2022.xlsx --config cycle.yaml [--dry-run] [--by NAME]`: a past year, from the
 * workbook of `chuky report template`, written as a FROZEN cycle — units, their year-end reports as submissions,
 * the committee's records — closed, frozen and snapshotted at once, so `report compile --years` and
 * `report explain` read it like a year that ran in chuky. The cycle says who imported it, when and from which
 * workbook; each submission and record keeps the sheet and row it was read from.
 *
 * All or nothing: a dry run reports what would be imported and every error and writes nothing; a real run with
 * any error writes nothing. A year already in chuky (imported or run) is refused: its frozen snapshot is immutable
 * (the database refuses to change it), so there is no replacing, only importing under another committee code.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { CycleDefinition } from '../../config/cycle.js';
import type { Unit } from '../../config/units.js';
import { insertAuditEntry } from '../../db/audit-log.js';
import { snapshotFrozenCycle } from '../../db/frozen.js';
import { existingYear, insertImportedCycle, insertImportedRecord, insertImportedUnit } from '../../db/past-years.js';
import { withTransaction, type Db } from '../../db/pool.js';
import { addDays, localTimeToInstant } from '../../domain/calendar.js';
import { REAL_CLOCK } from '../../domain/clock.js';
import { cycleId as makeCycleId } from '../../domain/ids.js';
import { formatInt } from '../../domain/phases/common.js';
import { yearEndReportPhase } from '../../domain/phases/year-end-report.js';
import { DEFAULT_TARGETS } from '../../domain/phases/types.js';
import { RECORD_KIND_LABEL_VI, RECORD_KINDS } from '../../domain/records.js';
import { RECORD_SHEETS, UNITS_SHEET } from './columns.js';
import { formatIssue, readPastYearWorkbook, type ImportIssue, type ReadResult } from './read.js';

export const IMPORT_PHASE = 'year-end-report';
export const IMPORT_VIA = 'import';

export class ImportYearError extends Error {
  override name = 'ImportYearError';
  constructor(
    readonly issues: ImportIssue[],
    readonly workbook: string,
  ) {
    super(`${workbook}: ${issues.length} lỗi, không nhập gì:\n${issues.map((i) => `  ${formatIssue(i)}`).join('\n')}`);
  }
}

export interface ImportYearResult {
  cycleId: string;
  year: number;
  committeeCode: string;
  workbook: string;
  sha256: string;
  dryRun: boolean;
  /** True when the year was written (never on a dry run, never with errors). */
  imported: boolean;
  units: number;
  members: number;
  records: Record<string, number>;
  errors: ImportIssue[];
  warnings: ImportIssue[];
  importedBy?: string;
  importedAt?: string;
}

/** Moves a date of the configured year into the imported year (29 February becomes 28 when needed). */
function moveDate(date: string, fromYear: number, toYear: number): string {
  const y = Number(date.slice(0, 4)) + (toYear - fromYear);
  const md = date.slice(5);
  const leap = (n: number) => (n % 4 === 0 && n % 100 !== 0) || n % 400 === 0;
  return `${y}-${md === '02-29' && !leap(y) ? '02-28' : md}`;
}

/**
 * The imported year's definition: the committee's (names, codes, time zone, targets) from the cycle file, with the
 * year, its phases' dates moved into it, and no holidays (they are the configured year's).
 */
export function importedDefinition(def: CycleDefinition, year: number, workbook: string): CycleDefinition {
  const mv = (d: string) => moveDate(d, def.year, year);
  return {
    ...def,
    year,
    plan: { number: def.plan.number, title: `Số liệu năm ${year} nhập từ sổ ${workbook}`, issuedOn: mv(def.plan.issuedOn) },
    calendar: { ...def.calendar, holidays: [] },
    phases: def.phases.map((p) => ({
      ...p,
      title: p.title.replaceAll(String(def.year), String(year)),
      ...(p.opensOn ? { opensOn: mv(p.opensOn) } : {}),
      deadline: mv(p.deadline),
    })),
    closesOn: `${year}-12-31`,
  };
}

function refusal(id: string, e: NonNullable<Awaited<ReturnType<typeof existingYear>>>): ImportIssue {
  const what = e.importedAt ? `đã được nhập ngày ${e.importedAt.slice(0, 10)} bởi ${e.importedBy ?? '?'}` : 'đã chạy trong chuky';
  return {
    sheet: '(sổ)',
    message:
      `năm này đã có trong chuky: chu kỳ ${id} ${what}. Mỗi năm chỉ nhập một lần; dữ liệu đã đóng ` +
      `băng không sửa, không thay được (nhập cho cấp ủy khác cần tệp --config của cấp ủy đó)`,
  };
}

export interface ImportYearParams {
  /** The workbook's path (its file name is what explanations name). */
  file: string;
  content: Buffer;
  definition: CycleDefinition;
  /** The cycle file's units list, for the secretaries' names and addresses of units it knows. */
  configUnits?: Unit[];
  by: string;
  dryRun: boolean;
  /** The instant of the import (default now). */
  now?: number;
}

/** Validates the workbook and, unless it is a dry run or something is wrong, writes the frozen year. */
export async function importYear(db: Db, p: ImportYearParams): Promise<ImportYearResult> {
  const workbook = path.basename(p.file);
  const sha256 = createHash('sha256').update(p.content).digest('hex');
  const read: ReadResult = await readPastYearWorkbook(p.content, workbook);
  const def = p.definition;
  const errors = [...read.errors];
  if (read.committeeCode && read.committeeCode !== def.committee.code) {
    errors.push({ sheet: '(sổ)', message: `sổ ghi mã cấp ủy “${read.committeeCode}” nhưng tệp cấu hình là của “${def.committee.code}”` });
  }
  const year = read.year;
  const cycleId = year !== undefined ? makeCycleId(def.committee.code, year) : `${def.committee.code}-?`;
  if (year !== undefined) {
    const existing = await existingYear(db, cycleId);
    if (existing) errors.push(refusal(cycleId, existing));
  }
  const records: Record<string, number> = {};
  for (const kind of RECORD_KINDS) records[kind] = read.records.filter((r) => r.kind === kind).length;
  const result: ImportYearResult = {
    cycleId,
    year: year ?? 0,
    committeeCode: def.committee.code,
    workbook,
    sha256,
    dryRun: p.dryRun,
    imported: false,
    units: read.units.length,
    members: read.units.reduce((n, u) => n + u.members, 0),
    records,
    errors,
    warnings: read.warnings,
  };
  if (p.dryRun) return result;
  if (errors.length || year === undefined) throw new ImportYearError(errors, workbook);

  const now = p.now ?? Date.now();
  const at = new Date(now);
  const by = p.by.normalize('NFC').trim() || 'operator';
  const actor = `import:${by}`;
  const idef = importedDefinition(def, year, workbook);
  const tz = idef.timezone;
  const deadline = idef.phases.find((ph) => ph.id === IMPORT_PHASE)?.deadline ?? `${year}-12-15`;
  const dueAt = new Date(localTimeToInstant(addDays(deadline, 1), 0, tz));
  const targets = { ...DEFAULT_TARGETS, ...idef.targets };
  const known = new Map((p.configUnits ?? []).map((u) => [u.code, u]));
  const from = { workbook, sha256, units: read.units.length, records };

  const wrote = await withTransaction(db, async (client) => {
    const created = await insertImportedCycle(client, {
      id: cycleId,
      committeeCode: def.committee.code,
      year,
      definitionJson: JSON.stringify(idef),
      clockJson: JSON.stringify(REAL_CLOCK),
      sourceFile: p.file,
      launchedUnits: read.units.length,
      at,
      closedReason: `Năm ${year} nhập từ sổ ${workbook} (chuky cycle import-year)`,
      importedBy: by,
      importedFromJson: JSON.stringify(from),
    });
    if (!created) return false;
    for (const u of read.units) {
      const c = known.get(u.code);
      const outcome = yearEndReportPhase.outcome(u.payload as never, { members: u.members }, targets);
      await insertImportedUnit(client, {
        cycleId,
        code: u.code,
        name: u.name,
        kind: u.kind,
        members: u.members,
        secretaryName: c?.secretary.name ?? '',
        secretaryEmail: c?.secretary.email ?? '',
        contactName: c?.contact?.name ?? null,
        contactEmail: c?.contact?.email ?? null,
        phase: IMPORT_PHASE,
        deadline,
        dueAt,
        key: `${cycleId}/${u.code}/${IMPORT_PHASE}/import`,
        payloadJson: JSON.stringify(u.payload),
        actor,
        via: IMPORT_VIA,
        originJson: JSON.stringify(u.origin),
        eventReason: `Nhập từ sổ ${workbook}, trang “${u.origin.sheet}”, dòng ${u.origin.row}`,
        eventDataJson: JSON.stringify({ version: 1, late: false, via: IMPORT_VIA, summary: outcome.summary, origin: u.origin }),
        at,
      });
    }
    for (const r of read.records) {
      await insertImportedRecord(client, {
        key: `${cycleId}/import/${r.origin.sheet}/${r.origin.row}`,
        cycleId,
        kind: r.kind,
        payloadJson: JSON.stringify(r.payload),
        actor,
        at,
        originJson: JSON.stringify(r.origin),
      });
    }
    // The audit row straight from db/: report/ sits below ops/, and what ops/audit.ts's recordAudit would check
    // holds here (a reason, NFC and trimmed, and an actor, which by always is).
    await insertAuditEntry(client, {
      actor: by,
      role: 'cli',
      action: 'import-year',
      cycleId,
      unitCode: null,
      phase: null,
      workflowId: null,
      reason: `Nhập số liệu năm ${year} từ sổ ${workbook}`.normalize('NFC').trim(),
      details: from,
      outcome: 'ok',
      message: null,
    });
    return true;
  });
  if (!wrote) {
    // Another import of the same year got there first.
    const existing = await existingYear(db, cycleId);
    throw new ImportYearError([refusal(cycleId, existing ?? { importedAt: null, importedBy: null, frozen: true })], workbook);
  }
  if (!(await snapshotFrozenCycle(db, cycleId))) throw new Error(`${cycleId} was written but its snapshot could not be stored`);
  return { ...result, imported: true, importedBy: by, importedAt: at.toISOString() };
}

/** What the import did or would do, for people (Vietnamese, as the clerk reads it). */
export function describeImport(r: ImportYearResult): string {
  const lines: string[] = [];
  const verb = r.dryRun ? 'Sẽ nhập' : r.imported ? 'Đã nhập' : 'Không nhập';
  lines.push(`${verb} năm ${r.year || '?'} của ${r.committeeCode} (chu kỳ ${r.cycleId}) từ sổ ${r.workbook}:`);
  lines.push(`  trang “${UNITS_SHEET}”: ${formatInt(r.units)} đơn vị, ${formatInt(r.members)} đảng viên`);
  for (const kind of RECORD_KINDS)
    lines.push(`  trang “${RECORD_SHEETS[kind]}”: ${formatInt(r.records[kind] ?? 0)} hồ sơ (${RECORD_KIND_LABEL_VI[kind].toLowerCase()})`);
  if (r.imported)
    lines.push(
      `  đóng băng ngày ${r.importedAt?.slice(0, 10)}, người nhập: ${r.importedBy}; \`chuky report compile --years …\` đọc được năm này`,
    );
  for (const w of r.warnings) lines.push(`  Lưu ý: ${formatIssue(w)}`);
  if (r.errors.length) {
    lines.push(`${r.errors.length} lỗi${r.dryRun ? ' (sửa trước khi nhập; lần nhập thật sẽ không nhập gì khi còn lỗi)' : ''}:`);
    for (const e of r.errors) lines.push(`  ${formatIssue(e)}`);
  } else if (r.dryRun) lines.push('Không có lỗi. Chạy lại không có --dry-run để nhập.');
  return `${lines.join('\n')}\n`;
}
