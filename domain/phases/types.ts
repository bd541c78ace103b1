/**
 * What a unit submits in each phase: one payload schema per phase (zod, Vietnamese messages), the fields of its
 * web form, and what the submission means for the cycle (e.g. attendance under target owes a make-up session).
 * Pure: the workflows' update validators parse with these same schemas.
 */
import type { z } from 'zod';

/** Facts about the unit a schema may check a payload against (e.g. studied ≤ members). */
export interface UnitFacts {
  members: number;
  /**
   * When set, a reported member count that differs from `members` (the registry's, as launched) by more than this
   * share, in percent, needs a reason (`membersReason`). Set by the workflow's update validator and the web form;
   * not by the workflow's handler, so a payload accepted before the rule existed still parses the same on replay.
   */
  membersMarginPercent?: number;
}

/** Targets a phase's outcome is judged by (from the cycle's configuration). */
export interface Targets {
  /** Share of members who studied, in percent (default 98). */
  studyPercent: number;
  /** Share of members with a personal plan, in percent (default 100). */
  pledgePercent: number;
  /** Allowed difference between a reported and the registry's member count, in percent (default 10). */
  membersMarginPercent?: number;
}

export const DEFAULT_TARGETS: Targets = { studyPercent: 98, pledgePercent: 100 };

/** What an accepted submission implies for the workflow. */
export interface Outcome {
  /** Under the configured target: the unit owes a follow-up (make-up session) and may be proposed for inspection. */
  underTarget: boolean;
  /** A short Vietnamese description for records and emails, e.g. "Học tập: 95/100 đảng viên (95,0%)". */
  summary: string;
}

export type FieldSpec =
  | { kind: 'number'; name: string; label: string; min?: number; max?: number; required: boolean; help?: string }
  | { kind: 'text'; name: string; label: string; maxLength: number; required: boolean; help?: string; placeholder?: string }
  | { kind: 'textarea'; name: string; label: string; maxLength: number; required: boolean; help?: string }
  | { kind: 'date'; name: string; label: string; required: boolean; help?: string }
  | { kind: 'file'; name: string; label: string; accept: string; required: boolean; help?: string }
  | { kind: 'group'; name: string; label: string; fields: FieldSpec[] };

export interface PhaseSpec<P = unknown> {
  id: string;
  /** Vietnamese name of what is submitted, e.g. "Báo cáo kết quả học tập chuyên đề". */
  title: string;
  /** Builds the payload schema for a unit (facts allow cross-checks like studied ≤ members). */
  schema(facts: UnitFacts): z.ZodType<P>;
  /** The form for no unit in particular, derived from the schema (domain/phases/fields.ts): labels, kinds, limits. */
  readonly form: FieldSpec[];
  /** The form for a unit: the same fields, with the limits its own facts set (a member count's cap). */
  formFor(facts: UnitFacts): FieldSpec[];
  /** Turns flat form fields (strings from an HTML form, names like "committee.inspectedOrgs") into the payload shape. */
  fromForm(fields: Record<string, string>): unknown;
  outcome(payload: P, facts: UnitFacts, targets: Targets): Outcome;
}
