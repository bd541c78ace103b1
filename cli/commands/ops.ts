/**
 * `chuky overdue`, `chuky stalled`, `chuky doctor`: what an operator (or a monitoring probe) asks when something
 * seems wrong — which units are late, what is stuck and why, and whether every service chuky needs answers.
 * (`chuky cycle list` and the per-phase standing in `chuky cycle status` are in cycle.ts.)
 */
import { InvalidArgumentError, type Command } from 'commander';
import { loadEnv } from '../../config/env.js';
import { connectOps, temporalUiUrl } from '../../ops/connect.js';
import { runDoctor } from '../../ops/doctor.js';
import { listOverdue } from '../../ops/overview.js';
import { DEFAULT_MIN_ATTEMPTS, StallScanError, findStalls } from '../../ops/stalled.js';
import { DEFAULT_POLLER_GRACE_SECONDS } from '../../ops/pollers.js';
import { STALL_KINDS, type Stall, type StallKind } from '../../ops/types.js';
import { formatStalls } from '../../ops/format.js';
import { action, printJson, printTable } from '../output.js';
import { isVi, stallsVi, t } from '../lang.js';
import { withDb } from '../with-db.js';

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

/** The stalls for a terminal: 100 columns wide, causes wrapped under their row, each link on its own line. */
function printStalls(stalls: Stall[]): void {
  if (!stalls.length) {
    process.stdout.write('Nothing is stalled.\n');
    return;
  }
  process.stdout.write(`${stalls.length} stalled:\n${formatStalls(stalls).join('\n')}\n`);
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
    .action(
      action(async (opts: { cycle?: string; phase?: string; level?: number; json?: boolean }) => {
        const rows = await withDb((db, env) =>
          listOverdue(db, {
            ...(opts.cycle ? { cycleId: opts.cycle } : {}),
            ...(opts.phase ? { phase: opts.phase } : {}),
            ...(opts.level !== undefined ? { minLevel: opts.level } : {}),
            namespace: env.temporalNamespace,
            ...(temporalUiUrl(env) ? { temporalUiUrl: temporalUiUrl(env)! } : {}),
          }),
        );
        if (opts.json) printJson(rows);
        else if (!rows.length) process.stdout.write(`${t('No unit is overdue.')}\n`);
        else
          printTable(rows as unknown as Record<string, unknown>[], [
            'cycleId',
            'unitCode',
            'unitName',
            'phase',
            'status',
            'level',
            'deadline',
            'daysOverdue',
          ]);
      }),
    );

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
    .option('--json', 'print as JSON: { ok, stalls: [...], error? }')
    .addHelpText(
      'after',
      `\nExit code: 0 when nothing is stalled, ${EXIT_STALLED} when something is (for monitoring ` +
        `probes), 1 when the scan itself failed\n(a service down: what could be scanned is still ` +
        `printed).\n`,
    )
    .action(
      action(async (opts: { cycle?: string; minAttempts?: number; pollerGrace?: number; kind?: StallKind[]; json?: boolean }) => {
        const env = loadEnv();
        const ops = await connectOps(env);
        try {
          let stalls: Stall[];
          let error: string | undefined;
          try {
            stalls = await findStalls(ops.deps, {
              ...(opts.cycle ? { cycleId: opts.cycle } : {}),
              ...(opts.minAttempts !== undefined ? { minAttempts: opts.minAttempts } : {}),
              ...(opts.pollerGrace !== undefined ? { pollerGraceSeconds: opts.pollerGrace } : {}),
              ...(opts.kind?.length ? { kinds: opts.kind } : {}),
            });
          } catch (err) {
            if (!(err instanceof StallScanError)) throw err;
            stalls = err.stalls;
            error = err.message;
          }
          if (opts.json) printJson({ ok: !error && stalls.length === 0, stalls, ...(error ? { error } : {}) });
          else if (isVi()) process.stdout.write(stallsVi(stalls));
          else printStalls(stalls);
          if (error) {
            process.stderr.write(`Error: ${error}\n`);
            process.exitCode = 1;
          } else if (stalls.length) process.exitCode = EXIT_STALLED;
        } finally {
          await ops.close();
        }
      }),
    );

  program
    .command('doctor')
    .description('Check every service chuky needs: Temporal, PostgreSQL, migrations, SMTP, a worker on the task queue, search attributes')
    .option('--json', 'print as JSON: { ok, checks: [{ name, ok, detail, ms }] }')
    .addHelpText('after', '\nExit code: 0 when every check passes, 1 when one fails.\n')
    .action(
      action(async (opts: { json?: boolean }) => {
        const env = loadEnv();
        // Lazy: an unreachable Temporal is a failed check in the report, not a failure to start.
        const ops = await connectOps(env, { lazy: true });
        try {
          const checks = await runDoctor({
            ...ops.deps,
            databaseUrl: ops.addresses.databaseUrl,
            smtpUrl: ops.addresses.smtpUrl,
            temporalAddress: ops.addresses.temporalAddress,
          });
          const ok = checks.every((c) => c.ok);
          if (opts.json) printJson({ ok, checks });
          else {
            const width = Math.max(...checks.map((c) => c.name.length));
            for (const c of checks)
              process.stdout.write(`${c.ok ? 'ok  ' : 'FAIL'}  ${c.name.padEnd(width)}  ${String(c.ms).padStart(5)} ms  ${c.detail}\n`);
            process.stdout.write(ok ? 'Everything chuky needs is there.\n' : `${checks.filter((c) => !c.ok).length} check(s) failed.\n`);
          }
          if (!ok) process.exitCode = 1;
        } finally {
          await ops.close();
        }
      }),
    );
}
