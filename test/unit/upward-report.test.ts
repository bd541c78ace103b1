/**
 * A committee's year-end report to its superior, drafted from its closed cycle (issue 17): every figure is the sum
 * of the child cycle's figures it names, the superior's own level is never counted twice, the draft file says what
 * each number sums and reads back to the same payload, and an edit is found field by field.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/errors.js';
import type { FrozenDataset } from '../../db/frozen.js';
import { yearEndReportPhase } from '../../domain/phases/year-end-report.js';
import { safeParsePayload } from '../../domain/submissions.js';
import { computeFigures } from '../../report/figures.js';
import { draftUpward, readAt, UPWARD_FIELDS, upwardEdits } from '../../report/upward.js';
import { parseUpwardFile, renderUpwardFile } from '../../report/upward-file.js';

let id = 1;
const sub = (payload: unknown) => ({ id: id++, version: 1, late: false, submittedAt: '2027-11-01T01:00:00.000Z', payload });
const ob = (payload: unknown) => ({ status: 'submitted', escalationLevel: 0, deadline: '2027-11-20', submission: sub(payload) });
const counts = (a: number, b: number, c: number, d: number) => ({
  inspectedOrgs: a,
  inspectedMembers: b,
  supervisedOrgs: c,
  supervisedMembers: d,
});
const yearEnd = (members: number, studied: number, extra: Record<string, number>, limitations: string) => ({
  figures: {
    members,
    studied,
    withPersonalPlan: members,
    keptPledge: members - 1,
    violatedPledge: 1,
    modelsBuilt: 2,
    discussionSessions: 4,
    commendedOrgs: 1,
    commendedMembers: 3,
    proposedOrgs: 0,
    proposedMembers: 1,
    contests: 1,
    contestParticipants: 40,
    charityVnd: 5_000_000,
    inspections: { committee: counts(1, 2, 0, 1), ubkt: counts(0, 1, 0, 0) },
    membersDisciplined: 0,
    ...extra,
  },
  narrative: { results: 'Chi bộ hoàn thành tốt việc học tập các chuyên đề trong năm.', limitations },
});
const unit = (code: string, members: number, payload: unknown, active = true) => ({
  code,
  name: `Chi bộ ${code}`,
  kind: 'chi-bo',
  members,
  active,
  removedReason: null,
  phases: { 'year-end-report': ob(payload) },
});

const data: FrozenDataset = {
  cycleId: 'DUK-X-2027',
  frozenAt: '2027-11-25T03:00:00.000Z',
  definition: { year: 2027 },
  units: [
    unit('A', 20, yearEnd(20, 19, {}, 'Một số đảng viên lớn tuổi chưa tham gia đầy đủ.')),
    unit('B', 31, yearEnd(31, 31, { membersDisciplined: 2 }, 'Một số đảng viên lớn tuổi chưa tham gia đầy đủ.')),
    // Merged away before the year closed: not counted, as in the compiled report.
    unit('C', 99, yearEnd(99, 99, {}, 'Không có.'), false),
  ],
  committeeRecords: [
    {
      id: 1,
      kind: 'commendation',
      payload: { form: 'khen-thuong', level: 'ban-thuong-vu', organisations: 2, members: 5, decidedOn: '2027-09-02' },
    },
    // Given by the superior: it knows them already; the report upward does not count them again.
    {
      id: 2,
      kind: 'commendation',
      payload: { form: 'khen-thuong', level: 'cap-tren', organisations: 7, members: 9, decidedOn: '2027-09-02' },
    },
    { id: 3, kind: 'contest', payload: { name: 'Tìm hiểu lịch sử Đảng bộ', heldOn: '2027-05-19', participants: 300 } },
    { id: 4, kind: 'charity', payload: { description: 'Quỹ vì người nghèo', heldOn: '2027-10-17', amountVnd: 20_000_000 } },
    {
      id: 5,
      kind: 'inspection',
      payload: { body: 'ubkt', kind: 'kiem-tra', organisations: 1, members: 2, heldOn: '2027-06-01', subject: 'X' },
    },
  ],
  inspections: [],
};
const year = { year: 2027, cycleId: 'DUK-X-2027', data };

describe('the report upward, drafted from a closed child cycle', () => {
  const draft = draftUpward(year);
  const f = draft.payload.figures;

  it('sums the units that were still in the cycle, and adds what the committee did at its own level', () => {
    expect(draft.units).toBe(2);
    expect(f.members).toBe(51);
    expect(f.studied).toBe(50);
    expect(f.keptPledge).toBe(49);
    expect(f.membersDisciplined).toBe(2);
    // 1 + 1 by the units, 2 by the standing committee; the superior's 7 are not counted again.
    expect(f.commendedOrgs).toBe(4);
    expect(f.commendedMembers).toBe(3 + 3 + 5);
    expect(f.contests).toBe(1 + 1 + 1);
    expect(f.contestParticipants).toBe(40 + 40 + 300);
    expect(f.charityVnd).toBe(30_000_000);
    expect(f.inspections.ubkt).toEqual(counts(1, 4, 0, 0));
    expect(f.inspections.committee).toEqual(counts(2, 4, 0, 2));
  });

  it('is the sum of the figures each field names, for every field', () => {
    const figures = computeFigures([year]);
    for (const field of UPWARD_FIELDS) {
      const sum = field.figureIds(figures).reduce((n, id) => n + figures.value(id), 0);
      expect(readAt(draft.payload, field.path), field.path).toBe(sum);
      expect(draft.sources[field.path]!.value).toBe(sum);
    }
  });

  it('drafts the narrative from what the units wrote, each shared sentence once', () => {
    expect(draft.payload.narrative.limitations).toBe('Một số đảng viên lớn tuổi chưa tham gia đầy đủ.');
    expect(draft.payload.narrative.results).toContain('Chi bộ hoàn thành tốt');
  });

  it('passes the year-end form it is sent through', () => {
    const parsed = safeParsePayload(yearEndReportPhase.schema({ members: 51, membersMarginPercent: 10 }), draft.payload);
    expect(parsed.success, parsed.error?.message).toBe(true);
  });

  const header = {
    childCycleId: 'DUK-X-2027',
    committeeName: 'ĐẢNG ỦY X',
    parentCycleId: 'TU-2027',
    unitCode: 'DUK-X',
    frozenOn: '25/11/2027',
  };

  it('writes a file that says what each figure sums, and reads back to the same payload', () => {
    const text = renderUpwardFile(header, draft);
    expect(text).toContain('# Tổng số đảng viên: tổng số đảng viên của các đơn vị (unit.members 51)');
    expect(text).toContain(
      'unit.commendedOrgs 2 + commendation.khen-thuong.ban-thuong-vu.orgs 2 + commendation.tuyen-duong.ban-thuong-vu.orgs 0',
    );
    expect(text).toContain('chuky report upward submit --cycle DUK-X-2027');
    expect(text.normalize('NFC')).toBe(text);
    const filled = text.replace(/^confirmedBy: .*$/m, 'confirmedBy: Nguyễn Văn A, Phó Bí thư');
    const back = parseUpwardFile(filled, 'up.yaml');
    expect(back.confirmedBy).toBe('Nguyễn Văn A, Phó Bí thư');
    expect(upwardEdits(draft.payload, back.payload)).toEqual([]);
    expect(back.payload.figures).toEqual(draft.payload.figures);
  });

  it('finds each edited field, NFD text and trailing spaces aside, and names the line of a missing confirmation', () => {
    const text = renderUpwardFile(header, draft);
    const edited = text
      .replace(/^(\s+)studied: 50$/m, '$1studied: 48')
      .replace(/^confirmedBy: .*$/m, `confirmedBy: "${'Trần Thị Bình'.normalize('NFD')}  "`);
    const back = parseUpwardFile(edited, 'up.yaml');
    expect(back.confirmedBy).toBe('Trần Thị Bình');
    expect(upwardEdits(draft.payload, back.payload)).toEqual([{ field: 'figures.studied', drafted: 50, submitted: 48 }]);
    expect(back.lineOf('figures.studied')).toBe(edited.split('\n').findIndex((l) => /^\s+studied: 48$/.test(l)) + 1);

    const err = (() => {
      try {
        parseUpwardFile(text, 'up.yaml');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    const issue = (err as ConfigError).issues[0]!;
    expect(issue).toMatchObject({ file: 'up.yaml', field: 'confirmedBy', message: 'Người xác nhận: chưa ghi (họ tên, chức vụ)' });
    expect(issue.line).toBe(text.split('\n').findIndex((l) => l.startsWith('confirmedBy:')) + 1);
  });
});
