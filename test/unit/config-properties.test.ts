/**
 * Property-based tests of the cycle YAML loader (config/cycle.ts): arbitrary text and arbitrary mutations of the
 * demo cycle. Whatever it is given, the loader either returns a definition or throws the configuration layer's
 * own ConfigError, each issue naming the file, a line and the field path; a field present in the text is located
 * at its own line; mutations that keep the file valid still load, with the new value.
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMap, isScalar, isSeq, LineCounter, parse, parseDocument, stringify, type Node as YamlNode } from 'yaml';
import { parseCycleYaml, PHASE_IDS, type CycleDefinition } from '../../config/cycle.js';
import { ConfigError, formatPath, type ConfigIssue } from '../../config/errors.js';
import { parseReportYaml } from '../../config/report.js';
import { isUnsafeText } from '../../domain/text-safety.js';

const FILE = 'chu-ky-thu.yaml';
const DEMO_TEXT = fs.readFileSync(path.resolve(import.meta.dirname, '../../config/demo/cycle.yaml'), 'utf8');
const DEMO = parse(DEMO_TEXT) as Record<string, unknown>;
const RUNS = { numRuns: 100 } as const;

type Path = (string | number)[];

/** Runs the loader; a returned definition, or the issues of a ConfigError (anything else fails the test). */
function load(text: string): { ok: true; def: CycleDefinition } | { ok: false; issues: ConfigIssue[]; message: string } {
  try {
    return { ok: true, def: parseCycleYaml(text, FILE) };
  } catch (e) {
    if (!(e instanceof ConfigError))
      throw new Error(`not a ConfigError: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`, { cause: e });
    return { ok: false, issues: e.issues, message: e.message };
  }
}

/** Every issue names this file, a line inside it and a field; the message carries them as `file:line: field:`. */
function expectWellFormed(text: string, r: { issues: ConfigIssue[]; message: string }): void {
  const lines = text.split(/\r\n|\r|\n/).length;
  expect(r.issues.length).toBeGreaterThan(0);
  for (const i of r.issues) {
    expect(i.file).toBe(FILE);
    expect(Number.isInteger(i.line), JSON.stringify(i)).toBe(true);
    expect(i.line!).toBeGreaterThanOrEqual(1);
    expect(i.line!).toBeLessThanOrEqual(lines);
    expect(i.field.length, JSON.stringify(i)).toBeGreaterThan(0);
    expect(i.message.trim().length, JSON.stringify(i)).toBeGreaterThan(0);
    expect(r.message).toContain(`${FILE}:${i.line}: ${i.field}: `);
  }
}

/** The 1-based line where the YAML text writes `path`: a scalar's own line, a mapping's or list's key line. */
function lineInText(text: string, p: Path): number | undefined {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  const lineOf = (n: unknown) => {
    const range = (n as YamlNode | null)?.range;
    return range ? lc.linePos(range[0]).line : undefined;
  };
  const parent = doc.getIn(p.slice(0, -1), true);
  const last = p[p.length - 1];
  if (isMap(parent)) {
    const pair = parent.items.find((it) => isScalar(it.key) && String(it.key.value) === String(last));
    if (!pair) return undefined;
    return isScalar(pair.value) ? lineOf(pair.value) : lineOf(pair.key);
  }
  if (isSeq(parent) && typeof last === 'number') return lineOf(parent.items[last]);
  return undefined;
}

/** The parts of the demo cycle.yaml the round-trip property changes (the rest is carried along untyped). */
interface DemoDoc {
  phases: { id: string; title: string }[];
  committee: { name: string; leaders: { name: string }[] };
  timezone: string;
  reminders: unknown;
  calendar?: Record<string, unknown>;
  targets?: Record<string, unknown>;
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

function getAt(obj: unknown, p: Path): unknown {
  return p.reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], obj);
}

function setAt(obj: unknown, p: Path, value: unknown): void {
  const parent = getAt(obj, p.slice(0, -1)) as Record<string | number, unknown>;
  parent[p[p.length - 1]!] = value;
}

function deleteAt(obj: unknown, p: Path): void {
  const parent = getAt(obj, p.slice(0, -1)) as Record<string | number, unknown>;
  delete parent[p[p.length - 1]!];
}

/** Every path of the demo document, inner nodes and leaves. */
function allPaths(v: unknown, prefix: Path = []): Path[] {
  const out: Path[] = prefix.length ? [prefix] : [];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...allPaths(x, [...prefix, i])));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...allPaths(x, [...prefix, k]));
  return out;
}

const PATHS = allPaths(DEMO);
const MAP_PATHS: Path[] = [
  [],
  ...PATHS.filter((p) => {
    const v = getAt(DEMO, p);
    return v !== null && typeof v === 'object' && !Array.isArray(v);
  }),
];
const KEY_PATHS = PATHS.filter((p) => typeof p[p.length - 1] === 'string');
const DATE_PATHS = PATHS.filter((p) => typeof getAt(DEMO, p) === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(getAt(DEMO, p) as string));
const PHASE_COUNT = (DEMO.phases as unknown[]).length;

/** Fields the demo may leave out: they have defaults or are optional. */
function isOptional(p: Path): boolean {
  const s = formatPath(p);
  if (/^(calendar|reminders|escalation|targets)(\.|$)/.test(s)) return true;
  if (/^phases\[\d+\]\.(opensOn|reminders|escalation|makeupDays)$/.test(s)) return true;
  return ['committee.shortName', 'timezone', 'closesOn'].includes(s);
}

/** A value of another kind than `original`; a scalar carries a marker that occurs nowhere else in the text. */
function wrongTypeFor(original: unknown): fc.Arbitrary<unknown> {
  const options: fc.Arbitrary<unknown>[] = [fc.constant(null)];
  if (typeof original !== 'string') options.push(fc.constant('SAI_KIEU_7f3c'), fc.constant(''));
  if (typeof original !== 'number') options.push(fc.constant(987654321), fc.constant(-1.5));
  if (typeof original !== 'boolean') options.push(fc.boolean());
  if (!Array.isArray(original)) options.push(fc.constant(['SAI_KIEU_7f3c']), fc.constant([]));
  if (original === null || typeof original !== 'object' || Array.isArray(original)) options.push(fc.constant({ SAI_KIEU_7f3c: 1 }));
  return fc.oneof(...options);
}

const someText = fc.oneof(
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }),
  fc.constantFrom(
    '<script>alert(1)</script>',
    "'; DROP TABLE units; --",
    '{{mustache}}',
    'Nguyễn Văn Hùng'.normalize('NFD'),
    'a: b',
    '- x',
    '#',
    '"',
    "'",
    '|',
    '>',
    '&x',
    '*x',
    '!!str',
  ),
);

const badDate = fc.oneof(
  fc.constantFrom(
    '2027-02-29',
    '2027-02-30',
    '2027-04-31',
    '2027-13-01',
    '2027-00-10',
    '2027-01-00',
    '2027-1-5',
    '15/02/2027',
    '20270215',
    'ngày mai',
    '2027-02-15T08:00:00Z',
    ' ',
    '2027-02-15 ',
  ),
  fc.string({ maxLength: 12 }).filter((s) => !/^\d{4}-\d{2}-\d{2}$/.test(s.trim())),
);

describe('cycle YAML: arbitrary text', () => {
  it('never throws anything but a ConfigError naming file, line and field', () => {
    const yamlish = fc
      .array(
        fc.constantFrom(
          'committee:',
          'phases:',
          '  - id: plan',
          'year: 2027',
          'a:',
          ' ',
          '  ',
          '\n',
          '\r\n',
          '\t',
          '- ',
          '&x ',
          '*x',
          '*nope',
          '<<: *x',
          '!!str ',
          '!!binary ',
          '!!set ',
          '!foo ',
          '{',
          '}',
          '[',
          ']',
          ',',
          '"',
          "'",
          '|',
          '>-',
          '# c',
          '---',
          '...',
          '? ',
          '%YAML 1.2',
          '2027-01-01',
          '~',
          'null',
          '.nan',
          '0x1F',
          '\uFEFF',
          'Đảng',
          'e\u0301',
          '\u0000',
          '\u00a0',
        ),
        { maxLength: 60 },
      )
      .map((parts) => parts.join(''));
    // The demo file, cut and spliced with random text somewhere.
    const spliced = fc
      .tuple(fc.nat(DEMO_TEXT.length), fc.nat(200), fc.string({ unit: 'binary', maxLength: 30 }))
      .map(([at, cut, insert]) => DEMO_TEXT.slice(0, at) + insert + DEMO_TEXT.slice(at + cut));
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), yamlish, spliced), (text) => {
        const r = load(text);
        if (!r.ok) expectWellFormed(text, r);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses alias bombs and unknown aliases with a ConfigError, not a crash', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
      `d: [${Array(60).fill('*c').join(', ')}]`,
      '',
    ].join('\n');
    for (const [text, line] of [
      [bomb, 2],
      ['year: 2027\nplan: *nope\n', 2],
    ] as const) {
      const r = load(text);
      expect(r.ok).toBe(false);
      if (r.ok) continue;
      expectWellFormed(text, r);
      // At the first alias (the bomb's) or the alias naming no anchor.
      expect(r.issues).toEqual([expect.objectContaining({ line, field: 'YAML syntax', message: expect.stringMatching(/alias/) })]);
    }
  });
});

describe('cycle YAML: mutations of the demo cycle', () => {
  it('the demo, written back as YAML, loads', () => {
    expect(load(stringify(DEMO)).ok).toBe(true);
  });

  it('a value of the wrong type is refused at its field and its line', () => {
    const mutation = fc.constantFrom(...PATHS).chain((p) => wrongTypeFor(getAt(DEMO, p)).map((v) => ({ p, v })));
    fc.assert(
      fc.property(mutation, ({ p, v }) => {
        const doc = clone(DEMO);
        setAt(doc, p, v);
        const text = stringify(doc);
        const r = load(text);
        expect(r.ok, `${formatPath(p)} = ${JSON.stringify(v)} was accepted`).toBe(false);
        if (r.ok) return;
        expectWellFormed(text, r);
        const field = formatPath(p);
        const line = lineInText(text, p);
        expect(line).toBeDefined();
        expect(r.issues, `${field} = ${JSON.stringify(v)}`).toContainEqual(expect.objectContaining({ file: FILE, field, line }));
        if (v === 'SAI_KIEU_7f3c' || v === 987654321) {
          // The marker's own line, found in the text rather than through the YAML library.
          expect(text.split('\n')[line! - 1]).toContain(String(v));
        }
      }),
      RUNS,
    );
  });

  it('a missing field is refused by name when it is required, and defaults when it is optional', () => {
    fc.assert(
      fc.property(fc.constantFrom(...KEY_PATHS), (p) => {
        const doc = clone(DEMO);
        deleteAt(doc, p);
        const text = stringify(doc);
        const r = load(text);
        if (isOptional(p)) {
          expect(r.ok, `${formatPath(p)} is optional: ${r.ok ? '' : r.message}`).toBe(true);
          return;
        }
        expect(r.ok, `${formatPath(p)} is required`).toBe(false);
        if (r.ok) return;
        expectWellFormed(text, r);
        expect(r.issues).toContainEqual(expect.objectContaining({ field: formatPath(p), message: 'required' }));
      }),
      RUNS,
    );
  });

  it('an extra field anywhere is refused as unknown, at its own line', () => {
    const known = new Set(PATHS.map((p) => p[p.length - 1]));
    const key = fc.oneof(
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
      fc.constantFrom(
        '__proto__',
        'constructor',
        'toString',
        'deadLine',
        'Year',
        'phase',
        'unitFile',
        '1',
        'true',
        'null',
        '<script>',
        "'; DROP TABLE units; --",
      ),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...MAP_PATHS),
        key.filter((k) => !known.has(k) && k.trim() !== '' && k === k.normalize('NFC')),
        fc.jsonValue({ maxDepth: 2 }),
        (p, k, value) => {
          const doc = clone(DEMO);
          Object.defineProperty(getAt(doc, p), k, { value, enumerable: true, writable: true, configurable: true });
          const text = stringify(doc);
          const r = load(text);
          expect(r.ok, `${formatPath([...p, k])} was accepted`).toBe(false);
          if (r.ok) return;
          expectWellFormed(text, r);
          const line = lineInText(text, [...p, k]);
          expect(r.issues).toContainEqual({
            file: FILE,
            line,
            field: formatPath([...p, k]),
            message: 'unknown field (check the spelling)',
          });
        },
      ),
      RUNS,
    );
  });

  it('a date that is not a real YYYY-MM-DD date is refused at its field and line', () => {
    fc.assert(
      fc.property(fc.constantFrom(...DATE_PATHS), badDate, (p, value) => {
        const doc = clone(DEMO);
        setAt(doc, p, value);
        const text = stringify(doc);
        const r = load(text);
        expect(r.ok, `${formatPath(p)} = ${JSON.stringify(value)}`).toBe(false);
        if (r.ok) return;
        expectWellFormed(text, r);
        expect(r.issues).toContainEqual(expect.objectContaining({ field: formatPath(p), line: lineInText(text, p) }));
      }),
      RUNS,
    );
  });

  it('an unknown or repeated phase is refused at its id', () => {
    const unknownPhase = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.constantFrom('Plan', 'PLAN', 'study ', 'year_end_report', 'study-makeup', 'inspection-remedy', 'kế hoạch'),
    );
    fc.assert(
      fc.property(
        fc.nat(PHASE_COUNT - 1),
        fc.nat(PHASE_COUNT - 1),
        fc.oneof(
          unknownPhase.map((id) => ({ id })),
          fc.constant({ id: undefined }),
        ),
        (i, j, { id }) => {
          const doc = clone(DEMO) as { phases: { id: string }[] };
          let field: string;
          if (id === undefined) {
            if (i === j) return;
            doc.phases[j]!.id = doc.phases[i]!.id; // a repeat: reported at the later one
            field = `phases[${Math.max(i, j)}].id`;
          } else {
            if ((PHASE_IDS as readonly string[]).includes(id)) return;
            doc.phases[i]!.id = id;
            field = `phases[${i}].id`;
          }
          const text = stringify(doc);
          const r = load(text);
          expect(r.ok).toBe(false);
          if (r.ok) return;
          expectWellFormed(text, r);
          const at = Number(/\[(\d+)\]/.exec(field)![1]);
          expect(r.issues).toContainEqual(expect.objectContaining({ field, line: lineInText(text, ['phases', at, 'id']) }));
        },
      ),
      RUNS,
    );
  });

  it('a NUL character or a broken surrogate in any text is refused at its field and line (it could not be stored)', () => {
    const textPaths = PATHS.filter((p) => typeof getAt(DEMO, p) === 'string');
    fc.assert(
      fc.property(fc.constantFrom(...textPaths), fc.constantFrom('\u0000', '\ud800', '\udfff'), fc.nat(3), (p, bad, at) => {
        const doc = clone(DEMO);
        const original = getAt(DEMO, p) as string;
        const cut = Math.min(at, original.length);
        setAt(doc, p, original.slice(0, cut) + bad + original.slice(cut));
        const text = stringify(doc);
        const r = load(text);
        expect(r.ok, `${formatPath(p)} with ${JSON.stringify(bad)}`).toBe(false);
        if (r.ok) return;
        expectWellFormed(text, r);
        expect(r.issues).toContainEqual(expect.objectContaining({ field: formatPath(p), line: lineInText(text, p) }));
      }),
      RUNS,
    );
  });

  it('valid changes still load, with the new values (text NFC and trimmed)', () => {
    const zones = fc.constantFrom('Asia/Ho_Chi_Minh', 'Asia/Bangkok', 'UTC', 'Europe/Paris');
    const title = someText.filter((s) => s.normalize('NFC').trim() !== '' && !isUnsafeText(s));
    const holiday = fc
      .date({ min: new Date('2027-01-01T00:00:00Z'), max: new Date('2027-12-31T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
    fc.assert(
      fc.property(
        fc.record({
          phaseTitle: fc.tuple(fc.nat(PHASE_COUNT - 1), title),
          committeeName: title,
          leaderName: title,
          timezone: zones,
          daysBefore: fc.uniqueArray(fc.integer({ min: 1, max: 366 }), { maxLength: 6 }),
          holidays: fc.uniqueArray(holiday, { maxLength: 5 }),
          studyPercent: fc.double({ min: 0, max: 100, noNaN: true }),
          drop: fc.subarray(KEY_PATHS.filter(isOptional).filter((p) => p.length <= 3)),
          order: fc.shuffledSubarray([...Array(PHASE_COUNT).keys()], { minLength: PHASE_COUNT }),
        }),
        (m) => {
          const doc = clone(DEMO) as unknown as DemoDoc; // parsed YAML: only its shape in the demo file makes it one
          for (const p of m.drop) if (getAt(doc, p.slice(0, -1)) !== undefined) deleteAt(doc, p);
          const [pi, t] = m.phaseTitle;
          doc.phases[pi]!.title = t;
          doc.committee.name = m.committeeName;
          doc.committee.leaders[0]!.name = m.leaderName;
          doc.timezone = m.timezone;
          doc.reminders = { daysBefore: m.daysBefore };
          doc.calendar = { ...(doc.calendar ?? {}), holidays: m.holidays };
          doc.targets = { ...(doc.targets ?? {}), studyPercent: m.studyPercent };
          const phaseId = doc.phases[pi]!.id;
          doc.phases = m.order.map((k) => doc.phases[k]!);
          const text = stringify(doc);
          const r = load(text);
          expect(r.ok, r.ok ? '' : r.message).toBe(true);
          if (!r.ok) return;
          const clean = (s: string) => s.normalize('NFC').trim();
          expect(r.def.phases.find((p) => p.id === phaseId)!.title).toBe(clean(t));
          expect(r.def.phases.map((p) => p.id)).toEqual(m.order.map((k) => (DEMO.phases as { id: string }[])[k]!.id));
          expect(r.def.committee.name).toBe(clean(m.committeeName));
          expect(r.def.committee.leaders[0]!.name).toBe(clean(m.leaderName));
          expect(r.def.timezone).toBe(m.timezone);
          expect(r.def.reminders.daysBefore).toEqual([...m.daysBefore].sort((a, b) => b - a));
          expect(r.def.calendar.holidays).toEqual(m.holidays);
          expect(r.def.targets.studyPercent).toBe(m.studyPercent);
        },
      ),
      RUNS,
    );
  });
});

describe('report settings YAML (the same loader)', () => {
  it('never throws anything but a ConfigError', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 200 }),
          fc.jsonValue({ maxDepth: 3 }).map((v) => stringify(v)),
        ),
        (text) => {
          try {
            parseReportYaml(text, FILE);
          } catch (e) {
            expect(e).toBeInstanceOf(ConfigError);
            for (const i of (e as ConfigError).issues) {
              expect(i.file).toBe(FILE);
              expect(i.line).toBeGreaterThanOrEqual(1);
              expect(i.field.length).toBeGreaterThan(0);
            }
          }
        },
      ),
      RUNS,
    );
  });
});
