import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { DEFAULT_TARGETS, PHASES, PHASE_IDS, phaseSpec } from '../../domain/phases/index.js';
import { formatInt, formatPercent, isUnderTarget, parseFormDate, parseFormInt } from '../../domain/phases/common.js';
import type { PhaseSpec, UnitFacts } from '../../domain/phases/types.js';
import type { YearEndReportPayload } from '../../domain/phases/year-end-report.js';
import type { ModelsPayload } from '../../domain/phases/models.js';
import { errorsByField } from '../../api/forms.js';

const facts: UnitFacts = { members: 100 };
const targets = DEFAULT_TARGETS;
/** "Nguyễn Văn Ánh" in decomposed form (NFD). */
const NFD_NAME = 'Nguye\u0302\u0303n Va\u0306n A\u0301nh';
const NFC_NAME = 'Nguyễn Văn Ánh';

function parse(spec: PhaseSpec, input: unknown, f: UnitFacts = facts) {
  return spec.schema(f).safeParse(input);
}

/** The errors of a refused payload, keyed by dotted path. */
function errorsOf(spec: PhaseSpec, input: unknown, f: UnitFacts = facts): Record<string, string> {
  const r = parse(spec, input, f);
  expect(r.success, `expected a refusal of ${JSON.stringify(input)}`).toBe(false);
  return errorsByField(r.error as z.ZodError);
}

function ok<P>(spec: PhaseSpec<P>, input: unknown, f: UnitFacts = facts): P {
  const r = spec.schema(f).safeParse(input);
  if (!r.success) throw new Error(JSON.stringify(r.error.issues));
  return r.data;
}

describe('registry', () => {
  it('has every phase by id, and throws for an unknown one', () => {
    expect(Object.keys(PHASES)).toEqual([...PHASE_IDS]);
    for (const id of PHASE_IDS) expect(phaseSpec(id).id).toBe(id);
    expect(() => phaseSpec('nope')).toThrow(/Giai đoạn không tồn tại/);
    expect(() => phaseSpec('toString')).toThrow();
  });
});

describe('formatting and form numbers', () => {
  it('formats Vietnamese numbers and percentages (rounded down)', () => {
    expect(formatInt(148140)).toBe('148.140');
    expect(formatInt(5)).toBe('5');
    expect(formatPercent(95, 100)).toBe('95,0%');
    expect(formatPercent(979, 1000)).toBe('97,9%');
    expect(formatPercent(4319, 4320)).toBe('99,9%');
    expect(formatPercent(4320, 4320)).toBe('100,0%');
    expect(isUnderTarget(979, 1000, 98)).toBe(true);
    expect(isUnderTarget(98, 100, 98)).toBe(false);
  });

  it('reads thousands separators, refuses to guess anything else', () => {
    expect(parseFormInt('1.250')).toBe(1250);
    expect(parseFormInt('1 250')).toBe(1250);
    expect(parseFormInt('1\u00a0250\u00a0000')).toBe(1250000);
    expect(parseFormInt('15.000.000')).toBe(15000000);
    expect(parseFormInt(' 42 ')).toBe(42);
    expect(parseFormInt('-3')).toBe(-3);
    expect(parseFormInt('')).toBeUndefined();
    expect(parseFormInt('   ')).toBeUndefined();
    expect(parseFormInt('abc')).toBe('abc');
    expect(parseFormInt('1,5')).toBe('1,5');
    expect(parseFormInt('12.50')).toBe('12.50');
    expect(parseFormInt('1.250 000')).toBe('1.250 000');
    expect(parseFormDate('15/02/2027')).toBe('2027-02-15');
    expect(parseFormDate('5/2/2027')).toBe('2027-02-05');
    expect(parseFormDate('2027-02-15')).toBe('2027-02-15');
  });
});

describe('plan', () => {
  const spec = phaseSpec('plan');

  it('accepts a valid payload, NFC and trimmed', () => {
    const p = ok(PHASES.plan!, { confirmedBy: `  ${NFD_NAME}, Bí thư `, unitPlanNumber: '05-KH/ĐU', fileId: 'file-abc' }) as Record<
      string,
      unknown
    >;
    expect(p.confirmedBy).toBe(`${NFC_NAME}, Bí thư`);
    expect(p.unitPlanNumber).toBe('05-KH/ĐU');
    expect(p.note).toBeUndefined();
  });

  it('refuses an empty confirmer and oversized text', () => {
    const e = errorsOf(spec, { confirmedBy: '   ', planText: 'x'.repeat(20_001), unitPlanNumber: 'y'.repeat(101) });
    expect(e.confirmedBy).toBe('Người xác nhận: không được để trống');
    expect(e.planText).toBe('Nội dung kế hoạch: quá dài (tối đa 20.000 ký tự)');
    expect(e.unitPlanNumber).toMatch(/^Số, ngày kế hoạch của đơn vị: quá dài/);
    expect(errorsOf(spec, {}).confirmedBy).toBe('Người xác nhận: không được để trống');
    expect(errorsOf(spec, { confirmedBy: 42 }).confirmedBy).toBe('Người xác nhận: cần là chuỗi ký tự');
  });

  it('is never under target', () => {
    const p = ok(spec, { confirmedBy: 'Trần Thị B' });
    const o = spec.outcome(p, facts, targets);
    expect(o.underTarget).toBe(false);
    expect(o.summary).toContain('Trần Thị B');
  });

  it('fromForm leaves blank optional fields out and keeps a stored file', () => {
    expect(spec.fromForm({ confirmedBy: ' A ', unitPlanNumber: '  ', note: '', requestId: 'req-12345678' })).toEqual({ confirmedBy: 'A' });
    expect(spec.fromForm({ confirmedBy: 'A', 'fileId:current': 'f-1' })).toEqual({ confirmedBy: 'A', fileId: 'f-1' });
    expect(spec.fromForm({ confirmedBy: 'A', fileId: 'f-2', 'fileId:current': 'f-1' })).toEqual({ confirmedBy: 'A', fileId: 'f-2' });
    expect(errorsOf(spec, spec.fromForm({ confirmedBy: '' })).confirmedBy).toBe('Người xác nhận: không được để trống');
  });
});

describe('study', () => {
  const spec = phaseSpec('study');

  it('accepts a valid payload', () => {
    const p = ok(spec, {
      members: 100,
      studied: 95,
      sessionDate: '2027-03-10',
      discussionTopic: 'Tự soi, tự sửa',
      discussionDate: '2027-04-02',
    });
    expect(p).toMatchObject({ members: 100, studied: 95, discussionTopic: 'Tự soi, tự sửa' });
  });

  it('refuses studied > members on the studied field, in Vietnamese', () => {
    const e = errorsOf(spec, { members: 100, studied: 101 });
    expect(e.studied).toBe('Số đảng viên đã học tập không được lớn hơn tổng số đảng viên');
  });

  it('requires the discussion date with a topic', () => {
    const e = errorsOf(spec, { members: 10, studied: 10, discussionTopic: 'Tự soi, tự sửa' });
    expect(e.discussionDate).toMatch(/^Ngày sinh hoạt chuyên đề: cần nhập/);
  });

  it('bounds members by twice the unit list, refuses zero members, bad dates and oversized topics', () => {
    expect(errorsOf(spec, { members: 201, studied: 1 }).members).toMatch(/^Tổng số đảng viên: không được lớn hơn 200/);
    ok(spec, { members: 200, studied: 1 });
    expect(errorsOf(spec, { members: 0, studied: 0 }).members).toBe('Tổng số đảng viên: cần ít nhất 1');
    expect(errorsOf(spec, { members: 10, studied: -1 }).studied).toBe('Số đảng viên đã học tập: không được là số âm');
    expect(errorsOf(spec, { members: 10, studied: 2.5 }).studied).toMatch(/cần là số nguyên/);
    expect(errorsOf(spec, { members: 10, studied: 5, sessionDate: '2027-02-30' }).sessionDate).toMatch(
      /^Ngày học tập, quán triệt: ngày không hợp lệ/,
    );
    expect(
      errorsOf(spec, { members: 10, studied: 5, discussionTopic: 'x'.repeat(501), discussionDate: '2027-04-02' }).discussionTopic,
    ).toBe('Chủ đề sinh hoạt chuyên đề: quá dài (tối đa 500 ký tự)');
    expect(errorsOf(spec, { studied: 5 }).members).toBe('Tổng số đảng viên: không được để trống');
  });

  it('normalises NFD to NFC', () => {
    const p = ok(PHASES.study!, {
      members: 10,
      studied: 10,
      discussionTopic: `T\u01b0\u0323 soi ${NFD_NAME}`,
      discussionDate: '2027-04-02',
    }) as Record<string, unknown>;
    expect(p.discussionTopic).toBe(`Tự soi ${NFC_NAME}`);
  });

  it('judges the outcome against the study target: 97.9% is under 98%, 98% is not', () => {
    const under = spec.outcome(ok(spec, { members: 1000, studied: 979 }, { members: 1000 }), facts, targets);
    expect(under.underTarget).toBe(true);
    expect(under.summary).toMatch(/^Học tập: 979\/1\.000 đảng viên \(97,9%\)/);
    const at = spec.outcome(ok(spec, { members: 100, studied: 98 }), facts, targets);
    expect(at).toEqual({ underTarget: false, summary: 'Học tập: 98/100 đảng viên (98,0%)' });
    expect(spec.outcome(ok(spec, { members: 100, studied: 95 }), facts, targets).summary).toMatch(/^Học tập: 95\/100 đảng viên \(95,0%\)/);
    expect(spec.outcome(ok(spec, { members: 100, studied: 95 }), facts, { studyPercent: 95, pledgePercent: 100 }).underTarget).toBe(false);
  });

  it('fromForm parses numbers with thousands separators and refuses words', () => {
    const bigFacts = { members: 5000 };
    const payload = spec.fromForm({
      members: '4.320',
      studied: '4 300',
      sessionDate: '10/03/2027',
      discussionTopic: ' ',
      discussionDate: '',
    });
    expect(payload).toEqual({ members: 4320, studied: 4300, sessionDate: '2027-03-10' });
    ok(spec, payload, bigFacts);
    const e = errorsOf(spec, spec.fromForm({ members: 'abc', studied: '1,5' }), bigFacts);
    expect(e.members).toBe('Tổng số đảng viên: cần là số nguyên (ví dụ 1250)');
    expect(e.studied).toBe('Số đảng viên đã học tập: cần là số nguyên (ví dụ 1250)');
    expect(errorsOf(spec, spec.fromForm({ members: '', studied: '3' })).members).toBe('Tổng số đảng viên: không được để trống');
  });
});

describe('study-makeup', () => {
  const spec = phaseSpec('study-makeup');

  it('accepts a valid payload and judges it against the study target', () => {
    const p = ok(spec, { makeupDate: '2027-05-20', studiedTotal: 98, members: 100 });
    const o = spec.outcome(p, facts, targets);
    expect(o.underTarget).toBe(false);
    expect(o.summary).toBe('Quán triệt bổ sung ngày 20/05/2027: tổng cộng đã học tập 98/100 đảng viên (98,0%)');
    const under = spec.outcome(ok(spec, { makeupDate: '2027-05-20', studiedTotal: 979, members: 1000 }, { members: 1000 }), facts, targets);
    expect(under.underTarget).toBe(true);
    expect(under.summary).toContain('97,9%');
  });

  it('refuses studiedTotal > members and a missing date', () => {
    const e = errorsOf(spec, { studiedTotal: 11, members: 10 });
    expect(e.studiedTotal).toBe('Tổng số đảng viên đã học tập không được lớn hơn tổng số đảng viên');
    expect(e.makeupDate).toBe('Ngày quán triệt bổ sung: không được để trống');
  });

  it('fromForm and NFC note', () => {
    const payload = spec.fromForm({ makeupDate: '2027-05-20', studiedTotal: '1.000', members: '1.020', note: NFD_NAME });
    expect(payload).toEqual({ makeupDate: '2027-05-20', studiedTotal: 1000, members: 1020, note: NFC_NAME });
    const p = ok(PHASES['study-makeup']!, { ...(payload as object), note: ` ${NFD_NAME} ` }, { members: 1020 }) as Record<string, unknown>;
    expect(p.note).toBe(NFC_NAME);
    expect(errorsOf(spec, { ...(payload as object), note: 'x'.repeat(5001) }, { members: 1020 }).note).toBe(
      'Ghi chú: quá dài (tối đa 5.000 ký tự)',
    );
  });
});

describe('pledge', () => {
  const spec = phaseSpec('pledge');

  it('accepts a valid payload; 100% is the default target', () => {
    const p = ok(spec, { members: 50, withPersonalPlan: 50, memberListFileId: 'file-1' });
    expect(spec.outcome(p, facts, targets)).toEqual({ underTarget: false, summary: 'Kế hoạch cá nhân: 50/50 đảng viên (100,0%)' });
    const under = spec.outcome(ok(spec, { members: 50, withPersonalPlan: 49 }), facts, targets);
    expect(under.underTarget).toBe(true);
    expect(under.summary).toMatch(/^Kế hoạch cá nhân: 49\/50 đảng viên \(98,0%\) — chưa đạt chỉ tiêu 100%/);
  });

  it('refuses withPersonalPlan > members on its path', () => {
    expect(errorsOf(spec, { members: 50, withPersonalPlan: 51 }).withPersonalPlan).toBe(
      'Số đảng viên có kế hoạch cá nhân không được lớn hơn tổng số đảng viên',
    );
  });

  it('fromForm', () => {
    expect(spec.fromForm({ members: '50', withPersonalPlan: '50', memberListFileId: '', note: '' })).toEqual({
      members: 50,
      withPersonalPlan: 50,
    });
    expect(errorsOf(spec, { members: 50, withPersonalPlan: 50, memberListFileId: 'x'.repeat(201) }).memberListFileId).toMatch(/quá dài/);
  });
});

describe('models', () => {
  const spec = phaseSpec('models');

  it('accepts valid lists and an absent list as empty', () => {
    const p = ok(PHASES.models!, {
      models: [
        { name: 'Dân vận khéo', kind: 'tap-the', description: 'Cải cách hành chính' },
        { name: NFD_NAME, kind: 'ca-nhan' },
      ],
    }) as ModelsPayload;
    expect(p.models[1]).toEqual({ name: NFC_NAME, kind: 'ca-nhan' });
    expect(p.proposals).toEqual([]);
    const o = spec.outcome(p, facts, targets);
    expect(o.underTarget).toBe(false);
    expect(o.summary).toBe('Mô hình, điển hình: 2 đăng ký (1 tập thể, 1 cá nhân); đề nghị khen thưởng: 0 (0 tập thể, 0 cá nhân)');
  });

  it('refuses oversized entries, a proposal without a reason, and more than 200 entries', () => {
    const e = errorsOf(spec, {
      models: [
        { name: 'x'.repeat(301), kind: 'tap-the' },
        { name: 'A', kind: 'nhóm' },
      ],
      proposals: [{ name: 'B', kind: 'ca-nhan', reason: '' }],
    });
    expect(e['models.0.name']).toBe('Tên mô hình, điển hình: quá dài (tối đa 300 ký tự)');
    expect(e['models.1.kind']).toMatch(/^Loại mô hình: cần là “tập thể”/);
    expect(e['proposals.0.reason']).toBe('Lý do đề nghị khen thưởng: không được để trống');
    const many = Array.from({ length: 201 }, (_, i) => ({ name: `M${i}`, kind: 'tap-the' }));
    expect(errorsOf(spec, { models: many }).models).toBe('Danh sách mô hình, điển hình: tối đa 200 mục');
  });

  it('reads "Tên | tập thể/cá nhân | mô tả" lines from the form leniently, in the one parse of the payload', () => {
    const fromForm = spec.fromForm({
      models: [
        'Dân vận khéo | tập thể | Giảm 30% thời gian giải quyết hồ sơ',
        '',
        '- Gương sáng | Ca Nhan | Tận tụy với nhân dân',
        '2. Chi bộ kiểu mẫu',
        'Tổ tự quản | tap-the | mô tả | có dấu gạch',
      ].join('\r\n'),
      proposals: 'Đồng chí Nguyễn Văn A | cá nhân | Điển hình trong chuyển đổi số',
      note: '',
    });
    // The form's conversion leaves the text as typed: only the schema reads the lines.
    expect(typeof (fromForm as { models: unknown }).models).toBe('string');
    const payload = ok(spec, fromForm);
    expect(payload).toEqual({
      models: [
        { name: 'Dân vận khéo', kind: 'tap-the', description: 'Giảm 30% thời gian giải quyết hồ sơ' },
        { name: 'Gương sáng', kind: 'ca-nhan', description: 'Tận tụy với nhân dân' },
        { name: 'Chi bộ kiểu mẫu', kind: 'tap-the' },
        { name: 'Tổ tự quản', kind: 'tap-the', description: 'mô tả | có dấu gạch' },
      ],
      proposals: [{ name: 'Đồng chí Nguyễn Văn A', kind: 'ca-nhan', reason: 'Điển hình trong chuyển đổi số' }],
    });
    // The parsed lists parse to themselves (what the workflow's validator reads), and blank lists are empty lists.
    expect(ok(spec, payload)).toEqual(payload);
    expect(spec.fromForm({ models: '  ', proposals: '' })).toEqual({});
    expect(ok(spec, spec.fromForm({ models: '  ', proposals: '' }))).toEqual({ models: [], proposals: [] });
  });

  it('reports a malformed line with its line number, under the textarea it came from', () => {
    const payload = spec.fromForm({
      models: 'Dân vận khéo | tập thể | tốt\n\n | cá nhân | không tên\nMô hình X | nhóm nhỏ | sai loại',
      proposals: 'Đồng chí B | cá nhân',
    });
    const e = errorsOf(spec, payload);
    expect(e.models).toBe('Dòng 3: thiếu tên mô hình (cần dạng: Tên | tập thể/cá nhân | mô tả)');
    expect(e.proposals).toBe(
      'Lý do đề nghị khen thưởng: không được để trống'.replace(/^/, 'Dòng 1: ') + ' (cần dạng: Tên | tập thể/cá nhân | lý do)',
    );
    const all = parse(spec, payload);
    const modelMessages = all.success ? [] : all.error.issues.filter((i) => i.path.join('.') === 'models').map((i) => i.message);
    expect(modelMessages).toEqual([
      'Dòng 3: thiếu tên mô hình (cần dạng: Tên | tập thể/cá nhân | mô tả)',
      'Dòng 4: loại “nhóm nhỏ” không rõ, cần ghi “tập thể” hoặc “cá nhân” (cần dạng: Tên | tập thể/cá nhân | mô tả)',
    ]);
    expect(errorsOf(spec, spec.fromForm({ models: `Tên | tập thể | ${'x'.repeat(2001)}` })).models).toBe(
      'Dòng 1: Mô tả mô hình: quá dài (tối đa 2.000 ký tự)',
    );
  });
});

describe('inspection', () => {
  const spec = phaseSpec('inspection');
  const counts = { inspectedOrgs: 2, inspectedMembers: 5, supervisedOrgs: 1, supervisedMembers: 3 };

  it('accepts a valid payload and summarises it', () => {
    const p = ok(spec, {
      committee: counts,
      ubkt: { inspectedOrgs: 0, inspectedMembers: 0, supervisedOrgs: 0, supervisedMembers: 0 },
      membersDisciplined: 1,
    });
    const o = spec.outcome(p, facts, targets);
    expect(o.underTarget).toBe(false);
    expect(o.summary).toBe(
      'Kiểm tra, giám sát — cấp ủy: kiểm tra 2 tổ chức, 5 đảng viên; giám sát 1 tổ chức, 3 đảng ' +
        'viên; UBKT: kiểm tra 0 tổ chức, 0 đảng viên; giám sát 0 tổ chức, 0 đảng viên; kỷ luật 1 đảng viên',
    );
  });

  it('refuses negative and implausible counts on the right path', () => {
    const e = errorsOf(spec, {
      committee: { ...counts, inspectedOrgs: -1, supervisedMembers: 101 },
      ubkt: { ...counts, supervisedOrgs: 1001 },
      membersDisciplined: 101,
    });
    expect(e['committee.inspectedOrgs']).toBe('Cấp ủy cơ sở, số tổ chức đảng được kiểm tra: không được là số âm');
    expect(e['committee.supervisedMembers']).toBe(
      'Cấp ủy cơ sở, số đảng viên được giám sát: không được lớn hơn 100 (số đảng viên của đơn vị)',
    );
    expect(e['ubkt.supervisedOrgs']).toBe('Ủy ban kiểm tra cơ sở, số tổ chức đảng được giám sát: không được lớn hơn 1.000');
    expect(e.membersDisciplined).toMatch(/^Số đảng viên bị kỷ luật: không được lớn hơn 100/);
    expect(errorsOf(spec, { committee: counts, membersDisciplined: 0 }).ubkt).toBe('Ủy ban kiểm tra cơ sở: chưa nhập số liệu');
  });

  it('fromForm builds the groups; a blank group reports each field', () => {
    const payload = spec.fromForm({
      'committee.inspectedOrgs': '2',
      'committee.inspectedMembers': '5',
      'committee.supervisedOrgs': '1',
      'committee.supervisedMembers': '3',
      'ubkt.inspectedOrgs': '',
      membersDisciplined: '0',
      note: NFD_NAME,
    });
    expect(payload).toEqual({ committee: counts, ubkt: {}, membersDisciplined: 0, note: NFC_NAME });
    const e = errorsOf(spec, payload);
    expect(e['ubkt.inspectedOrgs']).toBe('Ủy ban kiểm tra cơ sở, số tổ chức đảng được kiểm tra: không được để trống');
    expect(Object.keys(e).sort()).toEqual(['ubkt.inspectedMembers', 'ubkt.inspectedOrgs', 'ubkt.supervisedMembers', 'ubkt.supervisedOrgs']);
  });
});

describe('year-end-report', () => {
  const spec = phaseSpec('year-end-report');
  const zero = { inspectedOrgs: 0, inspectedMembers: 0, supervisedOrgs: 0, supervisedMembers: 0 };
  const figures = {
    members: 100,
    studied: 99,
    withPersonalPlan: 100,
    keptPledge: 97,
    violatedPledge: 1,
    modelsBuilt: 3,
    discussionSessions: 4,
    commendedOrgs: 1,
    commendedMembers: 5,
    proposedOrgs: 1,
    proposedMembers: 2,
    contests: 2,
    contestParticipants: 1480,
    charityVnd: 15_000_000,
    inspections: { committee: { inspectedOrgs: 2, inspectedMembers: 4, supervisedOrgs: 1, supervisedMembers: 6 }, ubkt: zero },
    membersDisciplined: 0,
  };
  const narrative = {
    results: 'Chi bộ đã tổ chức học tập chuyên đề năm cho toàn thể đảng viên.',
    limitations: 'Một số đảng viên xây dựng kế hoạch cá nhân còn chung chung.',
  };
  const valid = { figures, narrative };
  const withFigures = (patch: Partial<typeof figures>) => ({ figures: { ...figures, ...patch }, narrative });

  it('takes a member count far from the units list only with a reason, named as the form names it', () => {
    const facts95 = { members: 95, membersMarginPercent: 10 };
    const refused = spec
      .schema(facts95)
      .safeParse(withFigures({ members: 40, studied: 40, withPersonalPlan: 40, keptPledge: 39, violatedPledge: 1, commendedMembers: 5 }));
    expect(refused.success).toBe(false);
    const issue = refused.error!.issues.find((i) => i.path.join('.') === 'figures.membersReason');
    expect(issue?.message).toMatch(
      /^Lý do số đảng viên khác danh sách: cần ghi rõ vì tổng số đảng viên đơn vị báo cáo \(40\) khác số trong danh sách đơn vị \(95 đảng viên\)/,
    );
    const withReason = spec.schema(facts95).safeParse({
      ...withFigures({ members: 40, studied: 40, withPersonalPlan: 40, keptPledge: 39, violatedPledge: 1, commendedMembers: 5 }),
      figures: {
        ...figures,
        members: 40,
        studied: 40,
        withPersonalPlan: 40,
        keptPledge: 39,
        violatedPledge: 1,
        commendedMembers: 5,
        membersReason: 'Chi bộ tách làm hai',
      },
    });
    expect(withReason.success, JSON.stringify(withReason.error?.issues)).toBe(true);
    expect(spec.outcome(withReason.data as YearEndReportPayload, facts95, targets).summary).toContain(
      'danh sách đơn vị: 95 đảng viên, lý do chênh lệch: Chi bộ tách làm hai',
    );
    // Within the margin, or without a margin in the facts (a handler replaying an older history): no reason needed.
    expect(spec.schema(facts95).safeParse(withFigures({ members: 100 })).success).toBe(true);
    expect(
      spec
        .schema({ members: 95 })
        .safeParse(withFigures({ members: 40, studied: 40, withPersonalPlan: 40, keptPledge: 39, violatedPledge: 1, commendedMembers: 5 }))
        .success,
    ).toBe(true);
    const group = spec.form.find((f) => f.name === 'figures');
    const names = group && group.kind === 'group' ? group.fields.map((f) => f.name) : [];
    expect(names.indexOf('membersReason')).toBe(names.indexOf('members') + 1);
  });

  it('accepts a valid report; optional narrative parts are absent', () => {
    const p = ok(PHASES['year-end-report']!, valid) as YearEndReportPayload;
    expect(p.figures.charityVnd).toBe(15_000_000);
    expect(p.narrative.strengths).toBeUndefined();
    const o = spec.outcome(p, facts, targets);
    expect(o.underTarget).toBe(false);
    expect(o.summary).toMatch(
      /^Báo cáo năm: học tập 99\/100 đảng viên \(99,0%\); kế hoạch cá nhân 100\/100 đảng viên \(100,0%\); thực hiện tốt cam kết 97, vi phạm 1/,
    );
  });

  it('is under target when study or pledge share is under target', () => {
    const study = spec.outcome(
      ok(spec, { figures: { ...figures, members: 1000, studied: 979, withPersonalPlan: 1000 }, narrative }, { members: 1000 }),
      facts,
      targets,
    );
    expect(study.underTarget).toBe(true);
    expect(study.summary).toContain('chưa đạt chỉ tiêu: học tập dưới 98%');
    const pledge = spec.outcome(ok(spec, withFigures({ withPersonalPlan: 99, keptPledge: 90 })), facts, targets);
    expect(pledge.underTarget).toBe(true);
    expect(pledge.summary).toContain('kế hoạch cá nhân dưới 100%');
  });

  it('refuses each inconsistent figure with its Vietnamese message on its path', () => {
    expect(errorsOf(spec, withFigures({ studied: 101 }))['figures.studied']).toBe(
      'Số đảng viên đã học tập không được lớn hơn tổng số đảng viên',
    );
    expect(errorsOf(spec, withFigures({ withPersonalPlan: 101 }))['figures.withPersonalPlan']).toBe(
      'Số đảng viên có kế hoạch cá nhân không được lớn hơn tổng số đảng viên',
    );
    expect(errorsOf(spec, withFigures({ keptPledge: 95, violatedPledge: 6 }))['figures.keptPledge']).toBe(
      'Tổng số đảng viên thực hiện tốt cam kết và vi phạm cam kết không được lớn hơn số đảng viên có kế hoạch cá nhân',
    );
    const violated = errorsOf(spec, withFigures({ keptPledge: 0, violatedPledge: 101, withPersonalPlan: 100 }));
    expect(violated['figures.violatedPledge']).toBe('Số đảng viên vi phạm cam kết không được lớn hơn tổng số đảng viên');
    expect(errorsOf(spec, withFigures({ commendedMembers: 101 }))['figures.commendedMembers']).toBe(
      'Số đảng viên được khen thưởng, biểu dương không được lớn hơn tổng số đảng viên',
    );
    expect(
      errorsOf(spec, withFigures({ inspections: { committee: { ...zero, supervisedMembers: 120 }, ubkt: zero } }))[
        'figures.inspections.committee.supervisedMembers'
      ],
    ).toBe('Cấp ủy cơ sở, số đảng viên được giám sát không được lớn hơn tổng số đảng viên');
    expect(errorsOf(spec, withFigures({ membersDisciplined: 101 }))['figures.membersDisciplined']).toMatch(
      /^Số đảng viên bị kỷ luật[^(]* không được lớn hơn/,
    );
  });

  it('runs the cross-checks even when another field is wrong', () => {
    const e = errorsOf(spec, { figures: { ...figures, studied: 101, charityVnd: 'nhiều' }, narrative: { ...narrative, results: 'ngắn' } });
    expect(e['figures.studied']).toBe('Số đảng viên đã học tập không được lớn hơn tổng số đảng viên');
    expect(e['figures.charityVnd']).toBe('Số tiền ủng hộ, từ thiện, an sinh xã hội (đồng): cần là số nguyên (ví dụ 1250)');
    expect(e['narrative.results']).toBe('Kết quả đạt được: quá ngắn, cần viết ít nhất 20 ký tự');
  });

  it('refuses missing, short and oversized narrative', () => {
    const e = errorsOf(spec, { figures, narrative: { results: '   ', limitations: 'x'.repeat(20_001), causes: 'y'.repeat(20_001) } });
    expect(e['narrative.results']).toBe('Kết quả đạt được: không được để trống');
    expect(e['narrative.limitations']).toBe('Hạn chế, khuyết điểm: quá dài (tối đa 20.000 ký tự)');
    expect(e['narrative.causes']).toBe('Nguyên nhân: quá dài (tối đa 20.000 ký tự)');
    expect(errorsOf(spec, { figures }).narrative).toBe('Phần đánh giá: chưa nhập');
  });

  it('normalises the narrative to NFC', () => {
    const p = ok(PHASES['year-end-report']!, {
      figures,
      narrative: { ...narrative, strengths: `  Đồng chí ${NFD_NAME} gương mẫu, tận tụy.  ` },
    }) as YearEndReportPayload;
    expect(p.narrative.strengths).toBe(`Đồng chí ${NFC_NAME} gương mẫu, tận tụy.`);
  });

  it('fromForm builds nested figures from dotted names, with thousands separators', () => {
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(figures)) if (typeof v === 'number') fields[`figures.${k}`] = String(v);
    for (const level of ['committee', 'ubkt'] as const)
      for (const [k, v] of Object.entries(figures.inspections[level])) fields[`figures.inspections.${level}.${k}`] = String(v);
    fields['figures.charityVnd'] = '15.000.000';
    fields['figures.contestParticipants'] = '1 480';
    fields['narrative.results'] = narrative.results;
    fields['narrative.limitations'] = narrative.limitations;
    fields['narrative.strengths'] = '   ';
    const payload = spec.fromForm(fields);
    expect(payload).toEqual(valid);
    expect(ok(spec, payload)).toEqual(valid);
    const bad = errorsOf(spec, spec.fromForm({ ...fields, 'figures.keptPledge': 'abc', 'figures.members': '' }));
    expect(bad['figures.keptPledge']).toBe('Số đảng viên thực hiện tốt cam kết: cần là số nguyên (ví dụ 1250)');
    expect(bad['figures.members']).toBe('Tổng số đảng viên: không được để trống');
  });
});
