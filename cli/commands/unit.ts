/**
 * `chuky unit …`: what an operator does for one unit — acknowledge on its behalf, extend, exempt, show its record.
 * The acts go through the repairs (ops/repairs.ts), so each is in the audit log with actor, reason and outcome.
 */
import type { Command } from 'commander';
import { unitEvents } from '../../db/records.js';
import { unitEmails } from '../../db/unit-emails.js';
import { unitView } from '../../client/unit-actions.js';
import { runRepair } from '../../ops/repairs.js';
import { unitTimeline } from '../../ops/timeline.js';
import type { RepairResult } from '../../ops/types.js';
import type { ObligationView, SubmissionReceipt } from '../../workflows/messages.js';
import { action, printJson } from '../output.js';
import { obligationLine, timelineLine } from '../lang.js';
import { withOps } from './repair.js';

/** The repair's data when it succeeded; its message as the command's error otherwise (exit code 1, as before). */
function succeeded(result: RepairResult): Record<string, unknown> {
  if (!result.ok) throw new Error(`${result.message}${result.auditId ? ` [audit #${result.auditId}]` : ''}`);
  return result.data ?? {};
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
    .option('--reason <text>', 'why the operator records it (audit log); default: the confirmation by --by')
    .action(
      action(
        async (o: {
          cycle: string;
          unit: string;
          actor: string;
          requestId?: string;
          json?: boolean;
          by: string;
          planNumber?: string;
          note?: string;
          reason?: string;
        }) => {
          // Through the 'record' repair, so the acknowledgement entered by an operator is in the audit log.
          const result = await withOps((deps) =>
            runRepair(deps, {
              action: 'record',
              cycleId: o.cycle,
              unitCode: o.unit,
              phase: 'plan',
              payload: { confirmedBy: o.by, ...(o.planNumber ? { unitPlanNumber: o.planNumber } : {}) },
              ...(o.note ? { note: o.note } : {}),
              reason: o.reason ?? `Ghi nhận thay đơn vị: ${o.by} xác nhận đã tiếp nhận kế hoạch`,
              actor: { id: o.actor, role: 'cli' },
              ...(o.requestId ? { requestId: o.requestId } : {}),
            }),
          );
          const receipt = succeeded(result).receipt as SubmissionReceipt;
          show(
            { ...receipt, auditId: result.auditId },
            o.json,
            `Recorded: ${o.unit} ${receipt.phase} version ${receipt.version}, ${receipt.status}${receipt.late ? ' (late)' : ''}`,
          );
        },
      ),
    );

  common(unit.command('extend').description("Move the unit's deadline for a phase; reminders and escalations move with it"))
    .requiredOption('--phase <id>', 'phase id, e.g. plan')
    .requiredOption('--until <date>', 'new deadline, YYYY-MM-DD')
    .requiredOption('--reason <text>', 'reason, for the record and the unit')
    .action(
      action(
        async (o: {
          cycle: string;
          unit: string;
          actor: string;
          requestId?: string;
          json?: boolean;
          phase: string;
          until: string;
          reason: string;
        }) => {
          const result = await withOps((deps) =>
            runRepair(deps, {
              action: 'extend',
              cycleId: o.cycle,
              unitCode: o.unit,
              phase: o.phase,
              until: o.until,
              reason: o.reason,
              actor: { id: o.actor, role: 'cli' },
              ...(o.requestId ? { requestId: o.requestId } : {}),
            }),
          );
          const view = succeeded(result).obligation as ObligationView;
          show({ ...view, auditId: result.auditId }, o.json, `Extended: ${o.unit} ${view.phase} now due ${view.deadline}`);
        },
      ),
    );

  common(unit.command('exempt').description('Exempt the unit from a phase, with a reason'))
    .requiredOption('--phase <id>', 'phase id, e.g. plan')
    .requiredOption('--reason <text>', 'reason, for the record and the unit')
    .action(
      action(
        async (o: { cycle: string; unit: string; actor: string; requestId?: string; json?: boolean; phase: string; reason: string }) => {
          const result = await withOps((deps) =>
            runRepair(deps, {
              action: 'exempt',
              cycleId: o.cycle,
              unitCode: o.unit,
              phase: o.phase,
              reason: o.reason,
              actor: { id: o.actor, role: 'cli' },
              ...(o.requestId ? { requestId: o.requestId } : {}),
            }),
          );
          const view = succeeded(result).obligation as ObligationView;
          show({ ...view, auditId: result.auditId }, o.json, `Exempted: ${o.unit} ${view.phase}`);
        },
      ),
    );

  unit
    .command('show')
    .description("A unit's live state and its full record: every transition and email, with time, actor and reason")
    .requiredOption('--cycle <id>', 'cycle id')
    .requiredOption('--unit <code>', 'unit code')
    .option('--json', 'print as JSON')
    .action(
      action(async (o: { cycle: string; unit: string; json?: boolean }) => {
        const result = await withOps(async (deps) => {
          const live = await unitView(deps.client, o.cycle, o.unit);
          const events = await unitEvents(deps.db, o.cycle, o.unit);
          const emails = await unitEmails(deps.db, o.cycle, o.unit);
          // Everything in one list, in time order, each with why: emails, submissions, transitions, repairs, inspections.
          const timeline = await unitTimeline(deps.db, o.cycle, o.unit);
          return { live, events, emails, timeline };
        });
        if (o.json) printJson(result);
        else {
          for (const ob of result.live?.obligations ?? []) {
            process.stdout.write(`${obligationLine(ob)}\n`);
          }
          if (result.live) process.stdout.write('\n');
          for (const t of result.timeline) process.stdout.write(`${timelineLine(t)}\n`);
        }
      }),
    );
}
