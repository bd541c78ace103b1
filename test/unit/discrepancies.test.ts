/**
 * Member counts far from the units list, as the clerk meets them: the report's working notes (report/discrepancies.ts,
 * highlighted drafts after the appendices) and the console's marks (console/submission-marks.ts), with the empty
 * models report marked "nộp, không có mô hình".
 */
import { describe, expect, it } from 'vitest';
import { discrepancyNotes, membersDiscrepancies, NOTES_HEADING } from '../../report/discrepancies.js';
import type { YearInput } from '../../report/figures.js';
import type { FrozenDataset } from '../../db/frozen.js';
import { markBox, markCell, markOf } from '../../console/submission-marks.js';
import type { Html } from '../../console/html.js';

/** A mark's HTML as text: the marks render synchronously (a Promise here would be a bug of its own). */
function html(h: Html | ''): string {
  if (h instanceof Promise) throw new Error('the mark rendered asynchronously');
  return String(h);
}

type Unit = FrozenDataset['units'][number];

function unit(code: string, members: number, phases: Record<string, unknown>, active = true): Unit {
  return {
    code,
    name: `Đảng bộ ${code}`,
    kind: 'dang-bo-co-so',
    members,
    active,
    removedReason: null,
    phases: Object.fromEntries(
      Object.entries(phases).map(([phase, payload], i) => [
        phase,
        {
          status: 'submitted',
          escalationLevel: 0,
          deadline: '2027-03-20',
          submission: { id: 100 + i, version: 1, late: false, submittedAt: '2027-03-10T01:00:00.000Z', payload },
        },
      ]),
    ),
  };
}

function year(units: Unit[], margin?: number): YearInput {
  return {
    year: 2027,
    cycleId: 'T-2027',
    data: {
      cycleId: 'T-2027',
      frozenAt: null,
      definition: margin === undefined ? {} : { targets: { membersMarginPercent: margin } },
      units,
      committeeRecords: [],
      inspections: [],
    },
  };
}

describe('the report working notes', () => {
  const units = [
    unit('A', 95, { study: { members: 5, studied: 5, membersReason: 'Chi bộ mới tách' } }),
    unit('B', 95, { pledge: { members: 50, withPersonalPlan: 50 } }),
    unit('C', 95, { study: { members: 90, studied: 90 }, pledge: { members: 95, withPersonalPlan: 95 } }),
    unit('D', 95, { study: { members: 5, studied: 5 } }, false),
  ];

  it('lists each study or pledge count beyond the margin, or given a reason, of the counted units', () => {
    const list = membersDiscrepancies([year(units)]);
    expect(list.map((d) => [d.unitCode, d.phase, d.reported, d.registry, d.reason])).toEqual([
      ['A', 'study', 5, 95, 'Chi bộ mới tách'],
      ['B', 'pledge', 50, 95, undefined],
    ]);
    // The cycle's own margin: at 0%, C's 90 of 95 is to check too.
    expect(membersDiscrepancies([year(units, 0)]).map((d) => d.unitCode)).toEqual(['A', 'B', 'C']);
  });

  it('lists a year-end report whose figures state a member count far from the list, and marks it in the console', () => {
    const far = unit('E', 95, { 'year-end-report': { figures: { members: 40, studied: 40 }, narrative: {} } });
    const near = unit('F', 95, { 'year-end-report': { figures: { members: 94, studied: 94 }, narrative: {} } });
    const list = membersDiscrepancies([year([far, near])]);
    expect(list.map((d) => [d.unitCode, d.phase, d.reported, d.registry])).toEqual([['E', 'year-end-report', 40, 95]]);
    expect(markOf('year-end-report', { figures: { members: 40, membersReason: 'Tách chi bộ' } }, 95, 10)).toEqual({
      kind: 'members',
      registry: 95,
      reported: 40,
      marginPercent: 10,
      reason: 'Tách chi bộ',
    });
    expect(markOf('year-end-report', { figures: { members: 94 } }, 95, 10)).toBeUndefined();
  });

  it('writes them as highlighted drafts under a heading that says to check them before signing', () => {
    const blocks = discrepancyNotes([year(units)]);
    const texts = blocks.map((b) => (b.kind === 'paragraph' ? b.runs.map((r) => ('text' in r ? r.text : '')).join('') : ''));
    expect(texts[0]).toBe(NOTES_HEADING);
    expect(blocks.every((b) => b.kind === 'paragraph' && b.draft === true)).toBe(true);
    expect(texts[2]).toContain('Đảng bộ A (A), báo cáo học tập, quán triệt: đơn vị báo cáo 5 đảng viên, danh sách đơn vị có 95 đảng viên');
    expect(texts[2]).toContain('lý do đơn vị ghi: “Chi bộ mới tách”');
    expect(texts[3]).toContain('đơn vị không ghi lý do');
    expect(discrepancyNotes([year([units[2]!])])).toEqual([]);
  });
});

describe('the console marks', () => {
  it('marks a far member count with both counts and the reason, and an empty models report', () => {
    const m = markOf('study', { members: 5, studied: 5, membersReason: 'Chi bộ mới tách' }, 95, 10);
    expect(m).toEqual({ kind: 'members', registry: 95, reported: 5, marginPercent: 10, reason: 'Chi bộ mới tách' });
    expect(html(markCell(m))).toContain('Số đảng viên: báo cáo 5, danh sách 95 — lý do: Chi bộ mới tách');
    expect(html(markBox(m))).toContain('Lý do đơn vị ghi: Chi bộ mới tách');
    expect(html(markCell(markOf('pledge', { members: 50, withPersonalPlan: 50 }, 95, 10)))).toContain('chưa có lý do');
    expect(markOf('study', { members: 90, studied: 90 }, 95, 10)).toBeUndefined();
    expect(markOf('plan', { members: 5 }, 95, 10)).toBeUndefined();
    expect(html(markCell(markOf('models', { models: [], proposals: [] }, 95, 10)))).toContain('nộp, không có mô hình');
    expect(markOf('models', { models: [{ name: 'X', kind: 'tap-the' }], proposals: [] }, 95, 10)).toBeUndefined();
  });
});
