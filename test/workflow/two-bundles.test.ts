/**
 * A year started on the code before a change finishes on the code after it, with the same emails, statuses and
 * figures as a year that ran on one version (issue 14: "running years keep running").
 *
 * The code before is the release before issue 14's refactor (RELEASE_BEFORE_ISSUE_14, tag release-2026-12-05):
 * its workflow bundle is built from that commit's sources (test/support/release-bundle.ts). A small committee's
 * year, with the full-year test's calendar and behaviours of every kind, runs on a worker with that bundle until
 * the plan phase has had its reminders, its submissions and its overdue notices; that worker stops, and a worker
 * with today's bundle takes the running workflows over on the same task queue and finishes the year. The same
 * year runs on today's bundle alone. Both years must send the same emails (each once), end every obligation in
 * the same status, and freeze the same data, so that the report's figures are the same.
 *
 * When today's code cannot replay what the release recorded, the switch fails with the nondeterminism error and
 * the workflow that raised it: that is a change that breaks the years in progress at its deploy.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Worker, type WorkflowBundle } from '@temporalio/worker';
import { writeFixture } from '../support/fixtures.js';
import { RELEASE_BEFORE_ISSUE_14, releaseWorkflowBundle, resolveCommit } from '../support/release-bundle.js';
import { runYearOnBundles, type StageEnd, type YearResult } from '../support/year-on-bundles.js';
import { bundleVariant } from '../support/patch-variants/bundle.js';
import { workflowBundle } from '../../workers/worker.js';
import { createPool, type Db } from '../../db/pool.js';
import { createMailer, type Mailer } from '../../mail/transport.js';
import { fetchInbox } from '../../stack/smtp-sink.js';
import { localTimeToInstant } from '../../domain/calendar.js';
import type { FrozenDataset } from '../../db/frozen.js';

const TZ = 'Asia/Ho_Chi_Minh';
// The full-year test's calendar (test/workflow/full-year.test.ts): every phase, deadlines rolling past weekends
// and holidays, a study make-up.
const HOLIDAYS = ['2027-01-01', '2027-04-16', '2027-04-30', '2027-05-01', '2027-09-02', '2027-09-03'];
const PHASES = [
  { id: 'plan', opensOn: '2027-01-11', deadline: '2027-02-15' },
  { id: 'study', opensOn: '2027-02-01', deadline: '2027-04-30', makeupDays: 14 },
  { id: 'pledge', opensOn: '2027-02-01', deadline: '2027-03-31' },
  { id: 'models', opensOn: '2027-03-01', deadline: '2027-11-30' },
  { id: 'inspection', opensOn: '2027-07-01', deadline: '2027-10-31' },
  { id: 'year-end-report', opensOn: '2027-11-01', deadline: '2027-11-30' },
  { id: 'compile', opensOn: '2027-12-01', deadline: '2027-12-15' },
];
/**
 * The deploy: Saturday 20 February, noon. The plan's deadline (15 February) has passed: its reminders, its on-time
 * reports and its overdue notices are behind, while the late plan reports, level 2 (22 February), an extended
 * deadline's reminders and every later phase are ahead, in workflows that are waiting on timers.
 */
const SWITCH_AT = localTimeToInstant('2027-02-20', 12, TZ);
const BEHAVIOUR_YAML = `default: on-time
units:
  U001: { behaviour: late, lateDays: 10 }                                   # plan report after the deploy, after level 2
  U002: { behaviour: never }                                                # every ladder to its end
  U003: { phases: { study: { studyPercent: 90 } } }                         # under the study target: a make-up
  U004: { behaviour: extended }                                             # plan extended before the deploy, reported after it
  U005: { behaviour: exempted }
  U006: { phases: { plan: { behaviour: late, lateDays: 20 }, study: { behaviour: late, studyPercent: 95 } } }
  U007: { onTimeDaysBefore: 10 }                                            # before any reminder
`;
const UNITS = 8;

function yearFiles(code: string) {
  const fx = writeFixture({
    code,
    issuedOn: '2027-01-11',
    deadline: '2027-02-15',
    units: UNITS,
    phases: PHASES,
    rollForward: true,
    holidays: HOLIDAYS,
    closesOn: '2027-12-31',
  });
  const behaviourFile = path.join(path.dirname(fx.file), 'behaviour.yaml');
  fs.writeFileSync(behaviourFile, BEHAVIOUR_YAML);
  return { fx, configFile: fx.file, behaviourFile };
}

/** The year's frozen data without what names the run (cycle id, ids, wall-clock instants). */
function comparable(data: FrozenDataset) {
  return {
    units: data.units.map((u) => ({
      code: u.code,
      name: u.name,
      kind: u.kind,
      members: u.members,
      active: u.active,
      phases: Object.fromEntries(
        Object.entries(u.phases)
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([phase, p]) => [
            phase,
            {
              status: p.status,
              escalationLevel: p.escalationLevel,
              deadline: p.deadline,
              submission: p.submission && { version: p.submission.version, late: p.submission.late, payload: p.submission.payload },
            },
          ]),
      ),
    })),
    committeeRecords: data.committeeRecords.length,
    inspections: data.inspections.length,
  };
}

const byPurpose = (r: YearResult) =>
  Object.fromEntries(r.emails.map((e) => [e.purpose, `${e.date} ${e.unit} ${e.phase} ${e.kind} ${e.status}`]));

type Histories = {
  workflowId: string;
  history: Awaited<ReturnType<ReturnType<StageEnd['client']['workflow']['getHandle']>['fetchHistory']>>;
}[];

const fetchHistories = (client: StageEnd['client'], ids: readonly string[]): Promise<Histories> =>
  Promise.all(ids.map(async (workflowId) => ({ workflowId, history: await client.workflow.getHandle(workflowId).fetchHistory() })));

/** Replays the histories on `bundle`; the failures, each with its workflow. */
async function replayAll(histories: Histories, bundle: WorkflowBundle, name: string): Promise<string[]> {
  const failures: string[] = [];
  for await (const r of Worker.runReplayHistories({ workflowBundle: bundle, replayName: name }, histories)) {
    if (r.error) failures.push(`${r.workflowId}: ${r.error.message}`);
  }
  return failures;
}

describe('the release the year starts on', () => {
  it('is in this clone, tagged; a commit the clone lacks is refused with how to fetch it', () => {
    expect(resolveCommit(RELEASE_BEFORE_ISSUE_14.commit)).toMatch(new RegExp(`^${RELEASE_BEFORE_ISSUE_14.commit}[0-9a-f]{33}$`));
    // The tag is a convenience (tags are not pushed with every clone): when present it names the same commit.
    const tagged = (() => {
      try {
        return resolveCommit(RELEASE_BEFORE_ISSUE_14.tag);
      } catch {
        return undefined;
      }
    })();
    if (tagged !== undefined) expect(tagged).toBe(resolveCommit(RELEASE_BEFORE_ISSUE_14.commit));
    expect(() => resolveCommit('0000000000000000000000000000000000000001')).toThrow(/git fetch/);
  });
});

describe(`a year started on ${RELEASE_BEFORE_ISSUE_14.tag} (${RELEASE_BEFORE_ISSUE_14.commit}) finishes on today's code as a year run on one version`, () => {
  const services = inject('services');
  let db: Db;
  let mailer: Mailer;
  let today: WorkflowBundle;
  let switched: YearResult;
  let single: YearResult;
  let atSwitch: (Omit<StageEnd, 'client' | 'stage' | 'next'> & { histories: Histories; replayFailures: string[] }) | undefined;
  const domains = { switched: '', single: '' };

  beforeAll(async () => {
    const started = Date.now();
    db = createPool(services.databaseUrl, 20);
    mailer = createMailer(services.smtpUrl);
    let release: WorkflowBundle;
    // Fails here, saying how to fetch it, when the clone has no history back to the release.
    [release, today] = await Promise.all([releaseWorkflowBundle(RELEASE_BEFORE_ISSUE_14.commit), workflowBundle()]);
    const log = process.env.CHUKY_TEST_VERBOSE ? (m: string) => console.log(`[two-bundles] ${m}`) : undefined;
    const a = yearFiles('TWOBUNDLES');
    const b = yearFiles('ONEBUNDLE');
    domains.switched = a.fx.domain;
    domains.single = b.fx.domain;
    // The two years on test servers of their own, at the same time: the machine's cores, not the calendar, bound them.
    [switched, single] = await Promise.all([
      runYearOnBundles({
        configFile: a.configFile,
        behaviourFile: a.behaviourFile,
        db,
        mailer,
        taskQueue: 'two-bundles-switched',
        stages: [
          { name: RELEASE_BEFORE_ISSUE_14.tag, bundle: release, until: SWITCH_AT },
          { name: 'today', bundle: today },
        ],
        onStageEnd: async (end) => {
          // Before today's worker polls: today's code replays every history the release's worker left, or says where not.
          const histories = await fetchHistories(end.client, end.workflowIds);
          const replayFailures = await replayAll(histories, end.next.bundle, 'two-bundles-at-switch');
          atSwitch = {
            cycleId: end.cycleId,
            workflowIds: end.workflowIds,
            emails: end.emails,
            submissions: end.submissions,
            histories,
            replayFailures,
          };
          if (replayFailures.length) {
            throw new Error(
              `today's workflow code cannot replay the histories ${RELEASE_BEFORE_ISSUE_14.tag} recorded until ${new Date(SWITCH_AT).toISOString()}:\n${replayFailures.join('\n')}`,
            );
          }
        },
        ...(log ? { log } : {}),
      }),
      runYearOnBundles({
        configFile: b.configFile,
        behaviourFile: b.behaviourFile,
        db,
        mailer,
        taskQueue: 'two-bundles-single',
        stages: [{ name: 'today', bundle: today }],
        ...(log ? { log } : {}),
      }),
    ]);
    console.log(
      `two bundles: ${switched.emails.length} and ${single.emails.length} emails, ${switched.actions} actions each, in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  }, 600_000);

  afterAll(async () => {
    await Promise.allSettled([switched?.teardown(), single?.teardown()]);
    mailer?.close();
    await db?.end();
  });

  it("switches mid-year: the release had sent the plan's reminders and overdue notices and stored its reports, with work left for today's code", () => {
    expect(atSwitch, 'the first stage ended').toBeDefined();
    const kinds = (phase: string) => new Set(atSwitch!.emails.filter((e) => e.phase === phase).map((e) => e.kind));
    expect([...kinds('plan')]).toEqual(expect.arrayContaining(['notice', 'reminder', 'receipt', 'overdue', 'extension', 'exemption']));
    // The on-time plan reports (U003, U007, U008); still ahead: the late and the extended ones, every other phase's.
    expect(atSwitch!.submissions).toEqual(['U003/plan', 'U007/plan', 'U008/plan']);
    expect(atSwitch!.emails.some((e) => e.kind === 'escalation2')).toBe(false);
    expect(atSwitch!.replayFailures).toEqual([]);
  });

  it('finishes both years with every action accepted and every workflow completed', () => {
    expect(switched.problems).toEqual([]);
    expect(single.problems).toEqual([]);
  });

  it('sends the same emails, each exactly once, on the same days', () => {
    const purposes = switched.emails.map((e) => e.purpose);
    expect(new Set(purposes).size).toBe(purposes.length);
    expect(byPurpose(switched)).toEqual(byPurpose(single));
    // Every kind a year sends, and after the switch as before it.
    expect(new Set(switched.emails.map((e) => e.kind))).toEqual(
      new Set(['notice', 'reminder', 'receipt', 'overdue', 'escalation2', 'escalation3', 'extension', 'exemption']),
    );
    expect(switched.emails.filter((e) => e.status !== 'sent')).toEqual([]);
    expect(switched.emails.filter((e) => !atSwitch!.emails.some((b) => b.key === e.key)).length).toBeGreaterThan(
      switched.emails.length / 2,
    );
  });

  it('delivers each of them over SMTP exactly once, and nothing else to those committees', async () => {
    const inbox = await fetchInbox(services.inboxUrl);
    const bare = (id: string) => id.replace(/^<|>$/g, '');
    for (const [name, year] of [
      ['switched', switched],
      ['single', single],
    ] as const) {
      const domain = domains[name];
      const mine = inbox.filter((m) => [...m.envelopeTo, ...m.to].some((a) => a.endsWith(`@${domain}`)));
      const counts = new Map<string, number>();
      for (const m of mine) counts.set(bare(m.messageId), (counts.get(bare(m.messageId)) ?? 0) + 1);
      expect([...counts.keys()].sort(), name).toEqual(year.emails.map((e) => bare(e.messageId)).sort());
      expect(
        [...counts].filter(([, n]) => n !== 1),
        `${name}: messages received more than once`,
      ).toEqual([]);
    }
  });

  it('ends every obligation of every unit in the same status', () => {
    expect(Object.keys(switched.statuses)).toHaveLength(UNITS);
    expect(switched.statuses).toEqual(single.statuses);
    const all = new Set(Object.values(switched.statuses).flatMap((p) => Object.values(p)));
    expect([...all].sort()).toEqual(['exempted', 'late', 'not_submitted', 'submitted']);
    expect(switched.statuses['U003']?.['study-makeup']).toBe('submitted');
  });

  it('freezes the same year: the same data and the same report figures', () => {
    expect(switched.frozen.frozenAt).not.toBeNull();
    expect(comparable(switched.frozen)).toEqual(comparable(single.frozen));
    expect(switched.figures).toEqual(single.figures);
    expect(switched.figures['units.counted']).toBe(UNITS);
    expect(Object.values(switched.figures).filter((v) => v > 0).length).toBeGreaterThan(3);
  });

  it("replays the switched year's whole histories, the release's part and today's, on today's code", async () => {
    expect(await replayAll(await fetchHistories(switched.client, switched.workflowIds), today, 'two-bundles-after')).toEqual([]);
  });

  it("would stop at the switch had today's code rolled back a patch the release recorded: the units that had reported", async () => {
    // The same check at the switch, on today's code with patched('accept-submission-local-activity') false (a
    // submission stored by an activity, as before that patch): the three units whose plan reports the release
    // stored behind that patch cannot be replayed, the others (no report yet) can.
    const rolledBack = await bundleVariant('before-accept-submission-local-activity');
    const failures = await replayAll(atSwitch!.histories, rolledBack, 'two-bundles-rolled-back');
    expect(failures.map((f) => f.slice(0, f.indexOf(':'))).sort()).toEqual(
      ['U003', 'U007', 'U008'].map((u) => `chuky/unit/${atSwitch!.cycleId}/${u}`),
    );
    for (const f of failures) expect(f).toMatch(/Nondeterminism|accept-submission-local-activity/);
  }, 180_000);
});
