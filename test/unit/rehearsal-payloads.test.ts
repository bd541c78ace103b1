/** The rehearsal's sample submissions parse with each phase's own schema, and mean what the behaviour says. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_TARGETS, phaseSpec } from '../../domain/phases/index.js';
import { UNIT_PHASE_IDS } from '../../rehearsal/behaviour.js';
import { describeIssues } from '../../domain/submissions.js';
import { reportedMembers, samplePayload, studiedAt } from '../../rehearsal/payloads.js';

const unit = (members: number) => ({ code: 'SO-TC', name: 'Đảng bộ Sở Tài chính', members, secretary: { name: 'Lê Văn Thành' } });

describe('sample payloads', () => {
  // The phases a rehearsal submits: the cycle's unit phases and the make-up session.
  for (const phase of UNIT_PHASE_IDS) {
    it(`${phase}: parses with its phase schema for every unit size`, () => {
      for (const members of [0, 1, 2, 7, 20, 49, 50, 99, 100, 319, 6300]) {
        for (const studyPercent of [100, 97, 90, 50, 0]) {
          const u = unit(members);
          const payload = samplePayload(phase, u, { date: '2027-03-15', studyPercent });
          const result = phaseSpec(phase).schema({ members: u.members }).safeParse(payload);
          expect(result.success ? '' : describeIssues(result.error), `${phase}, ${members} members, ${studyPercent}%`).toBe('');
        }
      }
    });
  }

  it('reports attendance as round(members × studyPercent / 100); under the target only when the behaviour says so', () => {
    const study = phaseSpec('study');
    const outcome = (members: number, percent: number) => {
      const payload = study.schema({ members }).parse(samplePayload('study', unit(members), { date: '2027-03-15', studyPercent: percent }));
      return { studied: (payload as { studied: number }).studied, under: study.outcome(payload, { members }, DEFAULT_TARGETS).underTarget };
    };
    expect(outcome(100, 100)).toEqual({ studied: 100, under: false });
    expect(outcome(100, 90)).toEqual({ studied: 90, under: true });
    expect(outcome(86, 98)).toEqual({ studied: 84, under: true }); // 84/86 = 97.7% < 98%
    expect(outcome(50, 98)).toEqual({ studied: 49, under: false }); // exactly 98%
    expect(studiedAt(3, 50)).toBe(2);
    expect(reportedMembers({ members: 0 })).toBe(1);
  });

  it('pledges: every member has a personal plan; the make-up brings everyone to the target', () => {
    const pledge = phaseSpec('pledge');
    const p = pledge.schema({ members: 86 }).parse(samplePayload('pledge', unit(86), { date: '2027-03-15' }));
    expect(pledge.outcome(p, { members: 86 }, DEFAULT_TARGETS).underTarget).toBe(false);
    expect(p).toMatchObject({ members: 86, withPersonalPlan: 86 });
    const makeup = phaseSpec('study-makeup');
    const m = makeup.schema({ members: 86 }).parse(samplePayload('study-makeup', unit(86), { date: '2027-05-10', studyPercent: 50 }));
    expect(m).toMatchObject({ makeupDate: '2027-05-10', studiedTotal: 86, members: 86 });
    expect(makeup.outcome(m, { members: 86 }, DEFAULT_TARGETS).underTarget).toBe(false);
  });

  it('year-end figures pass the cross-checks and the narrative is real Vietnamese text', () => {
    const spec = phaseSpec('year-end-report');
    for (const members of [1, 49, 50, 320]) {
      const payload = spec.schema({ members }).parse(samplePayload('year-end-report', unit(members), { date: '2027-11-27' })) as {
        figures: Record<string, number>;
        narrative: Record<string, string>;
      };
      const f = payload.figures;
      expect(f.keptPledge! + f.violatedPledge!).toBeLessThanOrEqual(f.withPersonalPlan!);
      expect(f.studied).toBe(members);
      expect(spec.outcome(payload, { members }, DEFAULT_TARGETS).underTarget).toBe(false);
      for (const key of ['results', 'limitations'] as const) {
        expect(payload.narrative[key]!.length).toBeGreaterThanOrEqual(20);
        expect(payload.narrative[key]).toBe(payload.narrative[key]!.normalize('NFC'));
        expect(payload.narrative[key]).toMatch(/[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/);
      }
    }
  });

  it('refuses a phase units do not submit', () => {
    expect(() => samplePayload('compile', unit(10), { date: '2027-12-01' })).toThrow(/no sample payload for phase "compile"/);
  });
});
