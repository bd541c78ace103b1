/**
 * What importing a units file would change in a running cycle: which units join, which change their details
 * (and in which fields), which stay as they are, and which are registered but no longer in the file. Pure: the
 * caller reads the database and the file, and decides what to apply.
 */
import type { UnitRow } from '../db/cycles.js';
import type { Unit, UnitColumn } from '../config/units.js';

/** A registered unit; `parentCode` is compared when the caller read it (db/cycles' UnitRow does not carry it). */
export type CurrentUnit = UnitRow & { parentCode?: string | null | undefined };

export type UnitField = UnitColumn;

export interface UnitChange {
  code: string;
  before: CurrentUnit;
  after: Unit;
  /** The fields that differ, named as the CSV columns are (`contactEmail`, `members`…). */
  fields: UnitField[];
}

export interface UnitsDiff {
  /** In the file, not registered: they join the cycle. */
  added: Unit[];
  /** In the file and registered (active), with different details. */
  changed: UnitChange[];
  /** In the file and registered (active), identical. */
  unchanged: string[];
  /** Registered and active, not in the file: candidates for removal (only with an explicit, reasoned act). */
  missing: CurrentUnit[];
  /**
   * In the file but removed from the cycle earlier. They are not brought back by an import: their year's
   * workflow has ended with the reason given then.
   */
  inactive: string[];
}

const key = (code: string): string => code.toLowerCase();

/** Field by field, as the CSV names them. Text is compared after NFC; emails case-insensitively. */
export function changedFields(before: CurrentUnit, after: Unit): UnitField[] {
  const text = (v: string | null | undefined): string => (v ?? '').normalize('NFC').trim();
  const email = (v: string | null | undefined): string => text(v).toLowerCase();
  const fields: UnitField[] = [];
  if (text(before.name) !== text(after.name)) fields.push('name');
  if (before.kind !== after.kind) fields.push('kind');
  if (Number(before.members) !== after.members) fields.push('members');
  if (text(before.secretaryName) !== text(after.secretary.name)) fields.push('secretaryName');
  if (email(before.secretaryEmail) !== email(after.secretary.email)) fields.push('secretaryEmail');
  if (text(before.contactName) !== text(after.contact?.name)) fields.push('contactName');
  if (email(before.contactEmail) !== email(after.contact?.email)) fields.push('contactEmail');
  // Only compared when the caller knows the registered parent: a UnitRow without it says nothing about it.
  if (before.parentCode !== undefined && key(before.parentCode ?? '') !== key(after.parent ?? '')) fields.push('parent');
  return fields;
}

/**
 * Units are matched by code, ignoring case (the CSV loader already refuses two codes differing only in case);
 * a matched unit keeps its registered spelling of the code.
 */
export function diffUnits(current: CurrentUnit[], incoming: Unit[]): UnitsDiff {
  const registered = new Map(current.map((u) => [key(u.code), u]));
  const inFile = new Set(incoming.map((u) => key(u.code)));
  const diff: UnitsDiff = { added: [], changed: [], unchanged: [], missing: [], inactive: [] };
  for (const unit of incoming) {
    const before = registered.get(key(unit.code));
    if (!before) {
      diff.added.push(unit);
      continue;
    }
    if (!before.active) {
      diff.inactive.push(before.code);
      continue;
    }
    const after: Unit = { ...unit, code: before.code };
    const fields = changedFields(before, after);
    if (fields.length > 0) diff.changed.push({ code: before.code, before, after, fields });
    else diff.unchanged.push(before.code);
  }
  for (const unit of current) {
    if (unit.active && !inFile.has(key(unit.code))) diff.missing.push(unit);
  }
  const byCode = (a: { code: string }, b: { code: string }) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
  diff.added.sort(byCode);
  diff.changed.sort(byCode);
  diff.missing.sort(byCode);
  diff.unchanged.sort();
  diff.inactive.sort();
  return diff;
}

/** One line per change, for people: "+ U004 Đảng bộ …", "~ U002 contactEmail: a@x → b@x", "- U003 …". */
export function describeDiff(diff: UnitsDiff): string[] {
  const lines: string[] = [];
  // A unit's fields are text, numbers and flags: text as it is, the others as JSON writes them (5, true).
  const show = (v: unknown): string =>
    v === null || v === undefined || v === '' ? '(trống)' : typeof v === 'string' ? v : JSON.stringify(v);
  const value = (u: CurrentUnit | Unit, field: UnitField): unknown => {
    if ('secretary' in u) {
      switch (field) {
        case 'secretaryName':
          return u.secretary.name;
        case 'secretaryEmail':
          return u.secretary.email;
        case 'contactName':
          return u.contact?.name;
        case 'contactEmail':
          return u.contact?.email;
        default:
          return (u as unknown as Record<string, unknown>)[field];
      }
    }
    return field === 'parent' ? u.parentCode : (u as unknown as Record<string, unknown>)[field];
  };
  for (const u of diff.added)
    lines.push(`+ ${u.code}  ${u.name} (${u.members} đảng viên, bí thư ${u.secretary.name} <${u.secretary.email}>)`);
  for (const c of diff.changed) {
    lines.push(`~ ${c.code}  ${c.fields.join(', ')}`);
    for (const f of c.fields) lines.push(`    ${f}: ${show(value(c.before, f))} → ${show(value(c.after, f))}`);
  }
  for (const u of diff.missing) lines.push(`- ${u.code}  ${u.name} (not in the file)`);
  for (const code of diff.inactive) lines.push(`! ${code}  was removed from the cycle earlier; not re-added`);
  return lines;
}
