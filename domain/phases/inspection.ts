/**
 * Phase "inspection": the inspections and supervision the unit's OWN bodies made during the year — its Party
 * committee (cấp ủy cơ sở) and its inspection committee (ủy ban kiểm tra cơ sở) — of organisations and of
 * members, and members disciplined. (Inspections of the unit by the issuing committee are a separate matter.)
 * The same counts appear in the year-end report under figures.inspections.
 */
import { z } from 'zod';
import { MAX_NOTE, MAX_ORGS, formatInt, intField, optionalText, registeredMembers } from './common.js';
import { definePhase } from './define.js';
import { form } from './fields.js';
import type { UnitFacts } from './types.js';

export const INSPECTION_LEVELS = {
  committee: 'Cấp ủy cơ sở',
  ubkt: 'Ủy ban kiểm tra cơ sở',
} as const;
export type InspectionLevel = keyof typeof INSPECTION_LEVELS;

export const INSPECTION_COUNT_LABELS = {
  inspectedOrgs: 'Số tổ chức đảng được kiểm tra',
  inspectedMembers: 'Số đảng viên được kiểm tra',
  supervisedOrgs: 'Số tổ chức đảng được giám sát',
  supervisedMembers: 'Số đảng viên được giám sát',
} as const;

/** What a level's group of counts is called on the form. */
const INSPECTION_GROUP_LABELS = {
  committee: 'Cấp ủy cơ sở (đảng ủy, chi ủy) kiểm tra, giám sát',
  ubkt: 'Ủy ban kiểm tra cơ sở kiểm tra, giám sát',
} as const;

/**
 * One level's counts; member counts are bounded by `memberMax`. Messages name a count with its level ("Cấp ủy cơ
 * sở, số đảng viên được kiểm tra"); the form shows it inside its level's group, by its own label.
 */
export function inspectionCountsSchema(level: InspectionLevel, memberMax: number, memberMaxReason?: string) {
  const l = (key: keyof typeof INSPECTION_COUNT_LABELS) =>
    `${INSPECTION_LEVELS[level]}, ${INSPECTION_COUNT_LABELS[key].charAt(0).toLowerCase()}${INSPECTION_COUNT_LABELS[key].slice(1)}`;
  const label = (key: keyof typeof INSPECTION_COUNT_LABELS) => ({ label: INSPECTION_COUNT_LABELS[key] });
  const orgs = (key: keyof typeof INSPECTION_COUNT_LABELS) => form(intField(l(key), { max: MAX_ORGS }), label(key));
  const members = (key: keyof typeof INSPECTION_COUNT_LABELS) =>
    form(intField(l(key), { max: memberMax, maxReason: memberMaxReason }), label(key));
  const counts = z.object(
    {
      inspectedOrgs: orgs('inspectedOrgs'),
      inspectedMembers: members('inspectedMembers'),
      supervisedOrgs: orgs('supervisedOrgs'),
      supervisedMembers: members('supervisedMembers'),
    },
    {
      error: (iss) =>
        iss.input === undefined ? `${INSPECTION_LEVELS[level]}: chưa nhập số liệu` : `${INSPECTION_LEVELS[level]}: số liệu không hợp lệ`,
    },
  );
  return form(counts, { label: INSPECTION_GROUP_LABELS[level] });
}

export type InspectionCounts = z.infer<ReturnType<typeof inspectionCountsSchema>>;

function inspectionSchema(facts: UnitFacts) {
  const max = registeredMembers(facts);
  const reason = facts.members > 0 ? `số đảng viên của đơn vị` : undefined;
  return z.object({
    committee: inspectionCountsSchema('committee', max, reason),
    ubkt: inspectionCountsSchema('ubkt', max, reason),
    membersDisciplined: form(intField('Số đảng viên bị kỷ luật', { max, maxReason: reason }), {
      label: 'Số đảng viên bị kỷ luật trong năm',
    }),
    note: form(optionalText('Ghi chú', MAX_NOTE), { label: 'Ghi chú (nếu chi bộ không có ủy ban kiểm tra, ghi 0 và nêu ở đây)' }),
  });
}

export type InspectionPayload = z.infer<ReturnType<typeof inspectionSchema>>;

export function inspectionCountsText(c: InspectionCounts): string {
  return (
    `kiểm tra ${formatInt(c.inspectedOrgs)} tổ chức, ${formatInt(c.inspectedMembers)} đảng viên; ` +
    `giám sát ${formatInt(c.supervisedOrgs)} tổ chức, ${formatInt(c.supervisedMembers)} đảng viên`
  );
}

export const inspectionPhase = definePhase({
  id: 'inspection',
  title: 'Báo cáo công tác kiểm tra, giám sát của đơn vị',
  schema: inspectionSchema,
  outcome(payload) {
    const summary =
      `Kiểm tra, giám sát — cấp ủy: ${inspectionCountsText(payload.committee)}; ` +
      `UBKT: ${inspectionCountsText(payload.ubkt)}; kỷ luật ${formatInt(payload.membersDisciplined)} đảng viên`;
    return { underTarget: false, summary };
  },
});
