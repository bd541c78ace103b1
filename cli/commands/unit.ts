/**
 * `chuky unit …`: what an operator does for one unit — acknowledge on its behalf, extend, exempt, show its record.
 * The acts go through the repairs (ops/repairs.ts), so each is in the audit log with actor, reason and outcome.
 */
import type { Command } from 'commander';
import { action } from '../action.js';

// What the commands do is in unit-run.ts, loaded when one runs: building the command tree stays cheap.
const run = () => import('./unit-run.js');
type Run = Awaited<ReturnType<typeof run>>;

export function registerUnitCommands(program: Command): void {
  const unit = program.command('unit').description("Act on one unit's obligations (as an operator of Ban Tuyên giáo)");
  const common = (cmd: Command) =>
    cmd
      .requiredOption('--cycle <id>', 'cycle id (e.g. DUK-HT-2027)')
      .requiredOption('--unit <code>', 'unit code')
      .option('--actor <name>', 'who acts, for the record', process.env.USER ?? 'operator')
      .option('--request-id <id>', 'idempotency key; repeat it to retry the same request safely')
      .option('--json', 'print the result as JSON');

  common(unit.command('ack').description("Record the unit's acknowledgement of the plan (phase 'plan') on its behalf"))
    .requiredOption('--by <name>', 'the unit person who confirmed (họ tên, chức vụ)')
    .option('--plan-number <text>', "the unit's own implementation plan number")
    .option('--note <text>', 'note')
    .option('--reason <text>', 'why the operator records it (audit log); default: the confirmation by --by')
    .action(action(async (o: Parameters<Run['runUnitAck']>[0]) => (await run()).runUnitAck(o)));

  common(unit.command('extend').description("Move the unit's deadline for a phase; reminders and escalations move with it"))
    .requiredOption('--phase <id>', 'phase id, e.g. plan')
    .requiredOption('--until <date>', 'new deadline, YYYY-MM-DD')
    .requiredOption('--reason <text>', 'reason, for the record and the unit')
    .action(action(async (o: Parameters<Run['runUnitExtend']>[0]) => (await run()).runUnitExtend(o)));

  common(unit.command('exempt').description('Exempt the unit from a phase, with a reason'))
    .requiredOption('--phase <id>', 'phase id, e.g. plan')
    .requiredOption('--reason <text>', 'reason, for the record and the unit')
    .action(action(async (o: Parameters<Run['runUnitExempt']>[0]) => (await run()).runUnitExempt(o)));

  unit
    .command('show')
    .description("A unit's live state and its full record: every transition and email, with time, actor and reason")
    .requiredOption('--cycle <id>', 'cycle id')
    .requiredOption('--unit <code>', 'unit code')
    .option('--json', 'print as JSON')
    .action(action(async (o: { cycle: string; unit: string; json?: boolean }) => (await run()).runUnitShow(o)));
}
