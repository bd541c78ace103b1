/**
 * `chuky extend|exempt|remind|record|retry|reset|cancel`: an operator's repairs, one unit at a time or over a
 * filter of units (`--all --status overdue,not_submitted --min-level 2 --phase plan`, with `--dry-run` to see
 * who would be touched first). Every repair needs `--reason`, is done as `--actor` (default $USER) and is
 * written to the audit log with its outcome; `--request-id` makes repeating the command safe.
 */
import fs from 'node:fs';
import type { Command } from 'commander';
import { loadEnv } from '../../config/env.js';
import { migrate } from '../../db/migrate.js';
import { unitsWithObligations } from '../../db/repair-preview.js';
import { connectRuntime } from '../../workers/runtime.js';
import { resolveAddresses } from '../../workers/services.js';
import { bulkRepair, matchUnits, runRepair } from '../../ops/repairs.js';
import type { OpsDeps, RepairAction, RepairRequest, RepairResult, UnitFilter } from '../../ops/types.js';
import { action, printJson, printTable } from '../output.js';

/** Connects to the services (migrating first: the audit log must exist) and builds the operations' deps. */
export async function withOps<T>(fn: (deps: OpsDeps) => Promise<T>): Promise<T> {
  const env = loadEnv();
  const addresses = resolveAddresses(env);
  await migrate(addresses.databaseUrl);
  const rt = await connectRuntime(env, addresses);
  try {
    return await fn({
      db: rt.db,
      client: rt.client,
      namespace: addresses.temporalNamespace,
      taskQueue: env.taskQueue,
      ...(addresses.temporalUiUrl ? { temporalUiUrl: addresses.temporalUiUrl } : {}),
      mail: rt.activityDeps,
    });
  } finally {
    await rt.close();
  }
}

/** A usage mistake: said plainly, exit code 2, nothing done. */
class UsageError extends Error {}

const list = (v: string | undefined): string[] | undefined =>
  v
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);

interface CommonOptions {
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

const SPECS: Record<RepairAction, { target: Target; description: string; bulk: boolean }> = {
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
      .action(action((o: CommonOptions) => runCommand(name, spec, o)));
  }
}

async function runCommand(name: RepairAction, spec: (typeof SPECS)[RepairAction], o: CommonOptions): Promise<void> {
  try {
    const plan = planRequest(name, spec, o);
    await withOps(async (deps) => {
      if (plan.bulk) {
        if (o.dryRun) return dryRun(deps, name, plan.bulk, o);
        const results = await bulkRepair(deps, plan.bulk, plan.request);
        printResults(results, o, true);
        return;
      }
      if (o.dryRun) {
        const t = plan.request;
        const what = t.workflowId ?? `${t.cycleId}/${t.unitCode}${t.phase ? ` ${t.phase}` : ''}`;
        if (o.json) printJson({ dryRun: true, action: name, target: t });
        else process.stdout.write(`Would ${name}: ${what} (dry run: nothing done)\n`);
        return;
      }
      printResults([await runRepair(deps, { ...plan.request, ...(o.unit ? { unitCode: o.unit } : {}) })], o, false);
    });
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exitCode = 2;
  }
}

/** Checks the options before connecting to anything; a mistake is a UsageError that says what to add. */
function planRequest(
  name: RepairAction,
  spec: (typeof SPECS)[RepairAction],
  o: CommonOptions,
): { request: Omit<RepairRequest, 'unitCode'> & { unitCode?: string }; bulk?: UnitFilter } {
  const usage = (m: string): never => {
    throw new UsageError(`chuky ${name}: ${m}. See \`chuky ${name} --help\`.`);
  };
  if (o.all) {
    if (!o.cycle) usage('--all needs --cycle');
    if (o.unit || o.workflow) usage('use either --all (with a filter) or --unit/--workflow, not both');
  } else {
    if (o.status || o.minLevel || o.units) usage('--status, --min-level and --units filter units for --all; add --all, or name one --unit');
    if (spec.target === 'unit' && (!o.cycle || !o.unit))
      usage(`name the unit with --cycle and --unit${spec.bulk ? ', or select units with --cycle --all and a filter' : ''}`);
    if (spec.target === 'workflow' && !o.workflow && !(o.cycle && o.unit))
      usage('name the workflow with --workflow ID, or a unit with --cycle and --unit, or units with --cycle --all and a filter');
  }
  if (spec.target === 'unit' && !o.phase) usage('--phase is required (e.g. --phase plan)');
  let minLevel: number | undefined;
  if (o.minLevel !== undefined) {
    minLevel = Number(o.minLevel);
    if (!Number.isInteger(minLevel) || minLevel < 0 || minLevel > 3) usage(`--min-level must be 0, 1, 2 or 3, not "${o.minLevel}"`);
  }
  if (!o.dryRun) {
    if (!o.reason?.trim()) usage('--reason is required: say why (it is written to the audit log with who and when); nothing was done');
    if (name === 'extend' && !o.until) usage('--until YYYY-MM-DD is required (the new deadline)');
  }
  let payload: unknown;
  if (name === 'record' && !o.dryRun) {
    if (!o.payload && !o.payloadFile)
      usage('--payload JSON or --payload-file FILE is required (what the unit submits, as its form would send it)');
    const text = o.payload ?? readFile(o.payloadFile!, usage);
    try {
      payload = JSON.parse(text);
    } catch (err) {
      usage(`the payload is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const request: Omit<RepairRequest, 'unitCode'> & { unitCode?: string } = {
    action: name,
    reason: o.reason ?? '',
    actor: { id: o.actor, role: 'cli' },
    ...(o.cycle ? { cycleId: o.cycle } : {}),
    ...(o.phase && spec.target === 'unit' ? { phase: o.phase } : {}),
    ...(o.workflow ? { workflowId: o.workflow } : {}),
    ...(o.until ? { until: o.until } : {}),
    ...(payload !== undefined ? { payload } : {}),
    ...(o.note ? { note: o.note } : {}),
    ...(o.force ? { force: true } : {}),
    ...(o.requestId ? { requestId: o.requestId } : {}),
  };
  if (!o.all) return { request };
  const filter: UnitFilter = {
    cycleId: o.cycle!,
    ...(o.phase ? { phase: o.phase } : {}),
    ...(list(o.status)?.length ? { status: list(o.status)! } : {}),
    ...(minLevel !== undefined ? { minLevel } : {}),
    ...(list(o.units)?.length ? { unitCodes: list(o.units)! } : {}),
  };
  return { request, bulk: filter };
}

function readFile(file: string, usage: (m: string) => never): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    return usage(`cannot read --payload-file ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function dryRun(deps: OpsDeps, name: RepairAction, filter: UnitFilter, o: CommonOptions): Promise<void> {
  const codes = await matchUnits(deps.db, filter);
  const rows = await unitsWithObligations(deps.db, filter.cycleId, codes, filter.phase);
  const units = codes.map((code) => {
    const own = rows.filter((r) => r.code === code);
    return {
      unitCode: code,
      unitName: own[0]?.name ?? '',
      obligations: own
        .filter((r) => r.phase)
        .map((r) => ({ phase: r.phase, status: r.status, level: r.escalationLevel, deadline: r.deadline })),
    };
  });
  if (o.json) {
    printJson({ dryRun: true, action: name, filter, count: units.length, units });
    return;
  }
  process.stdout.write(`Dry run: ${name} would touch ${units.length} unit(s) of ${filter.cycleId}; nothing was done.\n`);
  if (units.length) {
    printTable(
      units.flatMap((u) =>
        u.obligations.length
          ? u.obligations.map((ob) => ({
              unit: u.unitCode,
              name: u.unitName,
              phase: ob.phase,
              status: ob.status,
              level: ob.level,
              deadline: ob.deadline,
            }))
          : [{ unit: u.unitCode, name: u.unitName }],
      ),
      ['unit', 'name', 'phase', 'status', 'level', 'deadline'],
    );
  }
}

function describeTarget(r: RepairResult): string {
  const t = r.target;
  if (t.unitCode) return `${t.unitCode}${t.phase ? ` ${t.phase}` : ''}`;
  return t.workflowId ?? t.cycleId ?? '';
}

/** JSON: the result (one repair) or { results, ok, refused, failed } (bulk). Exit code 1 when any did not succeed. */
function printResults(results: RepairResult[], o: CommonOptions, bulk: boolean): void {
  const count = (outcome: string) => results.filter((r) => (r.outcome ?? (r.ok ? 'ok' : 'failed')) === outcome).length;
  if (o.json) {
    printJson(bulk ? { count: results.length, ok: count('ok'), refused: count('refused'), failed: count('failed'), results } : results[0]);
  } else {
    for (const r of results) {
      const label = r.ok ? 'ok' : (r.outcome ?? 'failed').toUpperCase();
      const line = `${label.padEnd(7)} ${r.action} ${describeTarget(r)}: ${r.message}${r.auditId ? `  [audit #${r.auditId}]` : ''}\n`;
      if (r.ok || bulk) process.stdout.write(line);
      else process.stderr.write(line);
    }
    if (bulk)
      process.stdout.write(`${results.length} unit(s): ${count('ok')} ok, ${count('refused')} refused, ${count('failed')} failed\n`);
  }
  if (results.some((r) => !r.ok)) process.exitCode = 1;
}
