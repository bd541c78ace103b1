/** `chuky unit …`: what an operator does for one unit — acknowledge on its behalf, extend, exempt, inspect. */
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { loadEnv } from '../../config/env.js';
import { unitEvents } from '../../db/records.js';
import { acknowledgePlan, exempt, extendDeadline, unitView } from '../../api/actions.js';
import { connectRuntime, type Runtime } from '../../workers/runtime.js';
import { resolveAddresses } from '../../workers/services.js';
import { action, printJson } from '../output.js';

async function withRuntime<T>(fn: (rt: Runtime) => Promise<T>): Promise<T> {
  const env = loadEnv();
  const runtime = await connectRuntime(env, resolveAddresses(env));
  try {
    return await fn(runtime);
  } finally {
    await runtime.close();
  }
}

function show(result: unknown, json: boolean | undefined, text: string): void {
  if (json) printJson(result);
  else process.stdout.write(`${text}\n`);
}

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
    .action(
      action(async (o: { cycle: string; unit: string; actor: string; requestId?: string; json?: boolean; by: string; planNumber?: string; note?: string }) => {
        const receipt = await withRuntime((rt) =>
          acknowledgePlan(rt.client, o.cycle, o.unit, {
            phase: 'plan',
            actor: { id: `operator:${o.actor}`, via: 'cli' },
            confirmedBy: o.by,
            ...(o.planNumber ? { unitPlanNumber: o.planNumber } : {}),
            ...(o.note ? { note: o.note } : {}),
            requestId: o.requestId ?? randomUUID(),
          }),
        );
        show(receipt, o.json, `Recorded: ${o.unit} ${receipt.phase} version ${receipt.version}, ${receipt.status}${receipt.late ? ' (late)' : ''}`);
      }),
    );

  common(unit.command('extend').description("Move the unit's deadline for a phase; reminders and escalations move with it"))
    .requiredOption('--phase <id>', 'phase id, e.g. plan')
    .requiredOption('--until <date>', 'new deadline, YYYY-MM-DD')
    .requiredOption('--reason <text>', 'reason, for the record and the unit')
    .action(
      action(async (o: { cycle: string; unit: string; actor: string; requestId?: string; json?: boolean; phase: string; until: string; reason: string }) => {
        const view = await withRuntime((rt) =>
          extendDeadline(rt.client, o.cycle, o.unit, { phase: o.phase, newDeadline: o.until, reason: o.reason, actor: { id: `operator:${o.actor}`, via: 'cli' }, requestId: o.requestId ?? randomUUID() }),
        );
        show(view, o.json, `Extended: ${o.unit} ${view.phase} now due ${view.deadline}`);
      }),
    );

  common(unit.command('exempt').description('Exempt the unit from a phase, with a reason'))
    .requiredOption('--phase <id>', 'phase id, e.g. plan')
    .requiredOption('--reason <text>', 'reason, for the record and the unit')
    .action(
      action(async (o: { cycle: string; unit: string; actor: string; requestId?: string; json?: boolean; phase: string; reason: string }) => {
        const view = await withRuntime((rt) =>
          exempt(rt.client, o.cycle, o.unit, { phase: o.phase, reason: o.reason, actor: { id: `operator:${o.actor}`, via: 'cli' }, requestId: o.requestId ?? randomUUID() }),
        );
        show(view, o.json, `Exempted: ${o.unit} ${view.phase}`);
      }),
    );

  unit
    .command('show')
    .description("A unit's live state and its full record: every transition and email, with time, actor and reason")
    .requiredOption('--cycle <id>', 'cycle id')
    .requiredOption('--unit <code>', 'unit code')
    .option('--json', 'print as JSON')
    .action(
      action(async (o: { cycle: string; unit: string; json?: boolean }) => {
        const result = await withRuntime(async (rt) => {
          const live = await unitView(rt.client, o.cycle, o.unit);
          const events = await unitEvents(rt.db, o.cycle, o.unit);
          const { rows: emails } = await rt.db.query(
            'SELECT kind, status, to_addrs, cc_addrs, subject, message_id, attempts, last_error, sent_at, calendar_at FROM emails WHERE cycle_id = $1 AND unit_code = $2 ORDER BY id',
            [o.cycle, o.unit],
          );
          return { live, events, emails };
        });
        if (o.json) printJson(result);
        else {
          for (const e of result.events as Array<Record<string, unknown>>) {
            process.stdout.write(`${new Date(e.calendar_at as string).toISOString()}  ${e.phase}  ${e.kind}  ${e.status}  level ${e.escalation_level}  by ${e.actor}${e.reason ? `  — ${e.reason}` : ''}\n`);
          }
          process.stdout.write('\n');
          for (const m of result.emails) process.stdout.write(`${m.status.padEnd(8)} ${m.kind.padEnd(12)} ${m.to_addrs.join(', ')}  ${m.subject}\n`);
        }
      }),
    );
}
