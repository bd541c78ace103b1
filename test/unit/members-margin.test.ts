/**
 * The registry's member count and the margin around it (issue 15, "Figures a clerk can trust"): a study or pledge
 * report whose member count differs from the units list by more than the cycle's margin needs a reason, named as
 * the form names it; without a margin in the facts (the workflow's handler replaying an older history) the same
 * payload parses exactly as before; the config setting is validated; an empty models report is recognised.
 */
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { DEFAULT_TARGETS, pledgePhase, studyPhase } from '../../domain/phases/index.js';
import { DEFAULT_MEMBERS_MARGIN_PERCENT, MEMBERS_REASON_LABEL, membersBeyondMargin } from '../../domain/phases/common.js';
import { isEmptyModelsReport, modelsPhase } from '../../domain/phases/models.js';
import type { PhaseSpec, UnitFacts } from '../../domain/phases/types.js';
import { errorsByField } from '../../api/forms.js';
import { TargetsSchema } from '../../config/cycle.js';

const registry: UnitFacts = { members: 95, membersMarginPercent: 10 };

function errors(spec: PhaseSpec, input: unknown, facts: UnitFacts = registry): Record<string, string> {
  const r = spec.schema(facts).safeParse(input);
  expect(r.success, `expected a refusal of ${JSON.stringify(input)}`).toBe(false);
  return errorsByField(r.error as z.ZodError);
}

describe('membersBeyondMargin', () => {
  it('compares in whole numbers against the share of the registry count', () => {
    // 10% of 95 is 9,5: 86…104 are within, 85 and 105 are not.
    expect(membersBeyondMargin(86, 95, 10)).toBe(false);
    expect(membersBeyondMargin(104, 95, 10)).toBe(false);
    expect(membersBeyondMargin(85, 95, 10)).toBe(true);
    expect(membersBeyondMargin(105, 95, 10)).toBe(true);
    expect(membersBeyondMargin(5, 95, 10)).toBe(true);
    expect(membersBeyondMargin(100, 100, 0)).toBe(false);
    expect(membersBeyondMargin(99, 100, 0)).toBe(true);
    // An unknown registry count (0) never asks for a reason.
    expect(membersBeyondMargin(5, 0, 10)).toBe(false);
  });
});

describe.each([
  ['study', studyPhase as PhaseSpec, 'studied'],
  ['pledge', pledgePhase as PhaseSpec, 'withPersonalPlan'],
] as const)('%s: a member count far from the registry', (_id, spec, part) => {
  it('is refused without a reason, with a Vietnamese message under the reason field that names both counts', () => {
    const e = errors(spec, { members: 5, [part]: 5 });
    expect(Object.keys(e)).toEqual(['membersReason']);
    expect(e.membersReason).toContain(MEMBERS_REASON_LABEL);
    expect(e.membersReason).toContain('(5)');
    expect(e.membersReason).toContain('95 đảng viên');
    expect(e.membersReason).toContain('10%');
    expect(e.membersReason).toContain('Tổng số đảng viên của đơn vị');
    expect(e.membersReason).not.toMatch(/\bmembers\b|membersReason/);
    expect(e.membersReason).toBe(e.membersReason!.normalize('NFC'));
    // A blank reason is no reason.
    expect(Object.keys(errors(spec, { members: 5, [part]: 5, membersReason: '   ' }))).toEqual(['membersReason']);
  });

  it('is accepted with a reason, which the outcome states beside the registry count', () => {
    const r = spec.schema(registry).safeParse({ members: 5, [part]: 5, membersReason: ' Chi bộ mới tách, danh sách chưa cập nhật ' });
    expect(r.success).toBe(true);
    const payload = r.data as Record<string, unknown>;
    expect(payload.membersReason).toBe('Chi bộ mới tách, danh sách chưa cập nhật');
    const outcome = spec.outcome(payload, registry, DEFAULT_TARGETS);
    expect(outcome.summary).toContain('5/5 đảng viên (100,0%); danh sách đơn vị: 95 đảng viên, lý do chênh lệch: Chi bộ mới tách');
  });

  it('needs no reason within the margin, nor when the registry count is unknown', () => {
    expect(spec.schema(registry).safeParse({ members: 86, [part]: 86 }).success).toBe(true);
    expect(spec.schema(registry).safeParse({ members: 104, [part]: 100 }).success).toBe(true);
    expect(spec.schema({ members: 0, membersMarginPercent: 10 }).safeParse({ members: 5, [part]: 5 }).success).toBe(true);
    // A stricter cycle: 0% asks a reason for any difference.
    expect(Object.keys(errors(spec, { members: 94, [part]: 94 }, { members: 95, membersMarginPercent: 0 }))).toEqual(['membersReason']);
  });

  it('parses an older payload without a margin in the facts exactly as before (the handler on replay)', () => {
    const old = { members: 5, [part]: 5 };
    const r = spec.schema({ members: 95 }).safeParse(old);
    expect(r.success).toBe(true);
    expect(r.data).toEqual(old);
    expect(Object.keys(r.data as object)).not.toContain('membersReason');
    // Its summary is the one recorded then: nothing about the registry without a reason.
    expect(spec.outcome(r.data, { members: 95 }, DEFAULT_TARGETS).summary).not.toContain('danh sách');
  });

  it('puts the reason field on the form right under the member count', () => {
    const names = spec.form.map((f) => f.name);
    expect(names.indexOf('membersReason')).toBe(names.indexOf('members') + 1);
    const field = spec.form.find((f) => f.name === 'membersReason')!;
    expect(field.label).toBe(MEMBERS_REASON_LABEL);
    expect('required' in field && field.required).toBe(false);
    expect(spec.fromForm({ members: '5', [part]: '5', membersReason: 'Lý do' })).toMatchObject({ membersReason: 'Lý do' });
  });
});

describe('targets.membersMarginPercent in the cycle file', () => {
  it('defaults to 10 and accepts 0 to 100', () => {
    expect(DEFAULT_MEMBERS_MARGIN_PERCENT).toBe(10);
    expect(TargetsSchema.parse({}).membersMarginPercent).toBe(10);
    expect(TargetsSchema.parse({ membersMarginPercent: 0 }).membersMarginPercent).toBe(0);
    expect(TargetsSchema.parse({ membersMarginPercent: 25 }).membersMarginPercent).toBe(25);
  });

  it('refuses a value that is not a percent, saying what it must be', () => {
    for (const bad of [-1, 101, '10%']) {
      const r = TargetsSchema.safeParse({ membersMarginPercent: bad });
      expect(r.success, String(bad)).toBe(false);
      expect(r.error!.issues[0]!.path).toEqual(['membersMarginPercent']);
      expect(r.error!.issues[0]!.message).toMatch(/between 0 and 100|number of percent/);
    }
  });
});

describe('an empty models report', () => {
  it('is accepted, and recognised as empty (0 models, 0 proposals) but not when it lists anything', () => {
    const empty = modelsPhase.schema({ members: 95 }).parse(modelsPhase.fromForm({ models: '', proposals: '' }));
    expect(isEmptyModelsReport(empty)).toBe(true);
    expect(isEmptyModelsReport({})).toBe(true);
    expect(isEmptyModelsReport({ models: [{ name: 'Dân vận khéo', kind: 'tap-the' }], proposals: [] })).toBe(false);
    expect(isEmptyModelsReport({ models: [], proposals: [{ name: 'A', kind: 'ca-nhan', reason: 'B' }] })).toBe(false);
    expect(isEmptyModelsReport(null)).toBe(false);
  });
});
