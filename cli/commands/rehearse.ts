/**
 * `chuky cycle rehearse`: the whole year of a cycle file in a minute, on a stack of its own (embedded PostgreSQL,
 * an SMTP sink, Temporal's time-skipping test server), with the units behaving as a behaviour file says. Prints
 * every email with its calendar date and recipients, every unit action, and each obligation's final status.
 */
import { InvalidArgumentError, type Command } from 'commander';
import type { Runtime } from '@temporalio/worker';
import type { Timeline } from '../../rehearsal/run.js';
import { action } from '../action.js';
import type { printTable as PrintTable } from '../print.js';

/**
 * Quiets the Temporal SDK: its per-worker INFO lines, and the native core's log lines, which it otherwise prints
 * to standard output (where they would corrupt `--json`); forwarded, they go to standard error, errors only.
 */
async function quietTemporalLogs(): Promise<Runtime | undefined> {
  // The worker SDK is loaded by this command only.
  const { DefaultLogger, Runtime, makeTelemetryFilterString } = await import('@temporalio/worker');
  try {
    return Runtime.install({
      logger: new DefaultLogger('WARN'),
      telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR', other: 'ERROR' }), forward: {} } },
    });
  } catch {
    // A runtime already exists in this process (an embedding program installed its own); keep it.
    return undefined;
  }
}

const RESPONSE_KINDS = new Set(['receipt', 'extension', 'exemption']);

/**
 * A year that has not moved for this long has stalled (rehearsal/stall-watch.ts): the test server can wedge under
 * a large committee, and a clerk's command should then stop and say so, not wait for ever. The longest step of a
 * healthy 1,000-unit year, one skip of a week, took 5 min on 2 cores (bench/README.md); emails received count as
 * moving.
 */
export const DEFAULT_STALL_MINUTES = 10;

/** `--stall-minutes`: a whole number of minutes; 0 waits as long as it takes. */
export function stallMinutes(value: string): number {
  if (!/^\s*\d+\s*$/.test(value))
    throw new InvalidArgumentError(`--stall-minutes must be a whole number of minutes (0: no limit), got "${value}"`);
  return Number(value);
}

/** One chronological list: the day's scheduled messages, then the unit's action, then the system's answer. */
export function timelineRows(t: Timeline): Record<string, string>[] {
  const rows: Array<{ row: Record<string, string>; rank: number }> = [];
  for (const e of t.emails) {
    rows.push({
      rank: RESPONSE_KINDS.has(e.kind) ? 2 : 0,
      row: { date: e.date, unit: e.unit, phase: e.phase, what: `email ${e.kind}`, to: e.to.join(', ') },
    });
  }
  for (const a of t.actions) {
    let what: string = a.action;
    if (a.action === 'submit') what = `submit (${a.late ? 'late' : 'on time'}${a.underTarget ? ', under target' : ''})`;
    if (a.action === 'extend') what = `extend to ${a.newDeadline}`;
    if (a.result === 'refused') what += ` REFUSED: ${a.message ?? ''}`;
    rows.push({ rank: 1, row: { date: a.date, unit: a.unit, phase: a.phase, what, to: '' } });
  }
  const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  rows.sort((a, b) => cmp(a.row.date!, b.row.date!) || cmp(a.row.unit!, b.row.unit!) || a.rank - b.rank);
  return rows.map((r) => r.row);
}

function printTimeline(t: Timeline, printTable: typeof PrintTable): void {
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const phases = [...new Set(t.units.flatMap((u) => Object.keys(t.finalStatus[u.code] ?? {})))];
  const order = ['plan', 'study', 'study-makeup', 'pledge', 'models', 'inspection', 'year-end-report'];
  phases.sort((a, b) => (order.indexOf(a) === -1 ? 99 : order.indexOf(a)) - (order.indexOf(b) === -1 ? 99 : order.indexOf(b)));

  out(
    `Rehearsal of ${t.cycleId} (${t.timeZone}): ${t.units.length} units, ${t.actions.length} unit ` +
      `actions, ${t.summary.emailsSent} emails sent, SMTP sink received ${t.smtpMessages}\n`,
  );
  printTable(timelineRows(t), ['date', 'unit', 'phase', 'what', 'to']);
  out('\nFinal status');
  printTable(
    t.units.map((u) => ({ unit: u.code, ...Object.fromEntries(phases.map((p) => [p, t.finalStatus[u.code]?.[p] ?? ''])) })),
    ['unit', ...phases],
  );
  out(
    `\nObligations: ${Object.entries(t.summary.byStatus)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  out(
    `Emails: ${Object.entries(t.summary.emailsByKind)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}${t.summary.emailsNotSent ? `; not sent ${t.summary.emailsNotSent}` : ''}`,
  );
  out(`Escalations: ${[1, 2, 3].map((l) => `level ${l} ${t.escalations.filter((e) => e.level === l).length}`).join(', ')}`);
  out(`Ran in ${(t.summary.elapsedMs / 1000).toFixed(1)} s`);
  if (t.problems.length) {
    out(`\nProblems (${t.problems.length}):`);
    for (const p of t.problems) out(`  ${p}`);
  }
}

export function registerRehearseCommand(program: Command): void {
  const cycle = program.commands.find((c) => c.name() === 'cycle');
  if (!cycle) throw new Error('registerRehearseCommand: register the `cycle` command first');
  cycle
    .command('rehearse')
    .description('Rehearse a whole year on a stack of its own (time-skipping): every email, escalation and final status')
    .requiredOption('-c, --config <file>', 'cycle definition (YAML)')
    .option('-b, --behaviour <file>', 'how the units behave (YAML: default, mix, per-unit and per-phase overrides); default: all on time')
    .option('--concurrency <n>', 'unit actions in flight at once', Number, 20)
    .option('--json', 'print the timeline as JSON')
    .option('-q, --quiet', 'no progress lines on stderr')
    .option(
      '--stall-minutes <n>',
      'stop, saying where, when nothing has moved for this many minutes (0: wait as long as it takes)',
      stallMinutes,
      DEFAULT_STALL_MINUTES,
    )
    .action(
      action(
        async (opts: {
          config: string;
          behaviour?: string;
          concurrency: number;
          json?: boolean;
          quiet?: boolean;
          stallMinutes: number;
        }) => {
          // `… --json | head` closes stdout early; that is not an error.
          process.stdout.on('error', (err: NodeJS.ErrnoException) => {
            if (err.code !== 'EPIPE') throw err;
          });
          const runtime = await quietTemporalLogs();
          let timeline: Timeline;
          try {
            // Loaded by this command only: the rehearsal's stack (SMTP sink, test server) would weigh on every chuky process.
            const { runRehearsal } = await import('../../rehearsal/run.js');
            timeline = await runRehearsal({
              configFile: opts.config,
              ...(opts.behaviour ? { behaviourFile: opts.behaviour } : {}),
              concurrency: opts.concurrency,
              handleSignals: true,
              ...(opts.stallMinutes > 0 ? { stallAfterMs: opts.stallMinutes * 60_000 } : {}),
              ...(opts.quiet ? {} : { log: (m: string) => process.stderr.write(`[rehearse] ${m}\n`) }),
            });
          } finally {
            // The runtime shuts itself down when its last worker or connection closes; after an early failure
            // (a configuration error) nothing was opened, and its log forwarding would keep the process alive.
            await runtime?.shutdown();
          }
          const { printJson, printTable } = await import('../print.js');
          if (opts.json) printJson(timeline);
          else printTimeline(timeline, printTable);
          if (timeline.problems.length) process.exitCode = 1;
        },
      ),
    );
}
