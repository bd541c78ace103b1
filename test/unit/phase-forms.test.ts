/**
 * Issue 14, "One schema per boundary": each phase's form is read off its payload schema, so a label, a limit or
 * "required" is stated once. These tests hold the form to the schema field by field: every payload field has an
 * input and every input a payload field; each number input's min and max, each text input's length, and each
 * "required" mark are exactly what the schema accepts and refuses; the labels the rest of chuky reads
 * (domain/words.ts) are the form's.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PHASE_IDS, phaseSpec } from '../../domain/phases/index.js';
import { formLeaves, type LeafField } from '../../domain/phases/common.js';
import { FORM, form, formOf } from '../../domain/phases/fields.js';
import type { UnitFacts } from '../../domain/phases/types.js';
import { fieldLabels } from '../../domain/words.js';
import { renderPhaseForm } from '../../api/forms.js';

const facts: UnitFacts = { members: 95, membersMarginPercent: 10 };

/** The schema of the field at a dotted path of an object schema. */
function fieldAt(schema: z.ZodType, path: string): z.ZodType {
  let node = schema;
  for (const key of path.split('.')) {
    expect(node, path).toBeInstanceOf(z.ZodObject);
    node = (node as z.ZodObject).shape[key] as z.ZodType;
    expect(node, path).toBeDefined();
  }
  return node;
}

/** Every field path of an object schema, nested objects by their own fields. */
function schemaPaths(schema: z.ZodObject, prefix = ''): string[] {
  return Object.entries(schema.shape).flatMap(([key, s]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return s instanceof z.ZodObject ? schemaPaths(s, path) : [path];
  });
}

describe.each(PHASE_IDS.map((id) => [id]))('the form of "%s"', (id) => {
  const spec = phaseSpec(id);
  const schema = spec.schema(facts) as z.ZodObject;
  const leaves = formLeaves(spec.formFor(facts));

  it("has one input per payload field, in the schema's order", () => {
    expect(leaves.map((l) => l.path)).toEqual(schemaPaths(schema));
  });

  it('marks as required exactly the fields the schema refuses to leave out', () => {
    for (const { path, field } of leaves) {
      const absent = fieldAt(schema, path).safeParse(undefined);
      expect(field.required, path).toBe(!absent.success);
    }
  });

  it("gives each number input the schema's own min and max, and each text input the schema's own length", () => {
    const checked = (f: LeafField) =>
      f.kind === 'number' || f.kind === 'text' || (f.kind === 'textarea' && !['models', 'proposals'].includes(f.name));
    for (const { path, field } of leaves.filter((l) => checked(l.field))) {
      const s = fieldAt(schema, path);
      if (field.kind === 'number') {
        expect(field.min, path).toBeDefined();
        expect(field.max, path).toBeDefined();
        expect(s.safeParse(field.min).success, `${path} = min`).toBe(true);
        expect(s.safeParse(field.min! - 1).success, `${path} = min - 1`).toBe(false);
        expect(s.safeParse(field.max).success, `${path} = max`).toBe(true);
        expect(s.safeParse(field.max! + 1).success, `${path} = max + 1`).toBe(false);
      } else if (field.kind === 'text' || field.kind === 'textarea') {
        expect(s.safeParse('x'.repeat(field.maxLength)).success, `${path} at its length`).toBe(true);
        expect(s.safeParse('x'.repeat(field.maxLength + 1)).success, `${path} over its length`).toBe(false);
      }
    }
  });

  it('is the form words.ts names the fields by', () => {
    const labels = fieldLabels(id);
    for (const { path, field } of formLeaves(spec.form)) expect(labels.get(path), path).toContain(field.label);
  });
});

describe("a unit's own form", () => {
  it("bounds member counts by the unit's facts, as its schema does", async () => {
    const study = phaseSpec('study');
    const members = study.formFor(facts).find((f) => f.name === 'members');
    expect(members).toMatchObject({ kind: 'number', min: 1, max: 190, label: 'Tổng số đảng viên của đơn vị', required: true });
    // For no unit in particular, the bound is the schema's for an unknown count.
    expect(study.form.find((f) => f.name === 'members')).toMatchObject({ max: 1_000_000 });
    const html = String(await renderPhaseForm(study, { values: {}, errors: {}, fields: study.formFor(facts) }));
    expect(html).toMatch(/name="members"[^>]*data-min="1" data-max="190"/);
    // A bound changed in the schema is the form's: the year-end report's models count.
    const yearEnd = phaseSpec('year-end-report').formFor(facts);
    const figures = yearEnd.find((f) => f.name === 'figures');
    expect(figures?.kind === 'group' && figures.fields.find((f) => f.name === 'modelsBuilt')).toMatchObject({ max: 10_000, min: 0 });
  });

  it('keeps the labels, help and inputs the clerk saw before', () => {
    const plan = phaseSpec('plan').form;
    expect(plan.map((f) => [f.name, f.kind, f.label])).toEqual([
      ['confirmedBy', 'text', 'Người xác nhận (họ tên, chức vụ)'],
      ['unitPlanNumber', 'text', 'Số, ngày kế hoạch thực hiện của đơn vị (nếu đã ban hành)'],
      ['planText', 'textarea', 'Nội dung kế hoạch (dán văn bản, nếu không gửi tệp)'],
      ['fileId', 'file', 'Tệp kế hoạch (Word, PDF hoặc ảnh chụp)'],
      ['note', 'textarea', 'Ghi chú'],
    ]);
    expect(plan[0]).toMatchObject({ maxLength: 200, required: true, placeholder: 'Ví dụ: Nguyễn Văn A, Bí thư' });
    expect(plan[3]).toMatchObject({ accept: '.pdf,.doc,.docx,.odt,image/*', help: 'Không bắt buộc. Tối đa một tệp.', required: false });
    const study = phaseSpec('study').form;
    expect(study.find((f) => f.name === 'sessionDate')).toEqual({
      kind: 'date',
      name: 'sessionDate',
      label: 'Ngày học tập, quán triệt',
      required: false,
    });
    // The messages keep their shorter names: the form's label lengthens the name without changing what refusals say.
    const r = phaseSpec('study').schema(facts).safeParse({ studied: 1 });
    expect(r.error?.issues.find((i) => i.path[0] === 'members')?.message).toBe('Tổng số đảng viên: không được để trống');
  });

  it('refuses to derive a form from a field with no label rather than leave it off the page', () => {
    const schema = z.object({ a: form(z.number(), { label: 'A' }), b: z.number() });
    expect(() => formOf(schema)).toThrow(/"b"/);
    expect(FORM.get(schema.shape.a)).toEqual({ label: 'A' });
  });
});

describe('the payload parsed at the form is the payload every later check reads', () => {
  const text = 'Đơn vị đã quán triệt đầy đủ, đúng kế hoạch đề ra.';
  const counts = (level: string) => ({
    [`${level}.inspectedOrgs`]: '2',
    [`${level}.inspectedMembers`]: '5',
    [`${level}.supervisedOrgs`]: '1',
    [`${level}.supervisedMembers`]: '3',
  });
  const figures = Object.fromEntries(
    Object.entries({
      members: '95',
      studied: '93',
      withPersonalPlan: '95',
      keptPledge: '90',
      violatedPledge: '1',
      modelsBuilt: '3',
      discussionSessions: '4',
      commendedOrgs: '1',
      commendedMembers: '2',
      proposedOrgs: '0',
      proposedMembers: '1',
      contests: '2',
      contestParticipants: '1.250',
      charityVnd: '15.000.000',
      membersDisciplined: '0',
      ...counts('inspections.committee'),
      ...counts('inspections.ubkt'),
    }).map(([k, v]) => [`figures.${k}`, v]),
  );
  const forms: Record<string, Record<string, string>> = {
    plan: { confirmedBy: ' Nguyễn Văn A, Bí thư ', unitPlanNumber: '05-KH/ĐU', note: '' },
    study: { members: '95', studied: '90', sessionDate: '05/03/2027', discussionTopic: 'Tự soi, tự sửa', discussionDate: '2027-03-06' },
    'study-makeup': { makeupDate: '10/04/2027', studiedTotal: '95', members: '95' },
    pledge: { members: '120', membersReason: 'Chi bộ mới sáp nhập', withPersonalPlan: '118' },
    models: { models: 'Dân vận khéo | tập thể | Giảm thời gian\nGương sáng | cá nhân', proposals: 'Đồng chí A | cá nhân | Điển hình' },
    inspection: { ...counts('committee'), ...counts('ubkt'), membersDisciplined: '0' },
    'year-end-report': { ...figures, 'narrative.results': text, 'narrative.limitations': text },
    'inspection-remedy': { report: text, completedOn: '20/05/2027' },
  };

  it.each(PHASE_IDS.map((id) => [id]))(
    '%s: parsing the parsed payload again (the validator, the handler on replay) changes nothing',
    (id) => {
      const spec = phaseSpec(id);
      const values = forms[id];
      expect(values, id).toBeDefined();
      const edge = spec.schema(facts).safeParse(spec.fromForm(values!));
      expect(edge.error?.issues ?? [], id).toEqual([]);
      const again = spec.schema(facts).safeParse(edge.data);
      expect(again.success).toBe(true);
      expect(again.data).toEqual(edge.data);
      // The handler replaying an older history parses without the margin: the same payload again.
      expect(spec.schema({ members: facts.members }).parse(edge.data)).toEqual(edge.data);
    },
  );
});
