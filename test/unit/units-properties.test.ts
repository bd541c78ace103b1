/**
 * Property-based tests of the units list loaders (config/units.ts CSV, config/units-xlsx.ts Excel): arbitrary
 * text and bytes, and generated sheets with good and bad cells (bad emails, duplicate codes, empty cells, `;`,
 * `,` and tab separators, a BOM, CRLF, Vietnamese and English headers in any order, quotes, line breaks inside
 * cells, very long cells). The loaders either return the units or throw the configuration layer's ConfigError,
 * and every problem is named by file, line and the column's header as written — exactly the problems the
 * generator put in, no more.
 */
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseUnitsCsv, type Unit, type UnitColumn, type UnitKind } from '../../config/units.js';
import { parseUnitsXlsx } from '../../config/units-xlsx.js';
import { ConfigError, type ConfigIssue } from '../../config/errors.js';

const FILE = 'don-vi.csv';

type Col = Exclude<UnitColumn, 'parent'>;
const REQUIRED: Col[] = ['code', 'name', 'kind', 'members', 'secretaryName', 'secretaryEmail'];

/** Headers a clerk may write for each column, English and Vietnamese (some decomposed, some in capitals). */
const HEADERS: Record<Col, { en: string[]; vi: string[] }> = {
  code: { en: ['code', 'Unit code', 'CODE'], vi: ['Mã đơn vị', 'Mã', 'MÃ ĐƠN VỊ', 'Mã TCCS'.normalize('NFD')] },
  name: { en: ['name', 'Unit name'], vi: ['Tên đơn vị', 'Tên tổ chức', 'tên đơn vị'.normalize('NFD')] },
  kind: { en: ['kind', 'type'], vi: ['Loại', 'Loại hình'] },
  members: { en: ['members', 'Member count'], vi: ['Số đảng viên', 'Tổng số đảng viên', 'Đảng viên'] },
  secretaryName: { en: ['secretary', 'Secretary name'], vi: ['Bí thư', 'Họ và tên bí thư'] },
  secretaryEmail: { en: ['secretaryEmail', 'secretary email'], vi: ['Email bí thư', 'Thư điện tử bí thư'] },
  contactName: { en: ['contact', 'contactName'], vi: ['Người liên hệ', 'Cán bộ liên hệ'] },
  contactEmail: { en: ['contactEmail', 'contact email'], vi: ['Email liên hệ', 'Email người liên hệ'] },
};

/** A cell as generated: what is written, and either the value it must load as or that it is a problem. */
interface Cell {
  raw: string;
  bad?: boolean;
  value?: unknown;
}

const good = (raw: string, value: unknown = raw): Cell => ({ raw, value });
const bad = (raw: string): Cell => ({ raw, bad: true });

/** Printable text: no control characters, something left after trimming. */
const text = (maxLength: number) =>
  fc
    .oneof(
      { weight: 4, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength }) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          '<script>alert(1)</script>',
          "'; DROP TABLE units; --",
          'Đảng bộ "Sở" Tài chính; Kho bạc, tỉnh',
          'Nguyễn Văn Hùng'.normalize('NFD'),
          'dòng một\ndòng hai',
          '{{mustache}}',
          '  Chi bộ  ',
          'a'.repeat(5000),
          'Tổ 1\u037e Tổ 2',
        ),
      },
    )
    .filter((s) => !/[\p{Cc}\p{Cs}\u2028\u2029]/u.test(s.replace(/\n/g, '')) && s.normalize('NFC').trim() !== '');

const emailGood = fc
  .tuple(
    fc.stringMatching(/^[a-z0-9]{1,8}(\.[a-z0-9]{1,5})?$/),
    fc.stringMatching(/^[a-z0-9]{1,8}$/),
    fc.constantFrom('vn', 'com', 'gov.vn', 'org.vn'),
    fc.boolean(),
  )
  .map(([local, domain, tld, upper]) => {
    const e = `${local}@${domain}.${tld}`;
    return good(upper ? e.toUpperCase() : e, e);
  });
const emailBad = fc
  .constantFrom('not-an-email', 'a@', '@b.vn', 'a b@c.vn', 'nguyễn@x.vn', 'a@@b.vn', 'a@b', 'a..b@c.vn', '<a@b.vn>')
  .map(bad);

const KINDS: [string, UnitKind][] = [
  ['Đảng bộ cơ sở', 'dang-bo-co-so'],
  ['dang-bo-co-so', 'dang-bo-co-so'],
  ['ĐBCS', 'dang-bo-co-so'],
  ['đảng bộ', 'dang-bo-co-so'],
  ['Chi bộ cơ sở'.normalize('NFD'), 'chi-bo-co-so'],
  ['chi bo co so', 'chi-bo-co-so'],
  ['CBCS', 'chi-bo-co-so'],
  ['Chi Bộ', 'chi-bo-co-so'],
];

const members = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .integer({ min: 0, max: 250_000 })
      .chain((n) => fc.constantFrom('', '.', ' ', '\u00a0', ',').map((sep) => good(n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, sep), n))),
  },
  { weight: 1, arbitrary: fc.constantFrom('-3', '12.5', '1,5', 'nhiều', '1.2345', '99999999999999999999', '+7', '0x10', '1e3').map(bad) },
);

interface RowSpec {
  cells: Record<Col, Cell>;
  /** Start a duplicate of an earlier row's code (by index, case changed). */
  duplicateOf?: number;
  blankLinesBefore: number;
  extra: string;
}

const rowSpec: fc.Arbitrary<RowSpec> = fc
  .record({
    cells: fc.record({
      code: fc.oneof(
        { weight: 6, arbitrary: fc.stringMatching(/^[A-Za-z0-9._-]{1,10}$/).map((c) => good(c)) },
        { weight: 1, arbitrary: fc.constantFrom('', 'SO TC', 'Sở-TC', 'A/B', "'; DROP TABLE units; --", 'a,b;c', 'x"y').map(bad) },
      ),
      name: fc.oneof(
        { weight: 6, arbitrary: text(80).map((s) => good(s, s.normalize('NFC').trim())) },
        { weight: 1, arbitrary: fc.constantFrom('', '   ').map(bad) },
      ),
      kind: fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom(...KINDS).map(([raw, kind]) => good(raw, kind)) },
        { weight: 1, arbitrary: fc.constantFrom('', 'abc', 'Đảng bộ bộ phận', 'chi-bo-bo-phan').map(bad) },
      ),
      members,
      secretaryName: fc.oneof(
        { weight: 6, arbitrary: text(40).map((s) => good(s, s.normalize('NFC').trim())) },
        { weight: 1, arbitrary: fc.constant(bad('')) },
      ),
      secretaryEmail: fc.oneof({ weight: 5, arbitrary: emailGood }, { weight: 1, arbitrary: fc.oneof(emailBad, fc.constant(bad(''))) }),
      contactName: fc.constant(good('')),
      contactEmail: fc.constant(good('')),
    }),
    contact: fc.constantFrom('none', 'both', 'both', 'nameOnly', 'emailOnly', 'badEmail'),
    contactName: text(40),
    contactEmail: emailGood,
    contactBadEmail: emailBad,
    duplicateOf: fc.option(fc.nat(20), { nil: undefined }),
    blankLinesBefore: fc.constantFrom(0, 0, 0, 1, 2),
    extra: fc.oneof(fc.constant(''), text(20)),
  })
  .map(({ contact, contactName, contactEmail, contactBadEmail, ...r }) => {
    const cells = { ...r.cells };
    if (contact === 'both') Object.assign(cells, { contactName: good(contactName, contactName.normalize('NFC').trim()), contactEmail });
    if (contact === 'nameOnly')
      Object.assign(cells, { contactName: good(contactName, contactName.normalize('NFC').trim()), contactEmail: bad('') });
    // A contact's email alone is enough: many lists have no name for the contact.
    if (contact === 'emailOnly') Object.assign(cells, { contactName: good(''), contactEmail });
    if (contact === 'badEmail')
      Object.assign(cells, { contactName: good(contactName, contactName.normalize('NFC').trim()), contactEmail: contactBadEmail });
    return { ...r, cells, duplicateOf: r.duplicateOf };
  });

interface SheetSpec {
  vietnamese: boolean;
  headerChoice: number[];
  order: Col[];
  withContact: boolean;
  extraColumn: boolean;
  rows: RowSpec[];
}

const sheetSpec: fc.Arbitrary<SheetSpec> = fc.record({
  vietnamese: fc.boolean(),
  headerChoice: fc.array(fc.nat(3), { minLength: 8, maxLength: 8 }),
  order: fc.shuffledSubarray(
    ['code', 'name', 'kind', 'members', 'secretaryName', 'secretaryEmail', 'contactName', 'contactEmail'] as Col[],
    { minLength: 8 },
  ),
  withContact: fc.boolean(),
  extraColumn: fc.boolean(),
  rows: fc.array(rowSpec, { minLength: 1, maxLength: 8 }),
});

/** The sheet as a table of strings (header first), with each row's expected unit or problems. */
function buildTable(s: SheetSpec) {
  const cols = s.order.filter((c) => s.withContact || (c !== 'contactName' && c !== 'contactEmail'));
  const header = cols.map((c, i) => {
    const names = s.vietnamese ? HEADERS[c].vi : HEADERS[c].en;
    return names[s.headerChoice[i]! % names.length]!;
  });
  if (s.extraColumn) header.unshift(s.vietnamese ? 'STT' : 'No.');
  const label = (c: Col) => header[(s.extraColumn ? 1 : 0) + cols.indexOf(c)]!.normalize('NFC').trim();
  const rows = s.rows.map((r, i) => {
    const cells = { ...r.cells };
    if (!s.withContact) {
      cells.contactName = good('');
      cells.contactEmail = good('');
    }
    // A duplicate takes an earlier row's (valid) code, in other letters' case.
    if (r.duplicateOf !== undefined && i > 0) {
      const earlier = s.rows[r.duplicateOf % i]!.cells.code;
      if (!earlier.bad) cells.code = good(i % 2 ? earlier.raw.toLowerCase() : earlier.raw.toUpperCase());
    }
    return { spec: r, cells, values: cols.map((c) => cells[c].raw) };
  });
  // Codes must be unique unless a duplicate was asked for: make the others unique by their position.
  const seen = new Map<string, number>();
  rows.forEach((r, i) => {
    const code = r.cells.code;
    if (code.bad) {
      if (code.raw !== '') r.cells.code = bad(`${code.raw}${i}`);
      return;
    }
    const key = code.raw.toLowerCase();
    const wanted = r.spec.duplicateOf !== undefined && seen.has(key);
    if (!wanted && seen.has(key)) r.cells.code = good(`${code.raw}-${i}`);
    seen.set(r.cells.code.raw.toLowerCase(), i);
  });
  for (const r of rows) r.values = cols.map((c) => r.cells[c].raw);
  return { cols, header, label, rows };
}

/** The expected (line, field) problems and units, given each data row's line. */
function expectations(t: ReturnType<typeof buildTable>, lines: number[]) {
  const problems = new Set<string>();
  const units: Unit[] = [];
  const codeLines = new Map<string, number[]>();
  t.rows.forEach((r, i) => {
    const line = lines[i]!;
    const code = r.cells.code.raw.trim();
    if (code !== '') codeLines.set(code.toLowerCase(), [...(codeLines.get(code.toLowerCase()) ?? []), line]);
    const badCols = (Object.keys(r.cells) as Col[]).filter((c) => r.cells[c].bad);
    for (const c of badCols) problems.add(`${line}|${t.label(c)}`);
    if (badCols.length) return;
    const v = (c: Col) => r.cells[c].value;
    units.push({
      code: v('code') as string,
      name: v('name') as string,
      kind: v('kind') as UnitKind,
      members: v('members') as number,
      secretary: { name: v('secretaryName') as string, email: v('secretaryEmail') as string },
      contact: v('contactEmail') ? { name: (v('contactName') as string) || null, email: v('contactEmail') as string } : null,
    });
  });
  for (const ls of codeLines.values()) if (ls.length > 1) for (const l of ls) problems.add(`${l}|${t.label('code')}`);
  return { problems, units };
}

function checkOutcome(result: { units?: Unit[]; error?: unknown }, exp: ReturnType<typeof expectations>, file: string): void {
  if (exp.problems.size === 0) {
    expect(result.error, result.error instanceof Error ? result.error.message : '').toBeUndefined();
    expect(result.units).toEqual(exp.units);
    return;
  }
  expect(result.error).toBeInstanceOf(ConfigError);
  const issues = (result.error as ConfigError).issues;
  for (const i of issues) {
    expect(i.file).toBe(file);
    expect(i.message.length).toBeGreaterThan(0);
    expect((result.error as ConfigError).message).toContain(`${file}:${i.line}: ${i.field}: ${i.message}`);
  }
  // Exactly the problems put in: each named by its line and its column's header as written.
  expect(new Set(issues.map((i) => `${i.line}|${i.field}`))).toEqual(exp.problems);
}

/** CSV text of a table: quotes where needed (and sometimes where not), a separator, BOM and line ends. */
function toCsv(t: ReturnType<typeof buildTable>, s: SheetSpec, fmt: { sep: string; bom: boolean; crlf: boolean; quoteAll: boolean }) {
  const nl = fmt.crlf ? '\r\n' : '\n';
  const cell = (v: string) =>
    fmt.quoteAll || v.includes(fmt.sep) || /["\n\r]/.test(v) || v !== v.trim() ? `"${v.replace(/"/g, '""')}"` : v;
  const lines: string[] = [t.header.map(cell).join(fmt.sep)];
  const rowLines: number[] = [];
  let line = 2;
  t.rows.forEach((r, i) => {
    for (let b = 0; b < r.spec.blankLinesBefore; b++) {
      lines.push(b % 2 ? '' : fmt.sep.repeat(t.header.length - 1));
      line += 1;
    }
    const values = s.extraColumn ? [r.spec.extra || String(i + 1), ...r.values] : r.values;
    // Trailing empty cells are sometimes left out, as spreadsheets do.
    while (i % 2 && values.length && values[values.length - 1] === '') values.pop();
    const written = values.map(cell).join(fmt.sep);
    rowLines.push(line);
    lines.push(written);
    line += (written.match(/\r\n|\n|\r/g) ?? []).length + 1;
  });
  return { text: (fmt.bom ? '\uFEFF' : '') + lines.join(nl) + (fmt.crlf ? nl : ''), rowLines };
}

/** What a thrown value says, for an assertion's message. */
function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : typeof e === 'string' ? e : JSON.stringify(e);
}

function parseCsv(text: string, file = FILE): { units?: Unit[]; error?: unknown } {
  try {
    return { units: parseUnitsCsv(text, file) };
  } catch (error) {
    return { error };
  }
}

describe('units CSV: generated sheets', () => {
  it('loads exactly the good rows, and names every bad cell by line and header', () => {
    const fmt = fc.record({ sep: fc.constantFrom(';', ',', '\t'), bom: fc.boolean(), crlf: fc.boolean(), quoteAll: fc.boolean() });
    fc.assert(
      fc.property(sheetSpec, fmt, (s, f) => {
        const t = buildTable(s);
        const { text, rowLines } = toCsv(t, s, f);
        checkOutcome(parseCsv(text), expectations(t, rowLines), FILE);
      }),
      { numRuns: 300 },
    );
  });

  it('a header without a required column names it, in the language of the header', () => {
    fc.assert(
      fc.property(sheetSpec, fc.constantFrom(...REQUIRED), (s, missing) => {
        const t = buildTable({ ...s, order: s.order.filter((c) => c !== missing) });
        const { text } = toCsv(t, s, { sep: ';', bom: false, crlf: false, quoteAll: false });
        const r = parseCsv(text);
        expect(r.error).toBeInstanceOf(ConfigError);
        const issues = (r.error as ConfigError).issues;
        const expected = (
          s.vietnamese
            ? {
                code: 'Mã đơn vị',
                name: 'Tên đơn vị',
                kind: 'Loại',
                members: 'Số đảng viên',
                secretaryName: 'Bí thư',
                secretaryEmail: 'Email bí thư',
              }
            : {
                code: 'code',
                name: 'name',
                kind: 'kind',
                members: 'members',
                secretaryName: 'secretary name',
                secretaryEmail: 'secretary email',
              }
        )[missing as string]!;
        const issue = issues.find((i) => i.field === expected);
        expect(issue).toMatchObject({ file: FILE, line: 1, message: expect.stringMatching(/^thiếu cột bắt buộc/) });
        // The message lists the spellings accepted for the column, in Vietnamese and in English.
        for (const spelling of [...HEADERS[missing].vi, ...HEADERS[missing].en].filter(
          (h) => h === h.normalize('NFC') && h !== h.toUpperCase(),
        )) {
          expect(issue!.message.toLowerCase()).toContain(`"${spelling.toLowerCase()}"`);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('units CSV: arbitrary text', () => {
  it('never throws anything but a ConfigError naming file, line and field', () => {
    const header = 'Mã đơn vị;Tên đơn vị;Loại;Số đảng viên;Bí thư;Email bí thư;Người liên hệ;Email liên hệ\n';
    const tokens = fc
      .array(
        fc.constantFrom(
          ';',
          ',',
          '\t',
          '"',
          '""',
          '\n',
          '\r\n',
          '\r',
          ' ',
          'SO-TC',
          'Đảng bộ',
          'Chi bộ cơ sở',
          '12',
          '1.250',
          '-3',
          'a@b.vn',
          'x@',
          '\uFEFF',
          '\u0000',
          'e\u0301',
          '#',
          "'",
        ),
        { maxLength: 80 },
      )
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 400 }),
          tokens,
          tokens.map((t) => header + t),
        ),
        (text) => {
          const r = parseCsv(text);
          if (r.error === undefined) {
            expect(Array.isArray(r.units)).toBe(true);
            return;
          }
          expect(r.error, errorText(r.error)).toBeInstanceOf(ConfigError);
          const maxLine = text.split(/\r\n|\r|\n/).length;
          for (const i of (r.error as ConfigError).issues) {
            expect(i.file).toBe(FILE);
            expect(Number.isInteger(i.line), JSON.stringify(i)).toBe(true);
            expect(i.line!).toBeGreaterThanOrEqual(1);
            expect(i.line!).toBeLessThanOrEqual(maxLine);
            expect(i.field.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('a NUL character in any cell is refused by line and header (it could not be stored)', () => {
    fc.assert(
      fc.property(sheetSpec, fc.nat(7), fc.nat(), (s, col, at) => {
        const t = buildTable(s);
        const r0 = t.rows[at % t.rows.length]!;
        const column = t.cols[col % t.cols.length]!;
        r0.cells[column] = { raw: `${r0.cells[column].raw}\u0000x`, bad: true };
        r0.values = t.cols.map((c) => r0.cells[c].raw);
        const broken = toCsv(t, s, { sep: ';', bom: false, crlf: false, quoteAll: true });
        const r = parseCsv(broken.text);
        expect(r.error).toBeInstanceOf(ConfigError);
        const line = broken.rowLines[at % t.rows.length]!;
        expect((r.error as ConfigError).issues).toContainEqual(expect.objectContaining({ file: FILE, line, field: t.label(column) }));
      }),
      { numRuns: 100 },
    );
  });

  it('reads a very long cell, and many rows, without trouble', () => {
    const header = 'Mã đơn vị;Tên đơn vị;Loại;Số đảng viên;Bí thư;Email bí thư\n';
    const long = 'Đảng bộ '.repeat(250_000).trim(); // ~2.5 MB in one cell
    const rows = Array.from({ length: 5000 }, (_, i) => `U${i};Đơn vị ${i};Chi bộ cơ sở;${i % 300};Bí thư ${i};bt${i}@example.vn`).join(
      '\n',
    );
    const started = Date.now();
    const units = parseUnitsCsv(`${header}L1;"${long}";Đảng bộ cơ sở;10;A;a@example.vn\n${rows}\n`, FILE);
    expect(units).toHaveLength(5001);
    expect(units[0]!.name).toBe(long);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});

async function workbookOf(rows: unknown[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('Đơn vị');
  for (const r of rows) sheet.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

async function parseXlsx(content: Buffer | Uint8Array, file = 'don-vi.xlsx'): Promise<{ units?: Unit[]; error?: unknown }> {
  try {
    return { units: await parseUnitsXlsx(Buffer.from(content), file) };
  } catch (error) {
    return { error };
  }
}

describe('units Excel', () => {
  it('generated workbooks: the good rows load, every bad cell is named by sheet row and header', async () => {
    await fc.assert(
      fc.asyncProperty(sheetSpec, fc.boolean(), async (s, typed) => {
        const t = buildTable(s);
        const rows: unknown[][] = [t.header];
        const rowLines: number[] = [];
        let line = 2;
        t.rows.forEach((r, i) => {
          for (let b = 0; b < r.spec.blankLinesBefore; b++) {
            rows.push([]);
            line += 1;
          }
          // Cells as Excel keeps them: numbers as numbers, emails as hyperlinks.
          const values: unknown[] = r.values.map((v, k) => {
            const col = t.cols[k]!;
            if (typed && col === 'members' && /^\d+$/.test(v)) return Number(v);
            if (typed && col.endsWith('Email') && v !== '') return { text: v, hyperlink: `mailto:${v}` };
            return v === '' ? null : v;
          });
          rows.push(s.extraColumn ? [i + 1, ...values] : values);
          rowLines.push(line);
          line += 1;
        });
        checkOutcome(await parseXlsx(await workbookOf(rows)), expectations(t, rowLines), 'don-vi.xlsx');
      }),
      { numRuns: 30 },
    );
  });

  it('arbitrary or damaged bytes are a ConfigError, never a crash', async () => {
    const valid = await workbookOf([
      ['Mã đơn vị', 'Tên đơn vị', 'Loại', 'Số đảng viên', 'Bí thư', 'Email bí thư'],
      ['SO-TC', 'Đảng bộ Sở Tài chính', 'Đảng bộ cơ sở', 86, 'Lê Văn Thành', 'a@example.vn'],
    ]);
    const damaged = fc
      .array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 20 })
      .map((edits) => {
        const b = Buffer.from(valid);
        for (const [at, byte] of edits) b[at] = byte;
        return b;
      });
    const truncated = fc.nat(valid.length - 1).map((n) => valid.subarray(0, n));
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 2000 }), damaged, truncated), async (bytes) => {
        const r = await parseXlsx(bytes);
        if (r.error === undefined) return;
        expect(r.error, errorText(r.error)).toBeInstanceOf(ConfigError);
        for (const i of (r.error as ConfigError).issues) {
          expect(i.file).toBe('don-vi.xlsx');
          expect(i.field.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 60 },
    );
  });
});

/** For the linters: the issue shape these properties rely on. */
export type { ConfigIssue };
