/**
 * A cycle definition: one committee's yearly plan, its calendar, reminder and escalation policy, its phases and
 * its list of units. Authored as YAML by the committee's staff; every problem is reported with file, line and
 * field path so it can be fixed in one pass.
 */
import { dirname, resolve } from 'node:path';
import * as z from 'zod';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node as YamlNode } from 'yaml';
import { ConfigError, formatPath, type ConfigIssue } from './errors.js';
import { dedupeIssues, operatorErrorMap, zodIssuesToPaths } from './zod-messages.js';
import { loadUnitsFile, type Unit } from './units.js';
import { loadUnitsFileAsync } from './units-xlsx.js';
import { readConfigText } from './files.js';
import { unsafeTextSegments } from '../domain/text-safety.js';
import { DEFAULT_MEMBERS_MARGIN_PERCENT } from '../domain/phases/common.js';

// ---------------------------------------------------------------------------------------------------------------
// Building blocks

/** True for a real calendar date written 'YYYY-MM-DD' (rejects 2027-02-30). */
export function isIsoDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

/** True when `Intl` knows the IANA time zone. */
export function isValidTimeZone(zone: string): boolean {
  if (zone === '' || !/^[A-Za-z_+\-/0-9]+$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** A YAML 1.1 parser may hand us a Date for an unquoted date; bring it back to 'YYYY-MM-DD'. */
const dateToIso = (v: unknown): unknown => (v instanceof Date && !Number.isNaN(v.getTime()) ? v.toISOString().slice(0, 10) : v);

export const IsoDateSchema = z.preprocess(
  dateToIso,
  z.string().superRefine((value, ctx) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) {
      ctx.addIssue({ code: 'custom', message: `must be a date written YYYY-MM-DD, e.g. 2027-02-15, got ${JSON.stringify(value)}` });
    } else if (!isIsoDate(value)) {
      ctx.addIssue({ code: 'custom', message: `not a real calendar date: ${value}` });
    }
  }),
);

const Text = z.string().trim().min(1);
const Email = z.string().trim().toLowerCase().pipe(z.email());
const PositiveDays = z.number().int().min(1).max(366);

export const PHASE_IDS = ['plan', 'study', 'pledge', 'models', 'inspection', 'year-end-report', 'compile'] as const;
export const PhaseIdSchema = z.enum(PHASE_IDS);
export type PhaseId = z.output<typeof PhaseIdSchema>;

const DaysBeforeSchema = z
  .array(PositiveDays)
  .superRefine((days, ctx) => {
    days.forEach((d, i) => {
      if (days.indexOf(d) !== i) ctx.addIssue({ code: 'custom', path: [i], message: `${d} is listed twice; the days must be distinct` });
    });
  })
  .transform((days) => [...days].sort((a, b) => b - a));

export const ReminderConfigSchema = z.strictObject({
  /** Days before the deadline on which a reminder goes out; distinct, sorted descending after parsing. */
  daysBefore: DaysBeforeSchema.default(() => [7, 3, 1]),
});
export type ReminderConfig = z.output<typeof ReminderConfigSchema>;

/** The same shape with `daysBefore` required: a phase override must say what it overrides. */
export const PhaseReminderConfigSchema = z.strictObject({ daysBefore: DaysBeforeSchema });

export const EscalationConfigSchema = z
  .strictObject({
    /** On the deadline, a notice to the secretary, copied to the standing body. */
    overdueNotice: z.boolean().default(true),
    /** Days after the deadline when the committee's leaders are told and the unit is flagged. */
    level2AfterDays: PositiveDays.default(7),
    /** Days after the deadline when the obligation is recorded as not submitted. */
    level3AfterDays: PositiveDays.default(14),
  })
  .superRefine((e, ctx) => {
    if (e.level3AfterDays <= e.level2AfterDays) {
      ctx.addIssue({
        code: 'custom',
        path: ['level3AfterDays'],
        message: `must be greater than level2AfterDays (${e.level2AfterDays}), got ${e.level3AfterDays}`,
      });
    }
  });
export type EscalationConfig = z.output<typeof EscalationConfigSchema>;

export const PhaseEscalationOverrideSchema = z.strictObject({
  overdueNotice: z.boolean().optional(),
  level2AfterDays: PositiveDays.optional(),
  level3AfterDays: PositiveDays.optional(),
});
export type PhaseEscalationOverride = z.output<typeof PhaseEscalationOverrideSchema>;

export const CalendarConfigSchema = z.strictObject({
  /** Deadlines on a weekend or holiday roll forward to the next working day. */
  rollForward: z.boolean().default(true),
  /** Non-working days of the week as JS getUTCDay(): Sunday = 0 … Saturday = 6. */
  weekend: z
    .array(z.number().int().min(0).max(6))
    .max(6)
    .superRefine((days, ctx) => {
      days.forEach((d, i) => {
        if (days.indexOf(d) !== i) ctx.addIssue({ code: 'custom', path: [i], message: `${d} is listed twice` });
      });
    })
    .default(() => [6, 0]),
  /** Public holidays, 'YYYY-MM-DD'. */
  holidays: z.array(IsoDateSchema).default(() => []),
});
export type CalendarConfig = z.output<typeof CalendarConfigSchema>;

const PersonSchema = z.strictObject({ name: Text, title: Text, email: Email });
export type Leader = z.output<typeof PersonSchema>;

/** A committee's code: a slug used in cycle and workflow ids. */
export const CommitteeCodeSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]+$/, { message: 'must use only letters A-Z, digits, "-" and "_" (it is used in workflow ids)' });

export const CommitteeInfoSchema = z.strictObject({
  /** Slug used in workflow ids. */
  code: CommitteeCodeSchema,
  /** The superior body, in capitals as printed: "ĐẢNG BỘ TỈNH HÀ TĨNH". */
  superior: Text,
  /** The issuing body, in capitals as printed. */
  name: Text,
  /** A short name for emails, e.g. "Đảng ủy Khối". */
  shortName: Text.optional(),
  /** The code in document numbers: "ĐUK" in "Số 12-BC/ĐUK". */
  documentCode: Text,
  /** The place in the date line: "Hà Tĩnh, ngày … tháng … năm …". */
  place: Text,
  /** The cycle's standing body (Ban Tuyên giáo, or "Ban Tuyên giáo và Dân vận"): copied on overdue notices. */
  standingBody: z.strictObject({ name: Text, email: Email }),
  /** Escalation level 2 recipients. */
  leaders: z.array(PersonSchema).min(1),
});
export type CommitteeInfo = z.output<typeof CommitteeInfoSchema>;

export const PlanInfoSchema = z.strictObject({
  number: Text,
  title: Text,
  issuedOn: IsoDateSchema,
  url: z.url({ protocol: /^https?$/, message: 'must be an http:// or https:// link' }).optional(),
});
export type PlanInfo = z.output<typeof PlanInfoSchema>;

export const PhaseDefinitionInputSchema = z.strictObject({
  id: PhaseIdSchema,
  title: Text,
  /** Defaults to plan.issuedOn. */
  opensOn: IsoDateSchema.optional(),
  deadline: IsoDateSchema,
  reminders: PhaseReminderConfigSchema.optional(),
  escalation: PhaseEscalationOverrideSchema.optional(),
  /** Study phase: days a unit under the attendance target has for its make-up session (quán triệt bổ sung). */
  makeupDays: z.number().int().min(1).max(120).optional(),
});

export const TargetsSchema = z.strictObject({
  /** Share of members who must have studied, in percent. */
  studyPercent: z.number().min(0).max(100).default(98),
  /** Share of members with a personal plan (kế hoạch cá nhân), in percent. */
  pledgePercent: z.number().min(0).max(100).default(100),
  /**
   * How far a unit's reported member count (study, pledge) may differ from the units list's "Số đảng viên", in
   * percent of the list's count, before the unit must give a reason (default 10: 95 in the list → 86 to 104
   * need none). Reasons are shown in the console and listed in the report's notes to check.
   */
  membersMarginPercent: z
    .number({ error: 'must be a number of percent, e.g. 10' })
    .min(0, { error: "must be between 0 and 100 (percent of the units list's member count)" })
    .max(100, { error: "must be between 0 and 100 (percent of the units list's member count)" })
    .default(DEFAULT_MEMBERS_MARGIN_PERCENT),
});

/** Days a child cycle's deadline keeps before its superior's deadline for the same obligation, by default. */
export const DEFAULT_CASCADE_MARGIN_DAYS = 5;

/**
 * A child cycle: this committee is a unit of its superior's cycle of the same year, which runs in chuky too, and
 * this cycle is how it meets its obligations there. Its deadlines must fall `marginDays` or more before the
 * superior's deadline for the same phase (domain/cascade.ts): `cycle start` refuses a cycle that breaks that.
 */
export const ParentLinkSchema = z.strictObject({
  /** The superior committee's code: its cycle of this cycle's year is the parent (TU-HT → TU-HT-2027). */
  committee: CommitteeCodeSchema,
  /** This committee's unit code in the superior's units list; by default this committee's own code. */
  unit: z.string().trim().min(1).optional(),
  /** Days between this cycle's deadline for a phase and the superior's deadline for the same phase, at least. */
  marginDays: z
    .number({ error: 'must be a whole number of days, e.g. 5' })
    .int({ error: 'must be a whole number of days, e.g. 5' })
    .min(0, { error: 'must be between 0 and 90 days' })
    .max(90, { error: 'must be between 0 and 90 days' })
    .default(DEFAULT_CASCADE_MARGIN_DAYS),
});
export type ParentLink = z.output<typeof ParentLinkSchema>;

const CycleDefinitionBaseSchema = z.strictObject({
  committee: CommitteeInfoSchema,
  /** Absent for a committee whose superior does not run chuky (or that has none). */
  parent: ParentLinkSchema.optional(),
  year: z.number().int().min(2000).max(2100),
  timezone: z
    .string()
    .trim()
    .refine(isValidTimeZone, { message: 'not a valid IANA time zone (e.g. Asia/Ho_Chi_Minh)' })
    .default('Asia/Ho_Chi_Minh'),
  plan: PlanInfoSchema,
  calendar: CalendarConfigSchema.prefault({}),
  reminders: ReminderConfigSchema.prefault({}),
  escalation: EscalationConfigSchema.prefault({}),
  targets: TargetsSchema.prefault({}),
  phases: z.array(PhaseDefinitionInputSchema).min(1),
  /** Path of the units CSV, relative to the cycle file. */
  unitsFile: Text,
  /**
   * The day the cycle closes its units' workflows (and later freezes the year's data). Default: 31 December of
   * the cycle's year. It is never earlier than the last phase's level-3 escalation.
   */
  closesOn: IsoDateSchema.optional(),
});

// ---------------------------------------------------------------------------------------------------------------
// Cross-field rules. Written against `unknown` so they run even when other fields failed: the operator sees every
// problem at once.

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const validDate = (v: unknown): string | undefined => {
  const d = dateToIso(v);
  return typeof d === 'string' && isIsoDate(d) ? d : undefined;
};
const positiveInt = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) && v >= 1 ? v : undefined);

function crossCheck(value: unknown, ctx: z.core.$RefinementCtx<unknown>): void {
  if (!isRecord(value)) return;
  const year = typeof value.year === 'number' && Number.isInteger(value.year) ? value.year : undefined;
  const plan = isRecord(value.plan) ? value.plan : undefined;
  const issuedOn = validDate(plan?.issuedOn);
  if (year !== undefined && issuedOn !== undefined) {
    const issuedYear = Number(issuedOn.slice(0, 4));
    if (issuedYear !== year && issuedYear !== year - 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['plan', 'issuedOn'],
        message: `must fall in ${year - 1} or ${year} (the cycle's year is ${year})`,
      });
    }
  }
  const committee = isRecord(value.committee) ? value.committee : undefined;
  const parent = isRecord(value.parent) ? value.parent : undefined;
  if (typeof parent?.committee === 'string' && parent.committee.trim() === committee?.code) {
    ctx.addIssue({
      code: 'custom',
      path: ['parent', 'committee'],
      message: `is this committee's own code (${parent.committee.trim()}): the parent is the superior committee`,
    });
  }
  const cycleEsc = isRecord(value.escalation) ? value.escalation : {};
  const cycleL2 = positiveInt(cycleEsc.level2AfterDays) ?? 7;
  const cycleL3 = positiveInt(cycleEsc.level3AfterDays) ?? 14;

  if (!Array.isArray(value.phases)) return;
  const firstIndex = new Map<string, number>();
  value.phases.forEach((phase: unknown, i: number) => {
    if (!isRecord(phase)) return;
    if (typeof phase.id === 'string') {
      const first = firstIndex.get(phase.id);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['phases', i, 'id'], message: `duplicate phase id "${phase.id}" (also phases[${first}])` });
      } else firstIndex.set(phase.id, i);
    }
    const opensOn = phase.opensOn === undefined ? issuedOn : validDate(phase.opensOn);
    const deadline = validDate(phase.deadline);
    if (deadline !== undefined && opensOn !== undefined && deadline < opensOn) {
      const from = phase.opensOn === undefined ? `opensOn (plan.issuedOn, ${opensOn})` : `opensOn (${opensOn})`;
      ctx.addIssue({ code: 'custom', path: ['phases', i, 'deadline'], message: `${deadline} is before ${from}` });
    }
    if (deadline !== undefined && year !== undefined && (deadline < `${year}-01-01` || deadline > `${year + 1}-01-31`)) {
      ctx.addIssue({
        code: 'custom',
        path: ['phases', i, 'deadline'],
        message: `${deadline} is outside the cycle's year: must be between ${year}-01-01 and ${year + 1}-01-31`,
      });
    }
    if (isRecord(phase.escalation)) {
      const l2 = positiveInt(phase.escalation.level2AfterDays);
      const l3 = positiveInt(phase.escalation.level3AfterDays);
      if (l2 !== undefined || l3 !== undefined) {
        const effL2 = l2 ?? cycleL2;
        const effL3 = l3 ?? cycleL3;
        if (effL3 <= effL2) {
          ctx.addIssue({
            code: 'custom',
            path: ['phases', i, 'escalation', l3 !== undefined ? 'level3AfterDays' : 'level2AfterDays'],
            message:
              `level3AfterDays (${effL3}${l3 === undefined ? ', from the cycle' : ''}) must be greater than ` +
              `level2AfterDays (${effL2}${l2 === undefined ? ', from the cycle' : ''})`,
          });
        }
      }
    }
  });
}

export const CycleDefinitionSchema = CycleDefinitionBaseSchema.superRefine(crossCheck, { when: () => true }).transform((def) => ({
  ...def,
  closesOn: def.closesOn ?? `${def.year}-12-31`,
  phases: def.phases.map((p) => ({ ...p, opensOn: p.opensOn ?? def.plan.issuedOn })),
}));

export type CycleDefinition = z.output<typeof CycleDefinitionSchema>;
/** A phase with `opensOn` filled in (it defaults to plan.issuedOn). */
export type PhaseDefinition = CycleDefinition['phases'][number];

export interface LoadedCycle {
  definition: CycleDefinition;
  /** The cycle file's line of a field (`['phases', 2, 'deadline']`), for errors found after loading. */
  lineOf: (path: readonly PropertyKey[]) => number | undefined;
  units: Unit[];
  /** Absolute path of the cycle YAML. */
  sourceFile: string;
  /** Absolute path of the units CSV. */
  unitsFile: string;
}

/** The reminder and escalation policy that applies to one phase: the cycle's, with the phase's overrides on top. */
export { effectivePhasePolicy } from './phase-policy.js';

// ---------------------------------------------------------------------------------------------------------------
// YAML with line numbers

export interface ParsedYaml {
  doc: Document;
  lineCounter: LineCounter;
}

function lineAt(lineCounter: LineCounter, offset: number): number {
  return Math.max(1, lineCounter.linePos(offset).line);
}

function nodeLine(node: unknown, lineCounter: LineCounter): number | undefined {
  const range = (node as YamlNode | null | undefined)?.range;
  return range ? lineAt(lineCounter, range[0]) : undefined;
}

/**
 * The line of the YAML node at a zod issue path. Where the path leaves the document (a missing field) the nearest
 * existing ancestor's line is used; a field holding a mapping or list is reported at its key's line.
 */
export function yamlLineOf(doc: Document, lineCounter: LineCounter, path: readonly PropertyKey[]): number | undefined {
  let node: unknown = doc.contents;
  let line = nodeLine(node, lineCounter);
  for (const segment of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => {
        const key = isScalar(p.key) ? p.key.value : p.key;
        return key === segment || String(key) === String(segment);
      });
      if (!pair) break;
      const keyLine = nodeLine(pair.key, lineCounter);
      const value = pair.value;
      if (isScalar(value) || isAlias(value)) {
        line = nodeLine(value, lineCounter) ?? keyLine ?? line;
      } else {
        line = keyLine ?? nodeLine(value, lineCounter) ?? line;
      }
      node = value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (item === undefined) break;
      line = nodeLine(item, lineCounter) ?? line;
      node = item;
    } else {
      break;
    }
  }
  return line;
}

export function parseYamlText(text: string, file: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text.replace(/^\uFEFF/, '').normalize('NFC'), {
    lineCounter,
    keepSourceTokens: true,
    prettyErrors: false,
    uniqueKeys: true,
    // An odd key (a list or mapping as a key) is reported as an unknown field; no warning on stderr.
    logLevel: 'error',
  });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => ({
        file,
        line: lineAt(lineCounter, e.pos[0]),
        field: 'YAML syntax',
        message: e.message.split('\n')[0] ?? e.message,
      })),
    );
  }
  return { doc, lineCounter };
}

function validateCycle(parsed: ParsedYaml, file: string): CycleDefinition {
  return validateYaml(parsed, file, CycleDefinitionSchema);
}

/**
 * The document as plain data. The YAML library throws (a ReferenceError) for an alias to an anchor that is not
 * defined before it and for aliases expanding into a huge document; both become a ConfigError at the alias.
 */
function yamlData(doc: Document, lineCounter: LineCounter, file: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    let line: number | undefined;
    let unresolved: string | undefined;
    visit(doc, {
      Alias(_, node) {
        if (node.resolve(doc) === undefined && unresolved === undefined) {
          unresolved = node.source;
          line = nodeLine(node, lineCounter);
        }
        line ??= nodeLine(node, lineCounter);
      },
    });
    const message =
      unresolved !== undefined
        ? `alias *${unresolved} names no anchor &${unresolved} defined before it`
        : `too many aliases: the aliases expand into a document too large to read (${e instanceof Error ? e.message : String(e)})`;
    throw new ConfigError([{ file, line: line ?? 1, field: 'YAML syntax', message }]);
  }
}

/** Validates a parsed YAML document with a zod schema; every issue located at its file line and field path. */
export function validateYaml<S extends z.ZodType>({ doc, lineCounter }: ParsedYaml, file: string, schema: S): z.output<S> {
  const data = yamlData(doc, lineCounter, file);
  // "\0" (or a broken "\uD800") in a quoted string: PostgreSQL could not store the definition.
  const unsafe = unsafeTextSegments(data);
  if (unsafe !== undefined) {
    throw new ConfigError([
      {
        file,
        line: yamlLineOf(doc, lineCounter, unsafe) ?? 1,
        field: formatPath(unsafe) || '(document)',
        message: 'contains a NUL character or a broken surrogate escape, which cannot be stored',
      },
    ]);
  }
  const result = schema.safeParse(data ?? {}, { error: operatorErrorMap });
  if (result.success) return result.data;
  const issues: ConfigIssue[] = zodIssuesToPaths(result.error.issues).map((i) => ({
    file,
    line: yamlLineOf(doc, lineCounter, i.path) ?? 1,
    field: formatPath(i.path) || '(document)',
    message: i.message,
  }));
  issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  throw new ConfigError(dedupeIssues(issues));
}

/** Parse and validate a cycle definition. `file` is only used in error messages. */
export function parseCycleYaml(text: string, file: string): CycleDefinition {
  return validateCycle(parseYamlText(text, file), file);
}

/** Read a cycle YAML, then its units file (resolved relative to the YAML file). */
/** The missing or unreadable units file is reported at the cycle file's line that names it. */
function unitsFileError(e: unknown, path: string, parsed: ParsedYaml, unitsFile: string): unknown {
  if (e instanceof ConfigError && e.issues.length === 1 && e.issues[0]?.line === undefined && e.issues[0]?.file === unitsFile) {
    return new ConfigError([
      {
        file: path,
        line: yamlLineOf(parsed.doc, parsed.lineCounter, ['unitsFile']),
        field: 'unitsFile',
        message: `${e.issues[0].message}: ${unitsFile}`,
      },
    ]);
  }
  return e;
}

function readCycle(path: string): { sourceFile: string; parsed: ParsedYaml; definition: CycleDefinition; unitsFile: string } {
  const sourceFile = resolve(path);
  const parsed = parseYamlText(readConfigText(sourceFile), path);
  const definition = validateCycle(parsed, path);
  return { sourceFile, parsed, definition, unitsFile: resolve(dirname(sourceFile), definition.unitsFile) };
}

const lineFinder =
  (parsed: ParsedYaml) =>
  (path: readonly PropertyKey[]): number | undefined =>
    yamlLineOf(parsed.doc, parsed.lineCounter, path);

/** A cycle file and its CSV units file. */
export function loadCycleFile(path: string): LoadedCycle {
  const { sourceFile, parsed, definition, unitsFile } = readCycle(path);
  try {
    return { definition, units: loadUnitsFile(unitsFile), sourceFile, unitsFile, lineOf: lineFinder(parsed) };
  } catch (e) {
    throw unitsFileError(e, path, parsed, unitsFile);
  }
}

/** A cycle file and its units file, CSV or Excel (.xlsx). */
export async function loadCycleFileAsync(path: string): Promise<LoadedCycle> {
  const { sourceFile, parsed, definition, unitsFile } = readCycle(path);
  try {
    return { definition, units: await loadUnitsFileAsync(unitsFile), sourceFile, unitsFile, lineOf: lineFinder(parsed) };
  } catch (e) {
    throw unitsFileError(e, path, parsed, unitsFile);
  }
}
