/**
 * A phase module's spec from its payload schema and its outcome: the form is derived from the schema
 * (domain/phases/fields.ts), so a phase states each label and limit once, in its schema.
 */
import type { z } from 'zod';
import { formToPayload } from './common.js';
import { formOf } from './fields.js';
import type { FieldSpec, PhaseSpec, UnitFacts } from './types.js';

/** Facts of a unit whose member count is not known: the form's limits for no unit in particular. */
export const NO_FACTS: UnitFacts = { members: 0 };

/**
 * A phase from its schema: its form is derived from the schema (for no unit in particular as `form`, for a unit's
 * own facts by `formFor`, whose member-count limits are that unit's), its form fields are read by the generic
 * conversion unless the phase needs its own. Schemas are still built at first use, not when the module loads.
 */
export function definePhase<S extends z.ZodObject>(def: {
  id: string;
  title: string;
  schema: (facts: UnitFacts) => S;
  outcome: PhaseSpec<z.output<S>>['outcome'];
  /** Flat form strings → the payload the schema parses (default: formToPayload over the form). */
  fromForm?: (fields: Record<string, string>, form: FieldSpec[]) => unknown;
}): PhaseSpec<z.output<S>> {
  let generic: FieldSpec[] | undefined;
  const formFor = (facts: UnitFacts): FieldSpec[] => formOf(def.schema(facts));
  return {
    id: def.id,
    title: def.title,
    // A ZodObject's output is P: the cast only forgets which object it is.
    schema: def.schema as unknown as (facts: UnitFacts) => z.ZodType<z.output<S>>,
    get form() {
      return (generic ??= formFor(NO_FACTS));
    },
    formFor,
    fromForm(fields) {
      return def.fromForm ? def.fromForm(fields, this.form) : formToPayload(this.form, fields);
    },
    outcome: def.outcome,
  };
}
