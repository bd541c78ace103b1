/**
 * The `chuky` command tree, built: every command declared, none run (cli/chuky.ts runs it). Building it loads
 * only commander and the commands' declarations.
 */
import { Command, Option } from 'commander';
import { LANGS, setLang, type Lang } from './language.js';
import { registerCycleCommands } from './commands/cycle.js';
import { registerRehearseCommand } from './commands/rehearse.js';
import { registerUnitCommands } from './commands/unit.js';
import { registerServeCommands } from './commands/serve.js';
import { registerDevCommand } from './commands/dev.js';
import { registerInspectionCommands } from './commands/inspection.js';
import { registerUnitsCommands } from './commands/units.js';
import { registerLinkCommands } from './commands/links.js';
import { registerRecordCommands } from './commands/records.js';
import { registerReportCommands } from './commands/report.js';
import { registerOpsCommands } from './commands/ops.js';
import { registerRepairCommands } from './commands/repair.js';
import { registerConsoleCommands } from './commands/console.js';
import { registerApiTokenCommands } from './commands/api-tokens.js';
import { registerStackCommand } from './commands/stack.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('chuky')
    .description('chuky (chu kỳ): the yearly study-and-review cycle of Party committees, on Temporal')
    .version('0.1.0')
    // Operators may read English (the default) or Vietnamese; JSON output is the same in both.
    .addOption(
      new Option('--lang <lang>', 'language of the text output (JSON is unchanged)').choices(LANGS).env('CHUKY_LANG').default('en'),
    )
    .hook('preAction', (cmd) => setLang(cmd.opts<{ lang: Lang }>().lang));

  registerDevCommand(program);
  registerStackCommand(program);
  registerCycleCommands(program);
  registerRehearseCommand(program);
  registerUnitCommands(program);
  registerServeCommands(program);
  registerInspectionCommands(program);
  registerUnitsCommands(program);
  registerLinkCommands(program);
  registerRecordCommands(program);
  registerReportCommands(program);
  registerOpsCommands(program);
  registerRepairCommands(program);
  registerConsoleCommands(program);
  registerApiTokenCommands(program);

  return program;
}
