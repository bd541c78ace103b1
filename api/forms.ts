/**
 * The web form of any phase, built from its PhaseSpec.form (derived from the phase's schema): one column for a phone, big inputs, labels above,
 * each field's error right under it, values re-filled after a refused submission. Hono's `html` escapes every
 * interpolated value. The caller wraps the result in `page()` with the unit's header and deadline (api/pages.ts).
 */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { z } from 'zod';
import { CURRENT_FILE_SUFFIX } from '../domain/phases/common.js';
import type { FieldSpec, PhaseSpec } from '../domain/phases/types.js';
import { issueMessage, issuesFromText } from '../domain/submissions.js';
import { knownFieldLabel, viDatesIn } from '../domain/words.js';

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** Errors not attached to any field (zod issues with an empty path) are keyed by this. */
export const FORM_ERROR_KEY = '';

export interface PhaseFormContext {
  /** Raw form values by dotted field path, as submitted ("figures.keptPledge" → "12"). */
  values: Record<string, string>;
  /** One message per dotted field path (see errorsByField). */
  errors: Record<string, string>;
  /** Hidden requestId, so a resubmitted form is the same submission. */
  requestId?: string;
  /** Where the form posts; the current URL when absent. */
  action?: string;
  /** The button's text; "Nộp báo cáo" when absent. */
  submitLabel?: string;
  /** The form for this unit (spec.formFor(facts): its own member-count limits); spec.form when absent. */
  fields?: FieldSpec[];
}

/**
 * A schema's message as the web form says it. The schemas serve the JSON API too, where a date is written
 * YYYY-MM-DD; on the form a person types (or picks) a day as dd/mm/yyyy, so the hint and any date in the message
 * are written that way.
 */
export function formMessage(message: string): string {
  return viDatesIn(message.replace(/cần dạng YYYY-MM-DD \(ví dụ (\d{4}-\d{2}-\d{2})\)/g, 'cần ghi ngày/tháng/năm (ví dụ $1)'));
}

/** First message per dotted path: { 'figures.keptPledge': 'Tổng số …' }; issues without a path go under ''. */
export function errorsByField(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join('.');
    if (!(key in out)) out[key] = formMessage(issueMessage(issue));
  }
  return out;
}

/**
 * A refusal of the workflow's validator (describeIssues' text) as errorsByField would have written the same issues,
 * when every line names a field of the form (or a path under one, such as "models.2.name"): so a member count the
 * form could not check (its workflow did not answer) is refused under the same field, in the same words, as the
 * form's own parse refuses it. Undefined when a line is not about a field (a deadline passed, a closed cycle).
 */
export function refusalErrors(text: string, fields: FieldSpec[]): Record<string, string> | undefined {
  const placed: Placed = { paths: new Set(), leaves: [] };
  collect(fields, '', placed);
  const out: Record<string, string> = {};
  for (const { path, message } of issuesFromText(text)) {
    const onForm = path !== '' && (placed.paths.has(path) || placed.leaves.some((leaf) => path.startsWith(`${leaf}.`)));
    if (!onForm) return undefined;
    if (!(path in out)) out[path] = formMessage(message);
  }
  return Object.keys(out).length ? out : undefined;
}

interface Placed {
  /** Every rendered path: leaves and groups. */
  paths: Set<string>;
  /** Rendered leaf paths. */
  leaves: string[];
}

function collect(fields: FieldSpec[], prefix: string, placed: Placed): void {
  for (const f of fields) {
    const path = prefix ? `${prefix}.${f.name}` : f.name;
    placed.paths.add(path);
    if (f.kind === 'group') collect(f.fields, path, placed);
    else placed.leaves.push(path);
  }
}

const FIELDSET_STYLE = 'border:1px solid #ddd;border-radius:4px;padding:2px 12px 14px;margin:18px 0 0;min-width:0';
const LEGEND_STYLE = 'font-weight:bold;font-size:17px;padding:0 6px';
const REQUIRED_MARK = html`<span aria-hidden="true" style="color:#b00000"> *</span>`;

/** The message for a leaf: its own, else the first one for a path under it ("models.2.name" under "models"). */
function errorFor(path: string, errors: Record<string, string>): string | undefined {
  if (errors[path] !== undefined) return errors[path];
  const nested = Object.keys(errors).find((k) => k.startsWith(`${path}.`));
  return nested === undefined ? undefined : errors[nested];
}

function describedBy(path: string, help: string | undefined, error: string | undefined): string | undefined {
  const ids = [help ? `help-${path}` : '', error ? `err-${path}` : ''].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

function renderField(f: FieldSpec, prefix: string, ctx: PhaseFormContext): Html {
  const path = prefix ? `${prefix}.${f.name}` : f.name;
  if (f.kind === 'group') {
    const groupError = ctx.errors[path];
    return html`<fieldset id="group-${path}" style="${FIELDSET_STYLE}"><legend style="${LEGEND_STYLE}">${f.label}</legend>
${groupError !== undefined ? html`<div class="err" id="err-${path}" role="alert">${groupError}</div>` : ''}
${f.fields.map((child) => renderField(child, path, ctx))}</fieldset>
`;
  }
  const value = ctx.values[path] ?? '';
  const error = errorFor(path, ctx.errors);
  const help = f.help;
  const aria = describedBy(path, help, error);
  const label = html`<label for="${path}">${f.label}${f.required ? REQUIRED_MARK : ''}</label>`;
  const helpHtml = help ? html`<p class="muted" id="help-${path}">${help}</p>` : '';
  const errHtml = error !== undefined ? html`<div class="err" id="err-${path}" role="alert">${error}</div>` : '';
  const common = html`id="${path}" name="${path}"${f.required ? html` required` : ''}${error !== undefined ? html` aria-invalid="true"` : ''}${aria ? html` aria-describedby="${aria}"` : ''}`;
  let control: Html;
  switch (f.kind) {
    case 'number':
      control = html`<input ${common} type="text" inputmode="numeric" autocomplete="off" value="${value}"${f.min !== undefined ? html` data-min="${f.min}"` : ''}${f.max !== undefined ? html` data-max="${f.max}"` : ''}>`;
      break;
    case 'text':
      control = html`<input ${common} type="text" maxlength="${f.maxLength}" value="${value}"${f.placeholder ? html` placeholder="${f.placeholder}"` : ''}>`;
      break;
    case 'textarea':
      control = html`<textarea ${common} maxlength="${f.maxLength}" rows="${f.maxLength > 2000 ? 6 : 4}">${value}</textarea>`;
      break;
    case 'date':
      control = html`<input ${common} type="date" value="${value}" min="2000-01-01" max="2100-12-31">`;
      break;
    case 'file': {
      const current = value || ctx.values[path + CURRENT_FILE_SUFFIX] || '';
      // A file input cannot be re-filled: keep the stored file's id and say so, a new choice replaces it.
      const required = f.required && !current;
      control = html`<input id="${path}" name="${path}" type="file" accept="${f.accept}"${required ? html` required` : ''}${error !== undefined ? html` aria-invalid="true"` : ''}${aria ? html` aria-describedby="${aria}"` : ''} style="padding:12px 8px">${
        current
          ? html`
<input type="hidden" name="${path + CURRENT_FILE_SUFFIX}" value="${current}"><p class="muted" id="current-${path}">Đã có tệp: ${ctx.values[path + ':name'] || 'tệp đã gửi'} — chọn tệp khác nếu muốn thay.</p>`
          : ''
      }`;
      break;
    }
  }
  return html`${label}
${helpHtml}${control}
${errHtml}
`;
}

/**
 * "Label: " before an error listed at the top, when the error does not already start with its field's label; an
 * error of no known field is shown as it is: a field's internal id is never shown.
 */
function labelPrefix(phase: string, path: string, message: string): string {
  const label = path ? knownFieldLabel(phase, path) : undefined;
  return label && !message.startsWith(label) ? `${label}: ` : '';
}

function hasFile(fields: FieldSpec[]): boolean {
  return fields.some((f) => (f.kind === 'group' ? hasFile(f.fields) : f.kind === 'file'));
}

/**
 * The phase's form: `<form method="post">` with every field of spec.form (multipart when it has a file), a
 * summary box when there are errors (listing any not shown under a field), and one submit button.
 * Inputs are named by dotted path ("figures.keptPledge"), which is what spec.fromForm reads. A file input is
 * named by its payload field ("fileId"): the API stores the upload and puts the stored id in that field; an
 * already stored id comes back in "<path>:current", which fromForm uses when no new file was chosen.
 */
export function renderPhaseForm(spec: PhaseSpec, ctx: PhaseFormContext): Html {
  const form = ctx.fields ?? spec.form;
  const placed: Placed = { paths: new Set(), leaves: [] };
  collect(form, '', placed);
  const errorKeys = Object.keys(ctx.errors);
  const shownUnder = (key: string) => placed.paths.has(key) || placed.leaves.some((leaf) => key.startsWith(`${leaf}.`));
  const unplaced = errorKeys.filter((k) => !shownUnder(k));
  const summary = errorKeys.length
    ? html`<div class="box bad" id="form-errors" role="alert"><b>Chưa nộp được: vui lòng sửa ${errorKeys.length} chỗ được đánh dấu bên dưới.</b>${
        unplaced.length
          ? html`<ul>${unplaced.map((k) => html`<li>${labelPrefix(spec.id, k, ctx.errors[k] ?? '')}${ctx.errors[k]}</li>`)}</ul>`
          : ''
      }</div>
`
    : '';
  const enctype = hasFile(form) ? html` enctype="multipart/form-data"` : '';
  const action = ctx.action !== undefined ? html` action="${ctx.action}"` : '';
  return html`<form method="post" id="phase-form" data-phase="${spec.id}"${action}${enctype}>
${summary}${
    ctx.requestId !== undefined
      ? html`<input type="hidden" name="requestId" value="${ctx.requestId}">
`
      : ''
  }${form.map((f) => renderField(f, '', ctx))}<button type="submit">${ctx.submitLabel ?? 'Nộp báo cáo'}</button>
</form>`;
}
