/**
 * How the units behave in a rehearsal: a small YAML file saying which units submit on time, late, never, after
 * an extension, or are exempted — for the whole year or per phase — and what attendance they report. Problems
 * are reported as `file:line: field: message`, like the cycle file's (config/cycle.ts).
 *
 * ```yaml
 * default: on-time            # on-time | late | never | extended | exempted
 * onTimeDaysBefore: 3         # on-time units submit this many days before the deadline
 * lateDays: 5                 # late units submit this many days after it
 * extendDays: 10              # extended units get the deadline moved this many days, then submit on time
 * extendAtDaysBefore: 2       # … the extension is granted this many days before the original deadline
 * exemptAtDaysBefore: 5       # exempted units are exempted this many days before the deadline
 * mix: { on-time: 60, late: 20, never: 10, extended: 5, exempted: 5 }
 * studyPercent: 100           # attendance the units report
 * units:
 *   U001: late
 *   U002: { behaviour: never }
 *   U003: { phases: { study: { behaviour: on-time, studyPercent: 90 } } }
 * ```
 *
 * Every value is resolved per unit and phase: the unit's phase override, then the unit's own override, then (for
 * the behaviour) the mix or the default, then the file's value. The make-up session a unit under the study target
 * owes (phase `study-makeup`) behaves as its study phase did unless it has its own override.
 */
import { resolve } from 'node:path';
import * as z from 'zod';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { yamlLineOf } from '../config/cycle.js';
import { ConfigError, formatPath, type ConfigIssue } from '../config/errors.js';
import { readConfigText } from '../config/files.js';
import { dedupeIssues, operatorErrorMap, zodIssuesToPaths } from '../config/zod-messages.js';

export const BEHAVIOURS = ['on-time', 'late', 'never', 'extended', 'exempted'] as const;
export type Behaviour = (typeof BEHAVIOURS)[number];

/** Phases a unit owes; `compile` is the committee's own work and has no unit behaviour. */
export const UNIT_PHASE_IDS = ['plan', 'study', 'study-makeup', 'pledge', 'models', 'inspection', 'year-end-report'] as const;
export const MAKEUP_PHASE = 'study-makeup';

/** What one unit does in one phase, every value resolved. */
export interface PhaseBehaviour {
  behaviour: Behaviour;
  /** on-time (and extended, against the new deadline): submit this many days before the deadline. */
  onTimeDaysBefore: number;
  /** late: submit this many days after the deadline. */
  lateDays: number;
  /** extended: the deadline moves this many days. */
  extendDays: number;
  /** extended: the extension is granted this many days before the original deadline. */
  extendAtDaysBefore: number;
  /** exempted: the exemption is granted this many days before the deadline. */
  exemptAtDaysBefore: number;
  /** Attendance the unit reports (study; also the year-end figures), in percent. */
  studyPercent: number;
}

export const DEFAULT_TUNING = {
  onTimeDaysBefore: 3,
  lateDays: 5,
  extendDays: 10,
  extendAtDaysBefore: 2,
  exemptAtDaysBefore: 5,
  studyPercent: 100,
} as const satisfies Omit<PhaseBehaviour, 'behaviour'>;

const BehaviourSchema = z.enum(BEHAVIOURS);
const days = (min: number) => z.number().int().min(min).max(366);
const Tuning = {
  onTimeDaysBefore: days(0),
  lateDays: days(1),
  extendDays: days(1),
  extendAtDaysBefore: days(0),
  exemptAtDaysBefore: days(0),
  studyPercent: z.number().min(0).max(100),
};
const OptionalTuning = {
  onTimeDaysBefore: Tuning.onTimeDaysBefore.optional(),
  lateDays: Tuning.lateDays.optional(),
  extendDays: Tuning.extendDays.optional(),
  extendAtDaysBefore: Tuning.extendAtDaysBefore.optional(),
  exemptAtDaysBefore: Tuning.exemptAtDaysBefore.optional(),
  studyPercent: Tuning.studyPercent.optional(),
};

/** `U001: late` is short for `U001: { behaviour: late }`. */
const shorthand = (v: unknown): unknown => (typeof v === 'string' ? { behaviour: v } : v);

const PhaseOverrideSchema = z.preprocess(shorthand, z.strictObject({ behaviour: BehaviourSchema.optional(), ...OptionalTuning }));
export type PhaseOverride = z.output<typeof PhaseOverrideSchema>;

const PhasesSchema = z.record(z.string(), PhaseOverrideSchema).superRefine((phases, ctx) => {
  for (const id of Object.keys(phases)) {
    if (id === 'compile') {
      ctx.addIssue({ code: 'custom', path: [id], message: '"compile" is the committee\'s own phase; units have no behaviour in it' });
    } else if (!(UNIT_PHASE_IDS as readonly string[]).includes(id)) {
      ctx.addIssue({ code: 'custom', path: [id], message: `unknown phase "${id}" (phases: ${UNIT_PHASE_IDS.join(', ')})` });
    }
  }
});

const UnitOverrideSchema = z.preprocess(
  shorthand,
  z.strictObject({ behaviour: BehaviourSchema.optional(), ...OptionalTuning, phases: PhasesSchema.optional() }),
);
export type UnitOverride = z.output<typeof UnitOverrideSchema>;

const MixSchema = z
  .strictObject(
    Object.fromEntries(BEHAVIOURS.map((b) => [b, z.number().min(0).max(100).optional()])) as Record<Behaviour, z.ZodOptional<z.ZodNumber>>,
  )
  .superRefine((mix, ctx) => {
    const total = Object.values(mix).reduce<number>((sum, v) => sum + (v ?? 0), 0);
    if (total > 100)
      ctx.addIssue({
        code: 'custom',
        message: `the percentages add up to ${total}; they must not exceed 100 (units left over take "default")`,
      });
  });

export const BehaviourSpecSchema = z.strictObject({
  default: BehaviourSchema.default('on-time'),
  onTimeDaysBefore: Tuning.onTimeDaysBefore.default(DEFAULT_TUNING.onTimeDaysBefore),
  lateDays: Tuning.lateDays.default(DEFAULT_TUNING.lateDays),
  extendDays: Tuning.extendDays.default(DEFAULT_TUNING.extendDays),
  extendAtDaysBefore: Tuning.extendAtDaysBefore.default(DEFAULT_TUNING.extendAtDaysBefore),
  exemptAtDaysBefore: Tuning.exemptAtDaysBefore.default(DEFAULT_TUNING.exemptAtDaysBefore),
  studyPercent: Tuning.studyPercent.default(DEFAULT_TUNING.studyPercent),
  mix: MixSchema.optional(),
  units: z.record(z.string(), UnitOverrideSchema).default(() => ({})),
});
export type BehaviourSpec = z.output<typeof BehaviourSpecSchema>;

/** A parsed behaviour file, remembering where each field was written so later checks can point at it. */
export interface BehaviourFile {
  spec: BehaviourSpec;
  /** The file name used in messages; undefined for the built-in default. */
  file: string | undefined;
  /** The line of the field at a path, e.g. ['units', 'U001', 'phases', 'study']. */
  lineOf(path: readonly PropertyKey[]): number | undefined;
}

function lineAt(lineCounter: LineCounter, offset: number): number {
  return Math.max(1, lineCounter.linePos(offset).line);
}

function parseYaml(text: string, file: string): { doc: Document; lineCounter: LineCounter } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text.replace(/^\uFEFF/, '').normalize('NFC'), { lineCounter, prettyErrors: false, uniqueKeys: true });
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

/** Parse and validate a behaviour file's text. `file` is only used in messages. */
export function parseBehaviourYaml(text: string, file: string): BehaviourFile {
  const { doc, lineCounter } = parseYaml(text, file);
  const lineOf = (path: readonly PropertyKey[]) => yamlLineOf(doc, lineCounter, path);
  const data: unknown = doc.toJS({ maxAliasCount: 100 }) ?? {};
  const result = BehaviourSpecSchema.safeParse(data, { error: operatorErrorMap });
  if (!result.success) {
    const issues: ConfigIssue[] = zodIssuesToPaths(result.error.issues).map((i) => ({
      file,
      line: lineOf(i.path) ?? 1,
      field: formatPath(i.path) || '(document)',
      message: i.message,
    }));
    issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    throw new ConfigError(dedupeIssues(issues));
  }
  return { spec: result.data, file, lineOf };
}

/** Read and validate a behaviour file. */
export function loadBehaviourFile(path: string): BehaviourFile {
  return parseBehaviourYaml(readConfigText(resolve(path)), path);
}

/** No file: every unit submits on time in every phase. */
export function defaultBehaviourFile(): BehaviourFile {
  return { spec: BehaviourSpecSchema.parse({}), file: undefined, lineOf: () => undefined };
}

/**
 * The mix as a count per behaviour for `n` units (largest remainder, ties in the order of BEHAVIOURS); the units
 * left over when the percentages add up to less than 100 take the default.
 */
export function mixCounts(mix: Partial<Record<Behaviour, number>>, n: number): Map<Behaviour, number> {
  const exact = BEHAVIOURS.map((b) => ({ b, value: ((mix[b] ?? 0) * n) / 100 }));
  const counts = new Map<Behaviour, number>(exact.map(({ b, value }) => [b, Math.floor(value + 1e-9)]));
  const wanted = Math.min(n, Math.round(exact.reduce((s, e) => s + e.value, 0)));
  let assigned = [...counts.values()].reduce((s, c) => s + c, 0);
  const byRemainder = [...exact].sort((a, b) => b.value - Math.floor(b.value + 1e-9) - (a.value - Math.floor(a.value + 1e-9)));
  for (const { b } of byRemainder) {
    if (assigned >= wanted) break;
    counts.set(b, (counts.get(b) ?? 0) + 1);
    assigned += 1;
  }
  return counts;
}

const TUNING_KEYS = Object.keys(DEFAULT_TUNING) as Array<keyof typeof DEFAULT_TUNING>;

/**
 * Every unit's behaviour in every phase. `units` are the cycle's units (codes, or objects with a code), `phases`
 * the cycle's unit phases; when `study` is among them, `study-makeup` is added. Mix percentages are assigned in
 * unit-code order: the first units (sorted by code) take "on-time", the next "late", and so on in the order of
 * BEHAVIOURS. Overrides naming a unit or a phase the cycle does not have are errors.
 */
export function resolveBehaviours(
  units: ReadonlyArray<string | { code: string }>,
  phases: readonly string[],
  behaviourFile: BehaviourFile | BehaviourSpec = defaultBehaviourFile(),
): Map<string, Map<string, PhaseBehaviour>> {
  const file: BehaviourFile = 'spec' in behaviourFile ? behaviourFile : { spec: behaviourFile, file: undefined, lineOf: () => undefined };
  const { spec } = file;
  const codes = units.map((u) => (typeof u === 'string' ? u : u.code));
  const unitPhases = phases.filter((p) => p !== 'compile');
  const allPhases = unitPhases.includes('study') && !unitPhases.includes(MAKEUP_PHASE) ? [...unitPhases, MAKEUP_PHASE] : unitPhases;

  const issues: ConfigIssue[] = [];
  const problem = (path: PropertyKey[], message: string) =>
    issues.push({
      ...(file.file !== undefined ? { file: file.file } : {}),
      ...(file.lineOf(path) !== undefined ? { line: file.lineOf(path)! } : {}),
      field: formatPath(path),
      message,
    });
  const known = new Set(codes);
  for (const [code, override] of Object.entries(spec.units)) {
    if (!known.has(code)) {
      problem(['units', code], `no unit "${code}" in the cycle's units file`);
      continue;
    }
    for (const phase of Object.keys(override.phases ?? {})) {
      if (!allPhases.includes(phase) && (UNIT_PHASE_IDS as readonly string[]).includes(phase)) {
        problem(['units', code, 'phases', phase], `the cycle has no phase "${phase}" (its unit phases: ${allPhases.join(', ')})`);
      }
    }
  }
  if (issues.length) throw new ConfigError(issues);

  // The mix: a unit-level behaviour for the first units in code order.
  const mixed = new Map<string, Behaviour>();
  if (spec.mix) {
    const sorted = [...codes].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const counts = mixCounts(spec.mix, sorted.length);
    let i = 0;
    for (const b of BEHAVIOURS) {
      for (let k = 0; k < (counts.get(b) ?? 0) && i < sorted.length; k++) mixed.set(sorted[i++]!, b);
    }
  }

  const out = new Map<string, Map<string, PhaseBehaviour>>();
  for (const code of codes) {
    const unit: UnitOverride = spec.units[code] ?? {};
    const perPhase = new Map<string, PhaseBehaviour>();
    const resolveWith = (phaseOverride: PhaseOverride, base: PhaseBehaviour): PhaseBehaviour => {
      const r: PhaseBehaviour = { ...base, behaviour: phaseOverride.behaviour ?? base.behaviour };
      for (const k of TUNING_KEYS) if (phaseOverride[k] !== undefined) r[k] = phaseOverride[k]!;
      return r;
    };
    const unitBase: PhaseBehaviour = {
      behaviour: unit.behaviour ?? mixed.get(code) ?? spec.default,
      onTimeDaysBefore: unit.onTimeDaysBefore ?? spec.onTimeDaysBefore,
      lateDays: unit.lateDays ?? spec.lateDays,
      extendDays: unit.extendDays ?? spec.extendDays,
      extendAtDaysBefore: unit.extendAtDaysBefore ?? spec.extendAtDaysBefore,
      exemptAtDaysBefore: unit.exemptAtDaysBefore ?? spec.exemptAtDaysBefore,
      studyPercent: unit.studyPercent ?? spec.studyPercent,
    };
    for (const phase of allPhases) {
      if (phase === MAKEUP_PHASE) continue;
      perPhase.set(phase, resolveWith(unit.phases?.[phase] ?? {}, unitBase));
    }
    if (allPhases.includes(MAKEUP_PHASE)) {
      // The make-up session is owed because of the study report; the unit goes on as it did there.
      const study = perPhase.get('study') ?? unitBase;
      perPhase.set(MAKEUP_PHASE, resolveWith(unit.phases?.[MAKEUP_PHASE] ?? {}, study));
    }
    out.set(code, perPhase);
  }
  return out;
}
