/**
 * `chuky overdue`, `chuky stalled`, `chuky doctor`: what an operator (or a monitoring probe) asks when something
 * seems wrong — which units are late, what is stuck and why, and whether every service chuky needs answers.
 * (`chuky cycle list` and the per-phase standing in `chuky cycle status` are in cycle.ts.)
 */
import { InvalidArgumentError, type Command } from 'commander';
import { STALL_KINDS, type StallKind } from '../../ops/types.js';
import { action } from '../action.js';
import { POLLER_GRACE_SECONDS as DEFAULT_POLLER_GRACE_SECONDS, STALL_MIN_ATTEMPTS as DEFAULT_MIN_ATTEMPTS } from '../help-defaults.js';

// What the commands do is in ops-run.ts, loaded when one runs: building the command tree stays cheap.
const run = () => import('./ops-run.js');

/** Exit code of `chuky stalled` when something is stalled (0: nothing; 1: the scan itself failed). */
export const EXIT_STALLED = 3;

function integer(name: string, min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < min)
      throw new InvalidArgumentError(`${name} must be a whole number ≥ ${min}, got "${value}"`);
    return n;
  };
}

/** --kind may be repeated or given as a comma list; each must be a known kind. */
function collectKinds(value: string, previous: StallKind[] = []): StallKind[] {
  const kinds = value
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  for (const k of kinds) {
    if (!(STALL_KINDS as readonly string[]).includes(k))
      throw new InvalidArgumentError(`unknown stall kind "${k}"; the kinds are: ${STALL_KINDS.join(', ')}`);
  }
  return [...previous, ...(kinds as StallKind[])];
}

export function registerOpsCommands(program: Command): void {
  program
    .command('overdue')
    .description('Units past a deadline (overdue, or recorded as not submitted), with escalation level and days overdue')
    .option('--cycle <id>', 'only this cycle (default: every cycle not closed)')
    .option('--phase <phase>', 'only this phase (plan, study, study-makeup, pledge, models, inspection, year-end-report)')
    .option(
      '--level <n>',
      'only units at this escalation level or higher (1 overdue notice, 2 leaders told, 3 not submitted)',
      integer('--level', 0),
    )
    .option('--json', 'print as JSON (an array)')
    .addHelpText('after', "\nDays overdue are counted on the cycle's own calendar (compressed cycles run faster than real time).\n")
    .action(action(async (opts: { cycle?: string; phase?: string; level?: number; json?: boolean }) => (await run()).runOverdue(opts)));

  program
    .command('stalled')
    .description(
      'What is stuck, and why: activities retrying, workflow tasks failing, units overdue, remedies overdue, phases blocked, no worker',
    )
    .option('--cycle <id>', 'only this cycle (a missing worker is reported whatever the cycle)')
    .option('--min-attempts <n>', `an activity counts from this attempt on (default ${DEFAULT_MIN_ATTEMPTS})`, integer('--min-attempts', 1))
    .option(
      '--poller-grace <seconds>',
      `a worker counts as missing after this long without a poll (default ${DEFAULT_POLLER_GRACE_SECONDS}; an idle poll lasts up to 60 s)`,
      integer('--poller-grace', 1),
    )
    .option('--kind <kind>', `only these kinds (repeat, or comma-separate): ${STALL_KINDS.join(', ')}`, collectKinds)
    .option(
      '--deep',
      'describe every running workflow for retrying activities and failing tasks, not only those the workers noted and Temporal flags (seconds per thousands of workflows)',
    )
    .option('--json', 'print as JSON: { ok, stalls: [...], error? }')
    .addHelpText(
      'after',
      `\nExit code: 0 when nothing is stalled, ${EXIT_STALLED} when something is (for monitoring ` +
        `probes), 1 when the scan itself failed\n(a service down: what could be scanned is still ` +
        `printed).\n`,
    )
    .action(
      action(
        async (opts: { cycle?: string; minAttempts?: number; pollerGrace?: number; kind?: StallKind[]; deep?: boolean; json?: boolean }) =>
          (await run()).runStalled(opts),
      ),
    );

  program
    .command('doctor')
    .description('Check every service chuky needs: Temporal, PostgreSQL, migrations, SMTP, a worker on the task queue, search attributes')
    .option(
      '--poller-grace <seconds>',
      `the worker check fails after this long without a poll (default ${DEFAULT_POLLER_GRACE_SECONDS}, as for \`stalled\`)`,
      integer('--poller-grace', 1),
    )
    .option('--json', 'print as JSON: { ok, checks: [{ name, ok, detail, ms }] }')
    .addHelpText('after', '\nExit code: 0 when every check passes, 1 when one fails.\n')
    .action(action(async (opts: { json?: boolean; pollerGrace?: number }) => (await run()).runDoctorCommand(opts)));
}
