/** The stalled table's layout (ops/format.ts): 100 columns whatever the stalls, links whole on their own lines. */
import { describe, expect, it } from 'vitest';
import {
  countWithPercent,
  fitTable,
  formatIntegerVi,
  formatPercentVi,
  formatStalls,
  TERMINAL_WIDTH,
  truncate,
  wrapText,
  type StallLine,
} from '../../ops/format.js';

const width = (l: string) => [...l].length;

describe('numbers as a Vietnamese reader writes them', () => {
  it('writes decimals with a comma and thousands with a dot, the same on every call', () => {
    for (let i = 0; i < 2; i++) {
      expect(formatPercentVi(98.94)).toBe('98,9%');
      expect(formatPercentVi(5)).toBe('5,0%');
      expect(formatIntegerVi(20969)).toBe('20.969');
      expect(countWithPercent(8, 66.666)).toBe('8 (66,7%)');
    }
  });

  it("writes what Intl.NumberFormat('vi-VN') writes, halves and long numbers included", () => {
    const percent = new Intl.NumberFormat('vi-VN', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
    const integer = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 0 });
    // Halves that binary fractions put on either side (1.15 * 10 is 11.499…), tiny and huge numbers, then a sweep.
    const shares = [0, 0.05, 0.15, 0.45, 1.15, 1.25, 2.25, 2.35, 10.05, 33.35, 66.666, 99.95, 100, 1e-7, 1234.55, 1e21];
    for (let k = 0; k <= 100_000; k += 7) shares.push(k / 1000, (k * 7) / 3);
    const counts = [0, 1, 999, 1000, 20969, 1234567, 987654321, 1e15, 1e21, -5, -1234, 0.5, 1.5, 2.5, 1234.5];
    for (let k = 1; k < 2_000_000_000; k = k * 3 + 1) counts.push(k, -k);
    for (const v of shares) expect(formatPercentVi(v), String(v)).toBe(`${percent.format(v)}%`);
    for (const v of counts) expect(formatIntegerVi(v), String(v)).toBe(integer.format(v));
  });
});

describe('wrapText', () => {
  it('wraps at word boundaries, indents, keeps every word, and cuts a word longer than a line', () => {
    const text = 'sendUnitEmail attempt 7: connect ECONNREFUSED 127.0.0.1:2525 — máy chủ thư không trả lời; ' + 'x'.repeat(230);
    const lines = wrapText(text, 60, '    ');
    for (const l of lines) {
      expect(width(l)).toBeLessThanOrEqual(60);
      expect(l.startsWith('    ')).toBe(true);
    }
    expect(
      lines
        .map((l) => l.trim())
        .join(' ')
        .replace(/x /g, 'x'),
    ).toBe(text);
    expect(wrapText('', 40, '  ')).toEqual(['']);
    expect(wrapText('một\nhai', 40)).toEqual(['một', 'hai']);
  });

  it('counts Vietnamese letters as one column each', () => {
    const text = 'Đảng bộ Sở Giáo dục và Đào tạo chưa nộp kế hoạch, quá hạn 49 ngày so với hạn 06/03/2024';
    for (const l of wrapText(text, 30)) expect(width(l)).toBeLessThanOrEqual(30);
  });
});

describe('fitTable and truncate', () => {
  it('shrinks the widest shrinkable column until the table fits, cutting its cells with "…"', () => {
    const rows = [{ a: 'x'.repeat(80), b: 'y'.repeat(40), c: 'keep me whole' }];
    const lines = fitTable(rows, ['a', 'b', 'c'], ['a', 'b'], 100);
    for (const l of lines) expect(width(l)).toBeLessThanOrEqual(100);
    expect(lines[2]).toContain('keep me whole');
    expect(lines[2]).toContain('…');
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
  });
});

describe('formatStalls', () => {
  const url = `http://temporal-ui.internal.example.vn:8233/namespaces/default/workflows/${encodeURIComponent('chuky/unit/DANG-UY-KHOI-CO-QUAN-TINH-2027/SO-GIAO-DUC-DAO-TAO')}/0195d1a4-7c3e-7f0e-9d55-3b8c2a1e9f10/history`;
  const stalls: StallLine[] = [
    {
      kind: 'activity-retrying',
      cycleId: 'DANG-UY-KHOI-CO-QUAN-TINH-2027',
      unitCode: 'SO-GIAO-DUC-DAO-TAO',
      phase: 'year-end-report',
      attempt: 12,
      since: '2027-03-01T08:00:04.123Z',
      cause:
        'sendUnitEmail attempt 12: Invalid login: 535-5.7.8 Username and Password not accepted. Learn ' +
        'more at https://support.example.com/mail/?p=BadCredentials a640c23a62f3a-ab7b1c1e7c5sm12345',
      repairs: ['retry'],
      temporalUrl: url,
    },
    { kind: 'worker-missing', cause: 'no worker is polling task queue "chuky"', repairs: [] },
  ];

  it('fits 100 columns except the link, which is whole on its own line under its stall', () => {
    const lines = formatStalls(stalls);
    expect(width(url)).toBeGreaterThan(TERMINAL_WIDTH);
    for (const l of lines) if (l.trim() !== url) expect(width(l), l).toBeLessThanOrEqual(TERMINAL_WIDTH);
    const at = lines.indexOf(`    ${url}`);
    expect(at).toBeGreaterThan(2);
    expect(lines[at - 1]).toBe('    repairs: retry');
    // Too wide for 100 columns: the kind, attempt and time stay whole, the cycle, unit and phase are cut.
    expect(lines[2]).toMatch(/^activity-retrying {2}DANG-UY-KHOI-\S*… +SO-GIAO-\S*… +year-end-report +12 +2027-03-01 08:00$/);
    expect(
      lines
        .slice(3, at - 1)
        .map((l) => l.trim())
        .join(' '),
    ).toBe(stalls[0]!.cause);
    expect(lines.at(-2)).toBe('worker-missing');
    expect(lines.at(-1)).toBe('    no worker is polling task queue "chuky"');
  });

  it('an 80-column terminal: the long cells are cut further rather than overflow', () => {
    for (const l of formatStalls(stalls, 80)) if (l.trim() !== url) expect(width(l), l).toBeLessThanOrEqual(80);
  });
});
