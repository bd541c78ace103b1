/**
 * Phase "pledge": how many members wrote a personal plan and pledge (kế hoạch cá nhân, cam kết), optionally with
 * the list of members as a file. Under the pledge target (default 100%) the unit is under target.
 */
import { z } from 'zod';
import {
  ALWAYS,
  checkAtMost,
  MAX_NOTE,
  formatTarget,
  intField,
  isUnderTarget,
  memberCap,
  memberCapReason,
  membersReasonField,
  membersReasonSummary,
  checkMembersReason,
  optionalFileId,
  optionalText,
  ratioText,
} from './common.js';
import { definePhase } from './define.js';
import { form } from './fields.js';
import type { UnitFacts } from './types.js';

function pledgeSchema(facts: UnitFacts) {
  const cap = memberCap(facts);
  return z
    .object({
      members: form(intField('Tổng số đảng viên', { min: 1, max: cap, maxReason: memberCapReason(facts) }), {
        label: 'Tổng số đảng viên của đơn vị',
      }),
      /** Why `members` differs from the registry's count by more than the cycle's margin (required then). */
      membersReason: membersReasonField(),
      /** Members who wrote a personal plan and pledge. */
      withPersonalPlan: form(intField('Số đảng viên có kế hoạch cá nhân', { max: cap }), {
        label: 'Số đảng viên đã xây dựng kế hoạch cá nhân, cam kết',
      }),
      /** The uploaded list of members and their pledges (stored by the API; this is its id). */
      memberListFileId: form(optionalFileId('Tệp danh sách đảng viên', '.xlsx,.xls,.csv,.doc,.docx,.pdf'), {
        label: 'Danh sách đảng viên đăng ký (Excel, Word hoặc PDF)',
        help: 'Không bắt buộc.',
      }),
      note: optionalText('Ghi chú', MAX_NOTE),
    })
    .superRefine((v, ctx) => {
      checkMembersReason(ctx, v.members, v.membersReason, facts);
      checkAtMost(
        ctx,
        v.withPersonalPlan,
        v.members,
        ['withPersonalPlan'],
        'Số đảng viên có kế hoạch cá nhân không được lớn hơn tổng số đảng viên',
      );
    }, ALWAYS);
}

export type PledgePayload = z.infer<ReturnType<typeof pledgeSchema>>;

export const pledgePhase = definePhase({
  id: 'pledge',
  title: 'Báo cáo xây dựng kế hoạch cá nhân, cam kết của đảng viên',
  schema: pledgeSchema,
  outcome(payload, facts, targets) {
    const underTarget = isUnderTarget(payload.withPersonalPlan, payload.members, targets.pledgePercent);
    let summary = `Kế hoạch cá nhân: ${ratioText(payload.withPersonalPlan, payload.members)}${membersReasonSummary(payload.membersReason, facts)}`;
    if (underTarget) summary += ` — chưa đạt chỉ tiêu ${formatTarget(targets.pledgePercent)}`;
    return { underTarget, summary };
  },
});
