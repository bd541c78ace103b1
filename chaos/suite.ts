/**
 * The fault suite: the same year run once without faults and once with them, each on its own stack, then
 * compared. `npm run chaos` runs the full form (150 units, ten worker kills) and writes its figures into
 * docs/RELIABILITY.md; `test/integration/chaos.test.ts` runs a short form inside `npm test`.
 */
import os from 'node:os';
import { TEMPORAL_SERVER_VERSION } from '../stack/temporal-server-binaries.js';
import { compareRuns, type ChaosComparison } from './compare.js';
import { faultKinds, plannedFaults, plannedSubmissions, processCounts, type ChaosOptions } from './plan.js';
import { runYear, type YearOutcome } from './run-year.js';

/**
 * The full form's day is long against Temporal's recovery from a kill -9: a workflow task the dead worker held
 * waits out its 10 s timeout, a task on its sticky queue 10 s more, an activity its 10 s heartbeat timeout. At
 * 8 s per day, 150 units and ten kills stacked those into days, and the comparison counted steps moved across
 * days as differences though nothing was lost (docs/RELIABILITY.md). The short form keeps 8 s: its three kills
 * fall apart from the other faults.
 */
export const FULL: ChaosOptions = { code: 'CHAOS', units: 150, secondsPerDay: 20, workerKills: 10, seed: 20271 };
export const SHORT: ChaosOptions = { code: 'CHAOSQ', units: 30, secondsPerDay: 8, workerKills: 3, seed: 7 };
/**
 * The production shape (`--engine server`): the same years on the real Temporal server split into its services,
 * two workers and two APIs. The short form's day is 10 s: four Go services, PostgreSQL holding Temporal's store
 * too, and four chuky processes share the machine's cores with the year.
 */
export const FULL_SERVER: ChaosOptions = { ...FULL, code: 'CHAOSS', engine: 'server' };
export const SHORT_SERVER: ChaosOptions = { code: 'CHAOSSQ', units: 30, secondsPerDay: 10, workerKills: 4, seed: 7, engine: 'server' };

export interface SuiteResult {
  options: ChaosOptions;
  baseline: YearOutcome;
  faulty: YearOutcome;
  comparison: ChaosComparison;
  finishedAt: string;
}

export async function runSuite(options: ChaosOptions, dir: string, log: (m: string) => void): Promise<SuiteResult> {
  log(
    `fault suite (engine ${options.engine ?? 'dev'}): ${options.units} units, ${plannedSubmissions(options).length} ` +
      `submissions, ${plannedFaults(options).length} faults (seed ${options.seed}), one day ` +
      `= ${options.secondsPerDay} s`,
  );
  // One after the other: on a small machine two years side by side would time each other's faults.
  const baseline = await runYear({ ...options, faulty: false, dir: `${dir}/baseline`, log });
  const faulty = await runYear({ ...options, faulty: true, dir: `${dir}/faults`, log });
  return { options, baseline, faulty, comparison: compareRuns(baseline, faulty), finishedAt: new Date().toISOString() };
}

const n = (x: number) => x.toLocaleString('en-US');

/** The figures as Markdown: what was injected, what arrived, what was lost, how long recovery took. */
export function summaryMarkdown(r: SuiteResult, command: string): string {
  const c = r.comparison;
  const engine = r.options.engine ?? 'dev';
  const kinds = faultKinds(engine);
  const counts = processCounts(engine);
  const perProcess = (kind: 'worker' | 'api', n: number) =>
    n > 1
      ? ` — ${Array.from({ length: n }, (_, i) => `${kind}-${i + 1}`)
          .map((k) => `${k}: ${c.processes[k]?.starts ?? 0}`)
          .join(', ')}`
      : '';
  const lines = [
    `- run: ${r.finishedAt} · \`${command}\` · ${os.cpus().length} ` +
      `cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GB RAM, Node ${process.version}`,
    engine === 'server'
      ? `- stack: Temporal server ${TEMPORAL_SERVER_VERSION} split (frontend, history, matching, worker: a process each) on the embedded ` +
        `PostgreSQL that holds chuky's database too; ${counts.workers} \`chuky worker\` and ${counts.apis} \`chuky api\` ` +
        `processes, the APIs behind a round-robin proxy`
      : '- stack: Temporal CLI dev server (SQLite), one `chuky worker`, one `chuky api`, embedded PostgreSQL',
    `- year: ${r.options.units} units, plan and study phases with make-up, the whole ladder; one ` +
      `calendar day = ${r.options.secondsPerDay} s; seed ${r.options.seed}`,
    `- wall time: ${(r.baseline.wallMs / 1000).toFixed(0)} s without faults, ${(r.faulty.wallMs / 1000).toFixed(0)} s with them`,
    `- verdict: ${c.ok ? '**passed** — nothing lost, nothing sent twice, same statuses and figures' : `**failed** — ${c.problems.join('; ')}`}`,
    '',
    '| | without faults | with faults |',
    '|---|---|---|',
    `| faults injected | 0 | ${kinds.map((k) => `${c.faults.filter((f) => f.kind === k).length} ${k}`).join(', ')} |`,
    `| submissions sent / accepted | ${r.baseline.submissions.length} ` +
      `/ ${r.baseline.submissions.filter((s) => s.outcome === 'accepted').length} ` +
      `| ${c.submissions.planned} / ${c.submissions.accepted} (${c.submissions.retried} retried by ` +
      `the unit, ${c.submissions.refused} refused, ${c.submissions.gaveUp} unanswered) |`,
    `| accepted submissions lost | ${0} | ${c.submissions.lost.length} |`,
    `| slowest submission (first try to answer) | ${c.submissions.baselineMaxLatencyS} s | ${c.submissions.maxLatencyS} s |`,
    `| emails received by the SMTP server | ${n(c.emails.baseline)} | ${n(c.emails.faulty)} |`,
    `| the same Message-ID received twice | ${0} | ${c.emails.duplicateMessageIds} |`,
    `| emails missing / extra against the fault-free year | — | ${c.emails.missing.length} / ${c.emails.extra.length} |`,
    `| latest email (delay against the fault-free year) | — | ${c.emails.maxDelayS} s |`,
    `| final statuses differing (unit × phase) | — | ${c.statusDiffs.length} of ${Object.keys(r.baseline.statuses).length} |`,
    `| report figures differing | — | ${c.figureDiffs.length} of ${Object.keys(r.baseline.figures).length} |`,
    `| failed workflows | ${r.baseline.failedWorkflows.length} | ${c.failedWorkflows.length} |`,
    `| worker starts (exits on its own) | ${r.baseline.processes.worker?.starts ?? 0} ` +
      `(${r.baseline.processes.worker?.selfExits ?? 0}) | ${c.processes.worker?.starts ?? 0} ` +
      `(${c.processes.worker?.selfExits ?? 0})${perProcess('worker', counts.workers)} |`,
    `| API starts (exits on its own) | ${r.baseline.processes.api?.starts ?? 0} ` +
      `(${r.baseline.processes.api?.selfExits ?? 0}) | ${c.processes.api?.starts ?? 0} ` +
      `(${c.processes.api?.selfExits ?? 0})${perProcess('api', counts.apis)} |`,
    '',
    'Each fault, in order ("due" are the emails the fault-free run delivered while the service was ' +
      'down; "recovery" runs from the service\'s return until the last of them arrived):',
    '',
    '| # | fault | down | due meanwhile | recovery |',
    '|---|---|---|---|---|',
    ...c.faults.map(
      (f, i) =>
        `| ${i + 1} | ${f.kind}: ${f.detail} | ${f.downS} s | ${f.dueDuring} | ${f.recoveryS === null ? '—' : `${f.recoveryS} s`} |`,
    ),
  ];
  return lines.join('\n');
}
