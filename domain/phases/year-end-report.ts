/**
 * Phase "year-end-report" (báo cáo năm): the unit's figures for the year — the figures the seed's footnotes sum
 * (attendance, pledges made, kept and violated, models, discussion sessions, commendations and proposals,
 * contests, charity, inspections by level, discipline) — and its narrative (results, strengths, limitations,
 * causes, proposals). Cross-checks keep the figures consistent before they reach the compiled report.
 */
import { z } from 'zod';
import {
  ALWAYS,
  MAX_ORGS,
  formatInt,
  formatTarget,
  intField,
  isInt,
  isUnderTarget,
  memberCap,
  memberCapReason,
  membersReasonField,
  membersReasonSummary,
  checkMembersReason,
  optionalText,
  ratioText,
  requiredText,
} from './common.js';
import { definePhase } from './define.js';
import { form } from './fields.js';
import { INSPECTION_COUNT_LABELS, INSPECTION_LEVELS, inspectionCountsSchema, inspectionCountsText } from './inspection.js';
import type { UnitFacts } from './types.js';

const MAX_NARRATIVE = 20_000;
const MIN_NARRATIVE = 20;
const MAX_MODELS = 10_000;
const MAX_PARTICIPANTS = 100_000_000;
const MAX_CHARITY_VND = 1_000_000_000_000_000; // 10^15 đồng: a sanity bound, far above any unit's year

/** Vietnamese names of the figures, used in messages and form labels. */
export const FIGURE_LABELS = {
  members: 'Tổng số đảng viên',
  studied: 'Số đảng viên đã học tập',
  withPersonalPlan: 'Số đảng viên có kế hoạch cá nhân',
  keptPledge: 'Số đảng viên thực hiện tốt cam kết',
  violatedPledge: 'Số đảng viên vi phạm cam kết',
  modelsBuilt: 'Số mô hình, điển hình đã xây dựng',
  discussionSessions: 'Số buổi sinh hoạt chuyên đề',
  commendedOrgs: 'Số tập thể được khen thưởng, biểu dương',
  commendedMembers: 'Số đảng viên được khen thưởng, biểu dương',
  proposedOrgs: 'Số tập thể đề nghị cấp trên khen thưởng',
  proposedMembers: 'Số cá nhân đề nghị cấp trên khen thưởng',
  contests: 'Số cuộc thi đã tổ chức, hưởng ứng',
  contestParticipants: 'Số lượt người tham gia các cuộc thi',
  charityVnd: 'Số tiền ủng hộ, từ thiện, an sinh xã hội (đồng)',
  membersDisciplined: 'Số đảng viên bị kỷ luật',
} as const;

export const NARRATIVE_LABELS = {
  results: 'Kết quả đạt được',
  strengths: 'Ưu điểm',
  limitations: 'Hạn chế, khuyết điểm',
  causes: 'Nguyên nhân',
  proposals: 'Kiến nghị, đề xuất',
} as const;

type Figure = keyof typeof FIGURE_LABELS;
const lower = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
/** "Số đảng viên đã học tập không được lớn hơn tổng số đảng viên": labels only, never the fields' ids. */
const notGreater = (_a: string, aLabel: string, _b: string, bLabel: string) => `${aLabel} không được lớn hơn ${lower(bLabel)}`;

function figuresSchema(facts: UnitFacts) {
  const cap = memberCap(facts);
  const f = (key: Figure, max: number, help?: string) => form(intField(FIGURE_LABELS[key], { max }), help ? { help } : {});
  const figures = z
    .object(
      {
        members: intField(FIGURE_LABELS.members, { min: 1, max: cap, maxReason: memberCapReason(facts) }),
        /** Why `members` differs from the registry's count by more than the cycle's margin (required then). */
        membersReason: membersReasonField(),
        studied: f('studied', cap, 'Tính cả đảng viên học quán triệt bổ sung.'),
        withPersonalPlan: f('withPersonalPlan', cap),
        keptPledge: f('keptPledge', cap),
        violatedPledge: f('violatedPledge', cap),
        modelsBuilt: f('modelsBuilt', MAX_MODELS),
        discussionSessions: f('discussionSessions', MAX_ORGS),
        commendedOrgs: f('commendedOrgs', MAX_ORGS),
        commendedMembers: f('commendedMembers', cap),
        proposedOrgs: f('proposedOrgs', MAX_ORGS),
        proposedMembers: f('proposedMembers', cap),
        contests: f('contests', MAX_ORGS),
        contestParticipants: f('contestParticipants', MAX_PARTICIPANTS, 'Tính theo lượt, gồm cả đoàn viên, hội viên.'),
        charityVnd: f('charityVnd', MAX_CHARITY_VND, 'Ghi số đồng, ví dụ 15.000.000.'),
        inspections: form(
          z.object(
            {
              committee: inspectionCountsSchema('committee', cap),
              ubkt: inspectionCountsSchema('ubkt', cap),
            },
            { error: 'Kiểm tra, giám sát: chưa nhập số liệu' },
          ),
          { label: 'Kiểm tra, giám sát của đơn vị' },
        ),
        membersDisciplined: f('membersDisciplined', cap),
      },
      { error: 'Số liệu: chưa nhập' },
    )
    .superRefine((v, ctx) => {
      const fail = (path: Array<string>, message: string) => ctx.addIssue({ code: 'custom', path, message });
      const L = FIGURE_LABELS;
      // The figures the report sums: a member count far from the units list is taken only with a reason.
      checkMembersReason(ctx, v.members, v.membersReason, facts);
      if (isInt(v.members)) {
        for (const key of ['studied', 'withPersonalPlan', 'violatedPledge', 'commendedMembers', 'membersDisciplined'] as const) {
          const value = v[key];
          if (isInt(value) && value > v.members) fail([key], notGreater(key, L[key], 'members', L.members));
        }
        for (const level of ['committee', 'ubkt'] as const) {
          for (const key of ['inspectedMembers', 'supervisedMembers'] as const) {
            const value = (v.inspections as Record<string, Record<string, unknown> | undefined> | undefined)?.[level]?.[key];
            if (isInt(value) && value > v.members) {
              const label = `${INSPECTION_LEVELS[level]}, ${lower(INSPECTION_COUNT_LABELS[key])}`;
              fail(['inspections', level, key], notGreater(`inspections.${level}.${key}`, label, 'members', L.members));
            }
          }
        }
      }
      if (
        isInt(v.keptPledge) &&
        isInt(v.violatedPledge) &&
        isInt(v.withPersonalPlan) &&
        v.keptPledge + v.violatedPledge > v.withPersonalPlan
      ) {
        fail(['keptPledge'], `Tổng số đảng viên thực hiện tốt cam kết và vi phạm cam kết không được lớn hơn ${lower(L.withPersonalPlan)}`);
      }
    }, ALWAYS);
  return form(figures, { label: 'Số liệu trong năm' });
}

function narrativeSchema() {
  const narrative = z.object(
    {
      results: requiredText(NARRATIVE_LABELS.results, MAX_NARRATIVE, MIN_NARRATIVE),
      strengths: optionalText(NARRATIVE_LABELS.strengths, MAX_NARRATIVE),
      limitations: requiredText(NARRATIVE_LABELS.limitations, MAX_NARRATIVE, MIN_NARRATIVE),
      causes: optionalText(NARRATIVE_LABELS.causes, MAX_NARRATIVE),
      proposals: optionalText(NARRATIVE_LABELS.proposals, MAX_NARRATIVE),
    },
    { error: 'Phần đánh giá: chưa nhập' },
  );
  return form(narrative, { label: 'Đánh giá' });
}

function yearEndReportSchema(facts: UnitFacts) {
  return z.object({ figures: figuresSchema(facts), narrative: narrativeSchema() });
}

export type YearEndReportPayload = z.infer<ReturnType<typeof yearEndReportSchema>>;
export type YearEndFigures = YearEndReportPayload['figures'];

export const yearEndReportPhase = definePhase({
  id: 'year-end-report',
  title: 'Báo cáo kết quả thực hiện năm',
  schema: yearEndReportSchema,
  outcome(payload, facts, targets) {
    const f = payload.figures;
    const studyUnder = isUnderTarget(f.studied, f.members, targets.studyPercent);
    const pledgeUnder = isUnderTarget(f.withPersonalPlan, f.members, targets.pledgePercent);
    const parts = [
      `Báo cáo năm: học tập ${ratioText(f.studied, f.members)}${membersReasonSummary(f.membersReason, facts)}`,
      `kế hoạch cá nhân ${ratioText(f.withPersonalPlan, f.members)}`,
      `thực hiện tốt cam kết ${formatInt(f.keptPledge)}, vi phạm ${formatInt(f.violatedPledge)}`,
      `${formatInt(f.modelsBuilt)} mô hình, điển hình`,
      `${formatInt(f.discussionSessions)} buổi sinh hoạt chuyên đề`,
      `cấp ủy ${inspectionCountsText(f.inspections.committee)}`,
      `UBKT ${inspectionCountsText(f.inspections.ubkt)}`,
    ];
    const under: string[] = [];
    if (studyUnder) under.push(`học tập dưới ${formatTarget(targets.studyPercent)}`);
    if (pledgeUnder) under.push(`kế hoạch cá nhân dưới ${formatTarget(targets.pledgePercent)}`);
    if (under.length) parts.push(`chưa đạt chỉ tiêu: ${under.join(', ')}`);
    return { underTarget: studyUnder || pledgeUnder, summary: parts.join('; ') };
  },
});
