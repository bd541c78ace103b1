/** What `chuky extend|exempt|remind|record|retry|reset|cancel` do (repair.ts declares them and loads this when one runs). */
import fs from 'node:fs';
import { loadEnv } from '../../config/env.js';
import { migrate } from '../../db/migrate.js';
import { connectRuntime } from '../../workers/runtime.js';
import { resolveAddresses } from '../../workers/services.js';
import { bulkRepair, previewUnits, runRepair, type RepairPreviewUnit } from '../../ops/repairs.js';
import type { OpsDeps, RepairAction, RepairRequest, RepairResult, UnitFilter } from '../../ops/types.js';
import type { CommitteeApi } from '../committee-api.js';
import { committeeApi } from '../committee-mode.js';
import { printJson, printTable } from '../print.js';
import type { CommonOptions, SPECS } from './repair.js';

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

export async function runCommand(name: RepairAction, spec: (typeof SPECS)[RepairAction], o: CommonOptions): Promise<void> {
  try {
    const plan = planRequest(name, spec, o);
    // One target's dry run does nothing and needs nothing: said without connecting.
    if (o.dryRun && !plan.bulk) return printSingleDryRun(name, { ...plan.request, ...(o.unit ? { unitCode: o.unit } : {}) }, o);
    const api = committeeApi();
    if (api) return await throughApi(api, name, plan, o);
    await withOps(async (deps) => {
      if (plan.bulk) {
        if (o.dryRun) return printDryRun(name, plan.bulk, await previewUnits(deps.db, plan.bulk), o);
        const results = await bulkRepair(deps, plan.bulk, plan.request);
        printResults(results, o, true);
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

function printSingleDryRun(name: RepairAction, t: ReturnType<typeof planRequest>['request'], o: CommonOptions): void {
  const what = t.workflowId ?? `${t.cycleId}/${t.unitCode}${t.phase ? ` ${t.phase}` : ''}`;
  if (o.json) printJson({ dryRun: true, action: name, target: t });
  else process.stdout.write(`Would ${name}: ${what} (dry run: nothing done)\n`);
}

/**
 * As a committee's operator: the same request to the operator API (POST /repairs/:action), which refuses it
 * unless every cycle it names is the committee's, runs it through the same audited path, and answers what the
 * local command prints.
 */
async function throughApi(api: CommitteeApi, name: RepairAction, plan: ReturnType<typeof planRequest>, o: CommonOptions): Promise<void> {
  const { actor, action: _action, ...request } = plan.request;
  const body = {
    ...request,
    actor: actor.id,
    ...(plan.bulk ? { all: { ...plan.bulk, cycleId: undefined }, ...(o.dryRun ? { dryRun: true } : {}) } : {}),
  };
  if (plan.bulk && o.dryRun) {
    const preview = await api.send<{ units: RepairPreviewUnit[] }>('POST', `/repairs/${name}`, body);
    return printDryRun(name, plan.bulk, preview.units, o);
  }
  if (plan.bulk) return printResults((await api.send<{ results: RepairResult[] }>('POST', `/repairs/${name}`, body)).results, o, true);
  printResults([await api.send<RepairResult>('POST', `/repairs/${name}`, { ...body, ...(o.unit ? { unitCode: o.unit } : {}) })], o, false);
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

function printDryRun(name: RepairAction, filter: UnitFilter, units: RepairPreviewUnit[], o: CommonOptions): void {
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
