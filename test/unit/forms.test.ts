import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { errorsByField, refusalErrors, renderPhaseForm, type PhaseFormContext } from '../../api/forms.js';
import { describeIssues, safeParsePayload } from '../../domain/submissions.js';
import { MEMBERS_REASON_LABEL } from '../../domain/phases/common.js';
import { page } from '../../api/pages.js';
import { PHASE_IDS, phaseSpec } from '../../domain/phases/index.js';
import { formLeaves } from '../../domain/phases/common.js';

async function render(id: string, ctx: Partial<PhaseFormContext> = {}): Promise<string> {
  return String(await renderPhaseForm(phaseSpec(id), { values: {}, errors: {}, ...ctx }));
}

describe('renderPhaseForm', () => {
  for (const id of PHASE_IDS) {
    it(`renders every field of "${id}" with a label, once`, async () => {
      const spec = phaseSpec(id);
      const out = await render(id, { requestId: 'req-12345678' });
      expect(out).toMatch(/^<form method="post"/);
      expect(out).toContain(`data-phase="${id}"`);
      expect(out).toContain('<input type="hidden" name="requestId" value="req-12345678">');
      expect(out).toContain('<button type="submit">Nộp báo cáo</button>');
      for (const { path, field } of formLeaves(spec.form)) {
        expect(out.split(`name="${path}"`).length - 1, path).toBe(1);
        expect(out).toContain(`<label for="${path}">`);
        expect(out).toContain(field.label.replace(/&/g, '&amp;'));
      }
      expect(out).not.toContain('class="err"');
      expect(out).not.toContain('id="form-errors"');
      // a whole page around it is valid enough to parse back: balanced fieldsets
      expect(out.split('<fieldset').length).toBe(out.split('</fieldset>').length);
      expect(String(await page(spec.title, renderPhaseForm(spec, { values: {}, errors: {} })))).toContain('<main><form method="post"');
    });
  }

  it('uses numeric keyboards, date pickers, textareas, file inputs and fieldsets', async () => {
    const study = await render('study');
    expect(study).toMatch(/<input id="members" name="members" required type="text" inputmode="numeric"/);
    expect(study).toMatch(/<input id="sessionDate" name="sessionDate" type="date"/);
    expect(study).toMatch(/<textarea id="note" name="note" maxlength="5000"/);
    expect(study).not.toContain('multipart');

    const plan = await render('plan');
    expect(plan).toContain('enctype="multipart/form-data"');
    expect(plan).toContain('<input id="fileId" name="fileId" type="file" accept=".pdf,.doc,.docx,.odt,image/*"');
    expect(plan).toMatch(
      /<input id="confirmedBy" name="confirmedBy" required type="text" maxlength="200" value="" placeholder="Ví dụ: Nguyễn Văn A, Bí thư">/,
    );

    const report = await render('year-end-report');
    expect(report).toContain('<fieldset id="group-figures"');
    expect(report).toContain('<legend style="font-weight:bold;font-size:17px;padding:0 6px">Số liệu trong năm</legend>');
    expect(report).toContain('<fieldset id="group-figures.inspections.committee"');
    expect(report).toContain('name="figures.inspections.ubkt.supervisedMembers"');
    expect(report).toContain('name="narrative.results"');
    expect(report).toContain('id="help-figures.charityVnd"');
  });

  it('re-fills values and shows each error under its field, escaped', async () => {
    const spec = phaseSpec('year-end-report');
    const values = {
      'figures.keptPledge': '95',
      'figures.violatedPledge': '<b>6</b>',
      'narrative.results': '</textarea><script>alert("x")</script>',
    };
    const r = spec.schema({ members: 100 }).safeParse(spec.fromForm(values));
    expect(r.success).toBe(false);
    const errors = errorsByField(r.error as z.ZodError);
    const out = await render('year-end-report', { values, errors });
    expect(out).toContain('id="form-errors"');
    expect(out).toContain('value="&lt;b&gt;6&lt;/b&gt;"');
    expect(out).toContain('&lt;/textarea&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</textarea>');
    expect(out).not.toContain('<script>');
    expect(out).toContain('<div class="err" id="err-figures.members" role="alert">Tổng số đảng viên: không được để trống</div>');
    expect(out).toContain(
      '<div class="err" id="err-figures.violatedPledge" role="alert">Số đảng viên vi phạm cam kết: cần là số nguyên (ví dụ 1250)</div>',
    );
    expect(out).toMatch(/id="figures.members" name="figures.members" required aria-invalid="true" aria-describedby="err-figures.members"/);
    // The error sits right after its own input.
    const input = out.indexOf('name="figures.violatedPledge"');
    const err = out.indexOf('id="err-figures.violatedPledge"');
    expect(err).toBeGreaterThan(input);
    expect(out.indexOf('<label', input)).toBeGreaterThan(err);
  });

  it('shows a cross-check error on the field it names', async () => {
    const errors = {
      'figures.keptPledge':
        'Tổng số đảng viên thực hiện tốt cam kết và vi phạm cam kết không được lớn hơn số đảng viên có kế hoạch cá nhân',
    };
    const out = await render('year-end-report', { errors });
    expect(out).toContain(`<div class="err" id="err-figures.keptPledge" role="alert">${errors['figures.keptPledge']}</div>`);
    expect(out).toContain('vui lòng sửa 1 chỗ');
  });

  it('shows the models line errors under the textarea, nested item errors too, and unknown paths at the top', async () => {
    const spec = phaseSpec('models');
    const values = { models: 'A | tập thể | x\n | cá nhân | y', proposals: '' };
    const r = spec.schema({ members: 10 }).safeParse(spec.fromForm(values));
    const errors = errorsByField(r.error as z.ZodError);
    const out = await render('models', { values, errors });
    expect(out).toContain('<div class="err" id="err-models" role="alert">Dòng 2: thiếu tên mô hình');
    expect(out).toContain('A | tập thể | x\n | cá nhân | y</textarea>');

    const nested = await render('models', {
      errors: { 'proposals.0.reason': 'Lý do đề nghị khen thưởng: không được để trống', '': 'Chung', other: 'Lạ' },
    });
    expect(nested).toContain('<div class="err" id="err-proposals" role="alert">Lý do đề nghị khen thưởng: không được để trống</div>');
    expect(nested).toContain('<li>Chung</li>');
    expect(nested).toContain('<li>Lạ</li>');
  });

  it('keeps an uploaded file across a refused submission', async () => {
    const out = await render('plan', {
      values: { confirmedBy: '', fileId: 'file-<1>', 'fileId:name': 'Kế hoạch <1>.pdf' },
      errors: { confirmedBy: 'Người xác nhận: không được để trống' },
    });
    expect(out).toContain('<input type="hidden" name="fileId:current" value="file-&lt;1&gt;">');
    // The unit sees the file's name (escaped), never the stored id.
    expect(out).toContain('Đã có tệp: Kế hoạch &lt;1&gt;.pdf');
    expect(await render('plan', { values: { fileId: 'file-1' } })).toContain('Đã có tệp: tệp đã gửi');
    expect(phaseSpec('plan').fromForm({ confirmedBy: 'A', 'fileId:current': 'file-1' })).toEqual({ confirmedBy: 'A', fileId: 'file-1' });
  });

  it('takes the action and button label from the context', async () => {
    const out = await render('pledge', { action: '/u/abc?x=1&y=2', submitLabel: 'Gửi' });
    expect(out).toContain('action="/u/abc?x=1&amp;y=2"');
    expect(out).toContain('<button type="submit">Gửi</button>');
  });
});

describe('errorsByField', () => {
  it('keeps the first message per dotted path', () => {
    const r = phaseSpec('inspection')
      .schema({ members: 10 })
      .safeParse({ committee: { inspectedOrgs: -1 }, membersDisciplined: 'x' });
    const errors = errorsByField(r.error as z.ZodError);
    expect(errors['committee.inspectedOrgs']).toBe('Cấp ủy cơ sở, số tổ chức đảng được kiểm tra: không được là số âm');
    expect(errors['committee.inspectedMembers']).toBe('Cấp ủy cơ sở, số đảng viên được kiểm tra: không được để trống');
    expect(errors.ubkt).toBe('Ủy ban kiểm tra cơ sở: chưa nhập số liệu');
    expect(errors.membersDisciplined).toBe('Số đảng viên bị kỷ luật: cần là số nguyên (ví dụ 1250)');
  });
});

describe("refusalErrors: a validator's refusal shown as the form's own parse shows it", () => {
  const margin = { members: 95, membersMarginPercent: 10 };

  it('puts a member count beyond the margin under the reason field, in the same words, whichever parsed it', () => {
    for (const id of ['study', 'pledge', 'year-end-report']) {
      const spec = phaseSpec(id);
      const input =
        id === 'year-end-report'
          ? spec.fromForm({ 'figures.members': '5', 'figures.studied': '9' })
          : spec.fromForm({ members: '5', studied: '5', withPersonalPlan: '5' });
      const edge = safeParsePayload(spec.schema(margin), input);
      expect(edge.success, id).toBe(false);
      const atEdge = errorsByField(edge.error as z.ZodError);
      // The workflow's validator refuses with describeIssues' text (its parse, the same schema and facts).
      const atValidator = refusalErrors(describeIssues(edge.error as z.ZodError), spec.formFor(margin));
      expect(atValidator, id).toEqual(atEdge);
      const reasonPath = id === 'year-end-report' ? 'figures.membersReason' : 'membersReason';
      expect(atValidator?.[reasonPath], id).toMatch(
        new RegExp(`^${MEMBERS_REASON_LABEL}: cần ghi rõ .*\\(95 đảng viên\\) quá 10%; nếu danh sách đúng`),
      );
    }
  });

  it('also for nested and list paths, with dates as the form writes them', () => {
    const spec = phaseSpec('models');
    const r = safeParsePayload(spec.schema(margin), { models: [{ name: '', kind: 'tap-the' }], proposals: 'Đồng chí B | cá nhân' });
    expect(refusalErrors(describeIssues(r.error as z.ZodError), spec.form)).toEqual(errorsByField(r.error as z.ZodError));
    expect(refusalErrors('sessionDate: Ngày học tập: hạn 2027-03-05', phaseSpec('study').form)).toEqual({
      sessionDate: 'Ngày học tập: hạn 05/03/2027',
    });
  });

  it("leaves a refusal that is not about the form's fields to the notice on top", () => {
    const form = phaseSpec('study').form;
    expect(refusalErrors('Đã quá hạn (20/03/2027); bản đã nộp không thể sửa.', form)).toBeUndefined();
    expect(refusalErrors('requestId: Đầu vào không hợp lệ', form)).toBeUndefined();
    expect(refusalErrors('members: Tổng số đảng viên: không được để trống; requestId: Đầu vào không hợp lệ', form)).toBeUndefined();
  });
});
