/**
 * The fault suite's short form (`npm run chaos` is the full one): a 30-unit year on a compressed calendar, run
 * once without faults and once with three worker kills (kill -9), a Temporal dev server restart, an SMTP
 * outage (refused connections, then 451 answers) and a PostgreSQL restart, each on its own real stack, with the
 * real `chuky worker` and `chuky api` programs and units submitting through HTTP throughout.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../config/paths.js';
import { runSuite, SHORT, summaryMarkdown, type SuiteResult } from '../../chaos/suite.js';
import { plannedFaults } from '../../chaos/plan.js';

describe('the fault suite, short form', () => {
  let result: SuiteResult;

  it('runs the same year with and without faults', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chuky-chaos-'));
    result = await runSuite(SHORT, dir, (m) => process.env.CHUKY_TEST_VERBOSE && console.log(m));
    const artifacts = path.join(projectRoot(), 'test', 'artifacts', 'chaos');
    fs.mkdirSync(artifacts, { recursive: true });
    fs.writeFileSync(path.join(artifacts, 'summary.md'), `${summaryMarkdown(result, 'npx vitest run test/integration/chaos.test.ts')}\n`);
    fs.writeFileSync(path.join(artifacts, 'comparison.json'), JSON.stringify(result.comparison, null, 1));
    fs.rmSync(dir, { recursive: true, force: true });
    // Every planned fault was injected, and the services came back.
    expect(result.faulty.faults.map((f) => f.kind).sort()).toEqual(
      plannedFaults(SHORT)
        .map((f) => f.kind)
        .sort(),
    );
    expect(result.baseline.faults).toEqual([]);
  }, 1_200_000);

  it('loses no accepted submission and answers every one', () => {
    const c = result.comparison;
    expect(c.submissions.lost).toEqual([]);
    expect(c.submissions.accepted).toBe(c.submissions.planned);
    expect(result.faulty.storedKeys.length).toBe(result.baseline.storedKeys.length);
  });

  it('sends no email twice and delivers every email of the fault-free year', () => {
    const c = result.comparison;
    expect(c.emails.duplicateMessageIds).toBe(0);
    expect(c.emails.duplicateKeys).toBe(0);
    expect(c.emails.missing).toEqual([]);
    expect(c.emails.extra).toEqual([]);
    // The SMTP outage fell on due reminders: they arrived after it, once.
    const smtp = c.faults.find((f) => f.kind === 'smtp-outage')!;
    expect(smtp.dueDuring).toBeGreaterThan(0);
    expect(smtp.recoveryS).not.toBeNull();
  });

  it('ends the year with the same statuses and the same report figures', () => {
    const c = result.comparison;
    expect(c.statusDiffs).toEqual([]);
    expect(c.figureDiffs).toEqual([]);
    expect(Object.keys(result.baseline.figures).length).toBeGreaterThan(5);
    expect(c.failedWorkflows).toEqual([]);
    expect(c.problems).toEqual([]);
  });
});
