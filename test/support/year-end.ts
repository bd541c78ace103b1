/**
 * A grassroots unit's year-end report (phase 'year-end-report') as the tests of the Party tree send it: the figures
 * consistent with each other (kept and violated pledges add up to the personal plans), the members as given.
 */

/** Inspections or supervisions of organisations and of members. */
export const counts = (a: number, b: number, c: number, d: number) => ({
  inspectedOrgs: a,
  inspectedMembers: b,
  supervisedOrgs: c,
  supervisedMembers: d,
});
export const yearEnd = (members: number, studied: number, withPersonalPlan: number, limitations: string) => ({
  figures: {
    members,
    studied,
    withPersonalPlan,
    keptPledge: withPersonalPlan - 1,
    violatedPledge: 1,
    modelsBuilt: 2,
    discussionSessions: 3,
    commendedOrgs: 1,
    commendedMembers: 2,
    proposedOrgs: 0,
    proposedMembers: 1,
    contests: 1,
    contestParticipants: 25,
    charityVnd: 2_000_000,
    inspections: { committee: counts(1, 3, 1, 0), ubkt: counts(0, 1, 0, 0) },
    membersDisciplined: 0,
  },
  narrative: { results: 'Chi bộ tổ chức học tập chuyên đề năm đầy đủ, nghiêm túc.', limitations },
});
