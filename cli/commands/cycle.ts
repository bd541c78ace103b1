/** `chuky cycle …`: start a cycle from its definition file, see each unit's state, close it. */
import fs from 'node:fs';
import type { Command } from 'commander';
import { frozenDataset } from '../../db/frozen.js';
import type { Client } from '@temporalio/client';
import { startCycleWorkflow } from '../../client/starts.js';
import { loadCycleFile, loadCycleFileAsync } from '../../config/cycle.js';
import { loadEnv } from '../../config/env.js';
import { registerCycle, getCycle } from '../../db/cycles.js';
import { bouncedEmails, cycleStatus } from '../../db/records.js';
import { migrate } from '../../db/migrate.js';
import { cycleId as makeCycleId, cycleWorkflowId } from '../../domain/ids.js';
import { localTimeToInstant } from '../../domain/calendar.js';
import { REAL_CLOCK, type ClockMap } from '../../domain/clock.js';
import type { Db } from '../../db/pool.js';
import { closeCycleSignal } from '../../workflows/messages.js';
import { connectRuntime } from '../../workers/runtime.js';
import { resolveAddresses } from '../../workers/services.js';
import { action, printJson, printTable } from '../output.js';
import { cycleHeadline, t } from '../lang.js';
import { withDb } from '../with-db.js';
import { listCycles, phaseSummaries } from '../../ops/overview.js';
import { temporalUiUrl } from '../../ops/connect.js';
import { countWithPercent } from '../../ops/format.js';
import type { PhaseSummary } from '../../ops/types.js';
import { registerImportYearCommand } from './import-year.js';

export interface StartCycleResult {
  cycleId: string;
  workflowId: string;
  units: number;
  registered: boolean;
  started: boolean;
  clock: ClockMap;
}

/**
 * Registers the cycle's definition and units in the database and starts its workflow. Both steps are
 * idempotent: a second start finds the running cycle and only refreshes unit details.
 */
export async function startCycle(params: {
  db: Db;
  client: Client;
  taskQueue: string;
  configFile: string;
  secondsPerDay?: number;
  now?: number;
}): Promise<StartCycleResult> {
  const loaded = await loadCycleFileAsync(params.configFile);
  const def = loaded.definition;
  const id = makeCycleId(def.committee.code, def.year);
  const clock: ClockMap = params.secondsPerDay
    ? {
        kind: 'compressed',
        // Day one of the compressed calendar is the earliest day a phase opens; it starts a few seconds from now.
        calendarOrigin: localTimeToInstant(def.phases.map((p) => p.opensOn).sort()[0]!, 0, def.timezone),
        realOrigin: (params.now ?? Date.now()) + 2_000,
        secondsPerDay: params.secondsPerDay,
      }
    : REAL_CLOCK;
  const { created } = await registerCycle(params.db, { id, definition: def, units: loaded.units, clock, sourceFile: loaded.sourceFile });
  const workflowId = cycleWorkflowId(id);
  const { started } = await startCycleWorkflow(params.client, { taskQueue: params.taskQueue, workflowId, input: { cycleId: id } });
  const stored = await getCycle(params.db, id);
  return { cycleId: id, workflowId, units: loaded.units.length, registered: created, started, clock: stored?.clock ?? clock };
}

export function summarise(rows: { status: string; escalationLevel: number }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of rows) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
}

/** The per-phase standing as rows for printTable: counts with their Vietnamese-formatted percentages. */
export function phaseRows(phases: PhaseSummary[]): Record<string, string>[] {
  return phases.map((p) => ({
    phase: p.phase,
    total: String(p.total),
    'on time': countWithPercent(p.counts.onTime, p.percent.onTime),
    late: countWithPercent(p.counts.late, p.percent.late),
    overdue: countWithPercent(p.counts.overdue, p.percent.overdue),
    'not submitted': countWithPercent(p.counts.notSubmitted, p.percent.notSubmitted),
    exempted: countWithPercent(p.counts.exempted, p.percent.exempted),
    pending: countWithPercent(p.counts.pending, p.percent.pending),
    removed: countWithPercent(p.counts.removed, p.percent.removed),
  }));
}

export const PHASE_COLUMNS = ['phase', 'total', 'on time', 'late', 'overdue', 'not submitted', 'exempted', 'pending', 'removed'];

export const NO_UI_LINK = "No link to Temporal's Web UI: its address is unknown (set TEMPORAL_UI_URL, or start `chuky dev`).";

export function registerCycleCommands(program: Command): void {
  const cycle = program.command('cycle').description("Launch and follow a committee's yearly cycle");
  registerImportYearCommand(cycle);

  cycle
    .command('start')
    .description('Register a cycle from its YAML definition and start its workflows (idempotent)')
    .requiredOption('-c, --config <file>', 'cycle definition (YAML); its unitsFile is read relative to it')
    .option('--seconds-per-day <n>', 'run on a compressed calendar (rehearsals, demos): one calendar day lasts n seconds', Number)
    .option('--json', 'print the result as JSON')
    .action(
      action(async (opts: { config: string; secondsPerDay?: number; json?: boolean }) => {
        const env = loadEnv();
        const addresses = resolveAddresses(env);
        await migrate(addresses.databaseUrl);
        const runtime = await connectRuntime(env, addresses);
        try {
          const result = await startCycle({
            db: runtime.db,
            client: runtime.client,
            taskQueue: env.taskQueue,
            configFile: opts.config,
            ...(opts.secondsPerDay ? { secondsPerDay: opts.secondsPerDay } : {}),
          });
          if (opts.json) printJson(result);
          else {
            process.stdout.write(
              `${result.started ? 'Started' : 'Already running:'} cycle ${result.cycleId} (${result.units} ` +
                `units), workflow ${result.workflowId}\n`,
            );
          }
        } finally {
          await runtime.close();
        }
      }),
    );

  cycle
    .command('status')
    .description("Each unit's obligation state, deadline, escalation level and emails sent")
    .option('--cycle <id>', 'cycle id (e.g. DUK-HT-2027)')
    .option('-c, --config <file>', 'or: the cycle definition it was started from')
    .option('--json', 'print as JSON')
    .action(
      action(async (opts: { cycle?: string; config?: string; json?: boolean }) => {
        const env = loadEnv();
        const id =
          opts.cycle ??
          (opts.config
            ? (() => {
                const def = loadCycleFile(opts.config).definition;
                return makeCycleId(def.committee.code, def.year);
              })()
            : undefined);
        if (!id) throw new Error('give --cycle ID or --config FILE');
        const runtime = await connectRuntime(env, resolveAddresses(env));
        try {
          const stored = await getCycle(runtime.db, id);
          if (!stored) throw new Error(`no cycle "${id}" in the database; start it with \`chuky cycle start --config FILE\``);
          const units = await cycleStatus(runtime.db, id);
          const summary = summarise(units);
          const bounces = await bouncedEmails(runtime.db, id);
          const phases = await phaseSummaries(runtime.db, id);
          if (opts.json) printJson({ cycleId: id, status: stored.status, summary, phases, units, bounces });
          else {
            process.stdout.write(`${cycleHeadline(id, stored.status, summary)}\n\n`);
            // The standing of each phase first (how many on time, late, overdue…), then each unit.
            printTable(phaseRows(phases), PHASE_COLUMNS);
            process.stdout.write('\n');
            printTable(units as unknown as Record<string, unknown>[], [
              'unitCode',
              'unitName',
              'phase',
              'deadline',
              'status',
              'escalationLevel',
              'emailsSent',
              'versions',
            ]);
            if (bounces.length) {
              process.stdout.write(`\n${t("Undeliverable emails (correct the unit's address with `chuky units import`):")}\n`);
              printTable(
                bounces.map((b) => ({ ...b, to: b.to.join(', ') })),
                ['unitCode', 'phase', 'kind', 'to', 'error'],
              );
            }
          }
        } finally {
          await runtime.close();
        }
      }),
    );

  cycle
    .command('list')
    .description(
      'Every cycle in the database, newest first: status, units, obligations overdue now, frozen or ' +
        "not, and its workflow's page in Temporal's Web UI",
    )
    .option('--json', "print as JSON (an array of cycles; temporalUrl when the Web UI's address is known)")
    .addHelpText(
      'after',
      "\nThe Web UI's address is TEMPORAL_UI_URL, else the one a running (or crashed) `chuky dev` wrote to .data/services.json.\n",
    )
    .action(
      action(async (opts: { json?: boolean }) => {
        // Only PostgreSQL is needed: the list answers even when Temporal is down.
        const cycles = await withDb((db, env) => listCycles(db, temporalUiUrl(env), env.temporalNamespace));
        if (opts.json) printJson(cycles);
        else if (!cycles.length) process.stdout.write(`${t('No cycles yet; start one with `chuky cycle start --config FILE`')}\n`);
        else {
          printTable(
            cycles.map((c) => ({
              ...c,
              frozenAt: c.frozenAt ?? '',
              createdAt: c.createdAt.slice(0, 10),
              imported: c.imported ? `${c.imported.at.slice(0, 10)} ${c.imported.by ?? ''}`.trim() : '',
            })),
            ['cycleId', 'committeeCode', 'year', 'status', 'units', 'overdue', 'frozenAt', 'createdAt', 'imported'],
          );
          // Each link on a line of its own: a link is long, and a terminal makes it clickable only whole.
          if (cycles.some((c) => c.temporalUrl)) {
            process.stdout.write(`\n${t("In Temporal's Web UI:")}\n`);
            const width = Math.max(...cycles.map((c) => c.cycleId.length));
            for (const c of cycles) if (c.temporalUrl) process.stdout.write(`  ${c.cycleId.padEnd(width)}  ${c.temporalUrl}\n`);
          } else process.stdout.write(`\n${t(NO_UI_LINK)}\n`);
        }
      }),
    );

  cycle
    .command('export')
    .description("The year's data as the report compiler reads it (final once the cycle is frozen), as JSON")
    .requiredOption('--cycle <id>', 'cycle id')
    .option('--out <file>', 'write to a file instead of standard output')
    .action(
      action(async (opts: { cycle: string; out?: string }) => {
        const env = loadEnv();
        const runtime = await connectRuntime(env, resolveAddresses(env));
        try {
          const data = await frozenDataset(runtime.db, opts.cycle);
          if (!data) throw new Error(`no cycle "${opts.cycle}" in the database`);
          if (!data.frozenAt) process.stderr.write(`Note: cycle ${opts.cycle} is not frozen yet; this is its data so far.\n`);
          const text = `${JSON.stringify(data, null, 2)}\n`;
          if (opts.out) fs.writeFileSync(opts.out, text);
          else process.stdout.write(text);
        } finally {
          await runtime.close();
        }
      }),
    );

  cycle
    .command('close')
    .description('Close a cycle before its natural end: open obligations keep their state')
    .requiredOption('--cycle <id>', 'cycle id')
    .requiredOption('--reason <text>', 'why it is closed')
    .option('--actor <name>', 'who closes it', 'operator')
    .option('--json', 'print as JSON')
    .action(
      action(async (opts: { cycle: string; reason: string; actor: string; json?: boolean }) => {
        const env = loadEnv();
        const runtime = await connectRuntime(env, resolveAddresses(env));
        try {
          await runtime.client.workflow
            .getHandle(cycleWorkflowId(opts.cycle))
            .signal(closeCycleSignal, { reason: opts.reason, actor: `operator:${opts.actor}` });
          if (opts.json) printJson({ cycleId: opts.cycle, closing: true });
          else process.stdout.write(`Closing cycle ${opts.cycle}\n`);
        } finally {
          await runtime.close();
        }
      }),
    );
}
