/**
 * `chuky extend|exempt|remind|record|retry|reset|cancel`: an operator's repairs, one unit at a time or over a
 * filter of units (`--all --status overdue,not_submitted --min-level 2 --phase plan`, with `--dry-run` to see
 * who would be touched first). Every repair needs `--reason`, is done as `--actor` (default $USER) and is
 * written to the audit log with its outcome; `--request-id` makes repeating the command safe.
 */
import type { Command } from 'commander';
import type { RepairAction } from '../../ops/types.js';
import { action } from '../action.js';

// What the commands do is in repair-run.ts, loaded when one runs: building the command tree stays cheap.

export interface CommonOptions {
  cycle?: string;
  unit?: string;
  phase?: string;
  workflow?: string;
  all?: boolean;
  status?: string;
  minLevel?: string;
  units?: string;
  dryRun?: boolean;
  reason?: string;
  actor: string;
  requestId?: string;
  json?: boolean;
  until?: string;
  payload?: string;
  payloadFile?: string;
  note?: string;
  force?: boolean;
}

type Target = 'unit' | 'workflow';

export const SPECS: Record<RepairAction, { target: Target; description: string; bulk: boolean }> = {
  extend: { target: 'unit', bulk: true, description: "Move a unit's deadline for a phase (its reminders and escalations move with it)" },
  exempt: { target: 'unit', bulk: true, description: 'Exempt a unit from a phase: the obligation closes with the reason' },
  remind: {
    target: 'unit',
    bulk: true,
    description: 'Send the unit its reminder now (the overdue notice when past the deadline); sent once per request id',
  },
  record: { target: 'unit', bulk: false, description: "Enter a submission on the unit's behalf (e.g. received on paper), with a note" },
  retry: {
    target: 'workflow',
    bulk: true,
    description: "Retry a workflow's failing activity now (Temporal ResetActivity) instead of waiting for its next attempt",
  },
  reset: {
    target: 'workflow',
    bulk: true,
    description: 'Reset a workflow whose task keeps failing (e.g. after a bad deploy, once the fix is deployed) to its last good task',
  },
  cancel: { target: 'workflow', bulk: true, description: "Cancel a unit's or an inspection's workflow (a cycle's only with --force)" },
};

export function registerRepairCommands(program: Command): void {
  for (const [name, spec] of Object.entries(SPECS) as [RepairAction, (typeof SPECS)[RepairAction]][]) {
    const cmd = program.command(name).description(`${spec.description}. Needs --reason; written to the audit log.`);
    cmd.option('--cycle <id>', 'cycle id (e.g. DUK-HT-2027)').option('--unit <code>', 'one unit');
    if (spec.target === 'unit') cmd.option('--phase <id>', 'phase id, e.g. plan (with --all: also filters the units)');
    else
      cmd
        .option('--workflow <id>', 'the workflow (a unit, inspection or cycle workflow id); or --cycle with --unit for the unit workflow')
        .option('--phase <id>', 'with --all: only units with this phase matching --status/--min-level');
    if (spec.bulk) {
      cmd
        .option('--all', 'every unit of --cycle matching the filter below (one audit row per unit)')
        .option('--status <list>', 'with --all: obligation statuses, comma-separated (e.g. overdue,not_submitted)')
        .option('--min-level <n>', 'with --all: minimum escalation level (1, 2 or 3)')
        .option('--units <codes>', 'with --all: only these unit codes, comma-separated')
        .option('--dry-run', 'list the units that would be touched, and do nothing');
    }
    if (name === 'extend') cmd.option('--until <date>', 'the new deadline, YYYY-MM-DD');
    if (name === 'record') {
      cmd
        .option('--payload <json>', "the submission, as the phase's form sends it (JSON)")
        .option('--payload-file <file>', 'the submission from a JSON file')
        .option(
          '--note <text>',
          'a note kept with the submission (e.g. "nhận bản giấy ngày 12/3"): in the audit log, and in ' +
            'the submission where the form has a note',
        );
    }
    if (name === 'cancel') cmd.option('--force', "allow cancelling a cycle's workflow (it then never closes, freezes or reports)");
    cmd
      .option('--reason <text>', 'why (required): goes into the audit log and, for extend/exempt, to the unit')
      .option('--actor <name>', 'who acts, for the audit log', process.env.USER ?? 'operator')
      .option('--request-id <id>', 'idempotency key: repeating the command with it returns the first result and does nothing again')
      .option('--json', 'print the result as JSON')
      .action(action(async (o: CommonOptions) => (await import('./repair-run.js')).runCommand(name, spec, o)));
  }
}
