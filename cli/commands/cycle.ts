/**
 * `chuky cycle …`: start a cycle from its definition file, see each unit's state, close it. The commands are declared
 * here; what they do is in cycle-run.ts, loaded when one runs, so that building the command tree stays cheap.
 */
import type { Command } from 'commander';
import { action } from '../action.js';
import type { StartCycleParams, StartCycleResult } from './cycle-start.js';
import { registerImportYearCommand } from './import-year.js';

export type { StartCycleParams, StartCycleResult } from './cycle-start.js';

const run = () => import('./cycle-run.js');

/**
 * Registers the cycle's definition and units in the database and starts its workflow (cycle-start.ts; idempotent).
 * Here too, loaded on call, for the programs and tests that start cycles through this module.
 */
export async function startCycle(params: StartCycleParams): Promise<StartCycleResult> {
  return (await import('./cycle-start.js')).startCycle(params);
}

export function registerCycleCommands(program: Command): void {
  const cycle = program.command('cycle').description("Launch and follow a committee's yearly cycle");
  registerImportYearCommand(cycle);

  cycle
    .command('start')
    .description('Register a cycle from its YAML definition and start its workflows (idempotent)')
    .requiredOption('-c, --config <file>', 'cycle definition (YAML); its unitsFile is read relative to it')
    .option('--seconds-per-day <n>', 'run on a compressed calendar (rehearsals, demos): one calendar day lasts n seconds', Number)
    .option('--json', 'print the result as JSON')
    .action(action(async (opts: { config: string; secondsPerDay?: number; json?: boolean }) => (await run()).runCycleStart(opts)));

  cycle
    .command('status')
    .description("Each unit's obligation state, deadline, escalation level and emails sent")
    .option('--cycle <id>', 'cycle id (e.g. DUK-HT-2027)')
    .option('-c, --config <file>', 'or: the cycle definition it was started from')
    .option('--json', 'print as JSON')
    .action(action(async (opts: { cycle?: string; config?: string; json?: boolean }) => (await run()).runCycleStatus(opts)));

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
    .action(action(async (opts: { json?: boolean }) => (await run()).runCycleList(opts)));

  cycle
    .command('export')
    .description("The year's data as the report compiler reads it (final once the cycle is frozen), as JSON")
    .requiredOption('--cycle <id>', 'cycle id')
    .option('--out <file>', 'write to a file instead of standard output')
    .action(action(async (opts: { cycle: string; out?: string }) => (await run()).runCycleExport(opts)));

  cycle
    .command('close')
    .description('Close a cycle before its natural end: open obligations keep their state')
    .requiredOption('--cycle <id>', 'cycle id')
    .requiredOption('--reason <text>', 'why it is closed')
    .option('--actor <name>', 'who closes it', 'operator')
    .option(
      '--despite-open-children',
      'close it although committees under it still run their child cycles (refused otherwise); the reason is recorded as the decision',
    )
    .option('--json', 'print as JSON')
    .action(
      action(async (opts: { cycle: string; reason: string; actor: string; despiteOpenChildren?: boolean; json?: boolean }) =>
        (await run()).runCycleClose(opts),
      ),
    );
}
