/**
 * Phase "inspection": the inspections and supervision the unit's OWN bodies made during the year — its Party
 * committee (cấp ủy cơ sở) and its inspection committee (ủy ban kiểm tra cơ sở) — of organisations and of
 * members, and members disciplined. (Inspections of the unit by the issuing committee are a separate matter.)
 * The same counts appear in the year-end report under figures.inspections.
 */
import { z } from 'zod';
import { MAX_NOTE, MAX_ORGS, formToPayload, formatInt, intField, optionalText, registeredMembers } from './common.js';
import type { FieldSpec, PhaseSpec, UnitFacts } from './types.js';

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

/** One level's counts; member counts are bounded by `memberMax`. */
export function inspectionCountsSchema(level: InspectionLevel, memberMax: number, memberMaxReason?: string) {
  const l = (key: keyof typeof INSPECTION_COUNT_LABELS) =>
    `${INSPECTION_LEVELS[level]}, ${INSPECTION_COUNT_LABELS[key].charAt(0).toLowerCase()}${INSPECTION_COUNT_LABELS[key].slice(1)}`;
  const orgs = (key: keyof typeof INSPECTION_COUNT_LABELS) => intField(l(key), { max: MAX_ORGS });
  const members = (key: keyof typeof INSPECTION_COUNT_LABELS) =>
    intField(l(key), { max: memberMax, maxReason: memberMaxReason });
  return z.object(
    {
      inspectedOrgs: orgs('inspectedOrgs'),
      inspectedMembers: members('inspectedMembers'),
      supervisedOrgs: orgs('supervisedOrgs'),
      supervisedMembers: members('supervisedMembers'),
    },
    { error: (iss) => (iss.input === undefined ? `${INSPECTION_LEVELS[level]}: chưa nhập số liệu` : `${INSPECTION_LEVELS[level]}: số liệu không hợp lệ`) },
  );
}

export type InspectionCounts = z.infer<ReturnType<typeof inspectionCountsSchema>>;

/** The form group of one level's counts (fields named relative to the group). */
export function inspectionCountsGroup(level: InspectionLevel): FieldSpec {
  const num = (name: keyof typeof INSPECTION_COUNT_LABELS, max?: number): FieldSpec => ({
    kind: 'number',
    name,
    label: INSPECTION_COUNT_LABELS[name],
    min: 0,
    ...(max !== undefined ? { max } : {}),
    required: true,
  });
  return {
    kind: 'group',
    name: level,
    label: level === 'committee' ? 'Cấp ủy cơ sở (đảng ủy, chi ủy) kiểm tra, giám sát' : 'Ủy ban kiểm tra cơ sở kiểm tra, giám sát',
    fields: [
      num('inspectedOrgs', MAX_ORGS),
      num('inspectedMembers'),
      num('supervisedOrgs', MAX_ORGS),
      num('supervisedMembers'),
    ],
  };
}

function inspectionSchema(facts: UnitFacts) {
  const max = registeredMembers(facts);
  const reason = facts.members > 0 ? `số đảng viên của đơn vị` : undefined;
  return z.object({
    committee: inspectionCountsSchema('committee', max, reason),
    ubkt: inspectionCountsSchema('ubkt', max, reason),
    membersDisciplined: intField('Số đảng viên bị kỷ luật', { max, maxReason: reason }),
    note: optionalText('Ghi chú', MAX_NOTE),
  });
}

export type InspectionPayload = z.infer<ReturnType<typeof inspectionSchema>>;

const form: FieldSpec[] = [
  inspectionCountsGroup('committee'),
  inspectionCountsGroup('ubkt'),
  { kind: 'number', name: 'membersDisciplined', label: 'Số đảng viên bị kỷ luật trong năm', min: 0, required: true },
  { kind: 'textarea', name: 'note', label: 'Ghi chú (nếu chi bộ không có ủy ban kiểm tra, ghi 0 và nêu ở đây)', maxLength: MAX_NOTE, required: false },
];

export function inspectionCountsText(c: InspectionCounts): string {
  return (
    `kiểm tra ${formatInt(c.inspectedOrgs)} tổ chức, ${formatInt(c.inspectedMembers)} đảng viên; ` +
    `giám sát ${formatInt(c.supervisedOrgs)} tổ chức, ${formatInt(c.supervisedMembers)} đảng viên`
  );
}

export const inspectionPhase: PhaseSpec<InspectionPayload> = {
  id: 'inspection',
  title: 'Báo cáo công tác kiểm tra, giám sát của đơn vị',
  schema: inspectionSchema,
  form,
  fromForm: (fields) => formToPayload(form, fields),
  outcome(payload) {
    const summary =
      `Kiểm tra, giám sát — cấp ủy: ${inspectionCountsText(payload.committee)}; ` +
      `UBKT: ${inspectionCountsText(payload.ubkt)}; kỷ luật ${formatInt(payload.membersDisciplined)} đảng viên`;
    return { underTarget: false, summary };
  },
};
