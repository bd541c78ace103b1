/**
 * A phase's web form, read off its payload schema: the schema is where a field's label, help, limits and whether
 * it is required are stated, once. Each field's schema carries what only a form needs (its label on the page, a
 * help line, a placeholder, the kind of input) in a zod registry; its limits are the schema's own checks (a
 * number's min and max, a text's maximum length) and "required" is whether the schema accepts an absent value.
 * So a limit changed in the schema changes the form, and a form field cannot exist without a payload field.
 * Pure: the workflows load the phase modules; registering costs a WeakMap entry per field of a built schema.
 */
import { z } from 'zod';
import type { FieldSpec } from './types.js';

export type InputKind = 'number' | 'text' | 'textarea' | 'date' | 'file';

/** What a field's schema tells its form beyond its own checks. */
export interface FormMeta {
  /** The label above the input; the field's builders set it to the name its messages use, a phase may lengthen it. */
  label: string;
  help?: string;
  placeholder?: string;
  /** The input; text fields are a line up to TEXTAREA_FROM characters and a textarea beyond. */
  kind?: InputKind;
  /** A file input: the types it offers (the API stores the upload and the field holds the stored id). */
  accept?: string;
  /** For a field whose schema is not a string (a list typed as lines of text): the text's bound. */
  maxLength?: number;
}

/**
 * The registry of form metadata. Its own registry rather than zod's global one: a typed FormMeta, and the JSON
 * schemas zod writes for other purposes are left as they were.
 */
export const FORM = z.registry<FormMeta>();

/** Text with a bound above this is a textarea (a note, a narrative), at or below it a line (a name, a number). */
export const TEXTAREA_FROM = 500;

/** `schema` with `meta` merged into its form metadata (the same schema object: nothing is cloned). */
export function form<T extends z.ZodType>(schema: T, meta: Partial<FormMeta>): T {
  const current = FORM.get(schema);
  const merged = { ...current, ...meta } as FormMeta;
  if (current) FORM.remove(schema);
  FORM.add(schema, merged);
  return schema;
}

/** The largest value a number schema allows, when the schema bounds it (unbounded: zod reports ±∞ or a safe-int bound). */
const bounded = (n: number | null | undefined): number | undefined =>
  n === null || n === undefined || !Number.isFinite(n) || Math.abs(n) >= Number.MAX_SAFE_INTEGER ? undefined : n;

/** The schema a value finally has to satisfy: through optional wrappers and pipes (a text is trimmed, then checked). */
function innermost(schema: z.ZodType): z.ZodType[] {
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable || schema instanceof z.ZodDefault)
    return innermost(schema.unwrap() as z.ZodType);
  if (schema instanceof z.ZodPipe) return [...innermost(schema.out as z.ZodType), ...innermost(schema.in as z.ZodType)];
  return [schema];
}

function stringMax(schema: z.ZodType): number | undefined {
  for (const s of innermost(schema)) if (s instanceof z.ZodString && s.maxLength !== null) return s.maxLength;
  return undefined;
}

function numberOf(schema: z.ZodType): z.ZodNumber | undefined {
  return innermost(schema).find((s): s is z.ZodNumber => s instanceof z.ZodNumber);
}

/** Whether the payload may leave the field out (an optional field, or one whose schema maps absence to a value). */
const optional = (schema: z.ZodType): boolean => schema._zod.optin === 'optional';

/**
 * The form of an object schema: one input per field in the schema's order, a group (fieldset) per nested object.
 * A field without form metadata is a mistake in the phase module, named here rather than left off the page.
 */
export function formOf(schema: z.ZodObject, where = ''): FieldSpec[] {
  return Object.entries(schema.shape).map(([name, field]): FieldSpec => {
    const s = field as z.ZodType;
    const path = where ? `${where}.${name}` : name;
    const meta = FORM.get(s);
    if (!meta) throw new Error(`Trường "${path}" của biểu mẫu chưa có nhãn (form metadata)`);
    const common = { name, label: meta.label, ...(meta.help ? { help: meta.help } : {}) };
    if (s instanceof z.ZodObject) return { kind: 'group', name, label: meta.label, fields: formOf(s, path) };
    const required = !optional(s);
    const kind = meta.kind ?? (numberOf(s) ? 'number' : 'text');
    switch (kind) {
      case 'number': {
        const n = numberOf(s);
        const min = bounded(n?.minValue);
        const max = bounded(n?.maxValue);
        return { kind, ...common, ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}), required };
      }
      case 'date':
        return { kind, ...common, required };
      case 'file':
        return { kind, ...common, accept: meta.accept ?? '', required };
      case 'text':
      case 'textarea': {
        const maxLength = meta.maxLength ?? stringMax(s);
        if (maxLength === undefined) throw new Error(`Trường "${path}" của biểu mẫu không có độ dài tối đa`);
        const line = meta.kind === 'text' || (meta.kind === undefined && maxLength <= TEXTAREA_FROM);
        return line
          ? { kind: 'text', ...common, maxLength, required, ...(meta.placeholder ? { placeholder: meta.placeholder } : {}) }
          : { kind: 'textarea', ...common, maxLength, required };
      }
    }
  });
}
