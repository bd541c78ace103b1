/** What `chuky cycle …` does (cycle.ts declares the commands and loads this when one runs). */
import fs from 'node:fs';
import { loadEnv } from '../../config/env.js';
import { frozenDataset } from '../../db/frozen.js';
import { cycleId as makeCycleId } from '../../domain/ids.js';
import type { CloseCycleResult } from '../../ops/close-cycle.js';
import { countWithPercent } from '../../ops/format.js';
import type { CycleStatusView } from '../../ops/cycle-view.js';
import { listCycles } from '../../ops/overview.js';
import { temporalUiUrl } from '../../ops/temporal-ui.js';
import type { CycleSummary, PhaseSummary } from '../../ops/types.js';
import { apiPath } from '../committee-api.js';
import { committeeApi } from '../committee-mode.js';
import { cycleHeadline, t } from '../lang.js';
import { printJson, printTable } from '../print.js';
import { withDbToRead } from '../with-db.js';

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

export async function runCycleStart(opts: { config: string; secondsPerDay?: number; json?: boolean }): Promise<void> {
  // Starting workflows: the worker wiring, the workflows' client code and migrations are loaded by this command only.
  const [{ connectRuntime }, { resolveAddresses }, { migrate }, { startCycle }] = await Promise.all([
    import('../../workers/runtime.js'),
    import('../../workers/services.js'),
    import('../../db/migrate.js'),
    import('./cycle-start.js'),
  ]);
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
}

/** Only PostgreSQL: the state is read from the database, so it answers when Temporal is down too. */
export async function runCycleStatus(opts: { cycle?: string; config?: string; json?: boolean }): Promise<void> {
  const api = committeeApi();
  if (api) {
    const { cycle: _first, ...view } = await api.get<CycleStatusView & { cycle: string }>(
      apiPath('cycles', await cycleIdOf(opts), 'status'),
    );
    return printCycleStatus(view, opts.json);
  }
  loadEnv();
  const id = await cycleIdOf(opts);
  const { cycleStatusView } = await import('../../ops/cycle-view.js');
  const view = await withDbToRead(
    async (db) => {
      const v = await cycleStatusView(db, id);
      if (!v) throw new Error(`no cycle "${id}" in the database; start it with \`chuky cycle start --config FILE\``);
      return v;
    },
    { allAddresses: true },
  );
  printCycleStatus(view, opts.json);
}

/** The cycle's id from --cycle, or from the definition file it was started from (its parser loaded only then). */
export async function cycleIdOf(opts: { cycle?: string; config?: string }): Promise<string> {
  const id =
    opts.cycle ??
    (opts.config
      ? await import('../../config/cycle.js').then(({ loadCycleFile }) => {
          const def = loadCycleFile(opts.config!).definition;
          return makeCycleId(def.committee.code, def.year);
        })
      : undefined);
  if (!id) throw new Error('give --cycle ID or --config FILE');
  return id;
}

/** `cycle status` for scripts (--json) or people; the same from the database or from the operator API. */
export function printCycleStatus(view: CycleStatusView, json: boolean | undefined): void {
  if (json) return printJson(view);
  const { cycleId: id, status, parent, summary, phases, children = [], units, bounces } = view;
  process.stdout.write(`${cycleHeadline(id, status, summary)}\n`);
  if (parent) process.stdout.write(`${t('A child cycle of')} ${parent.cycleId} (${t('unit')} ${parent.unitCode})\n`);
  process.stdout.write('\n');
  // The standing of each phase first (how many on time, late, overdue…), then each unit.
  printTable(phaseRows(phases), PHASE_COLUMNS);
  process.stdout.write('\n');
  if (children.length) {
    // The committees under it that run their own cycles: their units' progress beside their own obligation here.
    process.stdout.write(`${t('Committees under it running their own cycles:')}\n`);
    printTable(
      children.flatMap((c) =>
        c.phases.map((p) => ({
          unitCode: c.unitCode,
          childCycle: c.cycleId,
          phase: p.phase,
          unitsDone: `${p.done}/${p.total} (${p.percentDone}%)`,
          ownStatus: p.towardParent?.status ?? '',
          ownDeadline: p.towardParent?.deadline ?? '',
        })),
      ),
      ['unitCode', 'childCycle', 'phase', 'unitsDone', 'ownStatus', 'ownDeadline'],
    );
    process.stdout.write('\n');
  }
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

export async function runCycleList(opts: { json?: boolean }): Promise<void> {
  const api = committeeApi();
  if (api) return printCycleList(await api.get<CycleSummary[]>('/cycles', { summary: '1' }), opts.json);
  // Only PostgreSQL is needed: the list answers even when Temporal is down.
  printCycleList(await withDbToRead((db, env) => listCycles(db, temporalUiUrl(env), env.temporalNamespace)), opts.json);
}

export function printCycleList(cycles: CycleSummary[], json: boolean | undefined): void {
  if (json) printJson(cycles);
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
}

export async function runCycleExport(opts: { cycle: string; out?: string }): Promise<void> {
  const api = committeeApi();
  if (api) return writeExport(opts, await api.get<{ frozenAt: string | null }>(apiPath('cycles', opts.cycle, 'export')));
  // The year's data is all in PostgreSQL.
  const data = await withDbToRead((db) => frozenDataset(db, opts.cycle), { allAddresses: true });
  if (!data) throw new Error(`no cycle "${opts.cycle}" in the database`);
  writeExport(opts, data);
}

export function writeExport(opts: { cycle: string; out?: string }, data: { frozenAt?: string | null }): void {
  if (!data.frozenAt) process.stderr.write(`Note: cycle ${opts.cycle} is not frozen yet; this is its data so far.\n`);
  const text = `${JSON.stringify(data, null, 2)}\n`;
  if (opts.out) fs.writeFileSync(opts.out, text);
  else process.stdout.write(text);
}

export async function runCycleClose(opts: {
  cycle: string;
  reason: string;
  actor: string;
  despiteOpenChildren?: boolean;
  json?: boolean;
}): Promise<void> {
  const api = committeeApi();
  if (api) {
    const body = { reason: opts.reason, actor: opts.actor, ...(opts.despiteOpenChildren ? { despiteOpenChildren: true } : {}) };
    return printCycleClose(await api.send<CloseCycleResult>('POST', apiPath('cycles', opts.cycle, 'close'), body), opts.json);
  }
  const [{ closeCycle }, { withTemporalAndDb }] = await Promise.all([import('../../ops/close-cycle.js'), import('../with-temporal.js')]);
  const result = await withTemporalAndDb((deps) =>
    closeCycle(deps, {
      cycleId: opts.cycle,
      reason: opts.reason,
      actor: opts.actor,
      role: 'operator',
      ...(opts.despiteOpenChildren ? { despiteOpenChildren: true } : {}),
    }),
  );
  printCycleClose(result, opts.json);
}

export function printCycleClose(result: CloseCycleResult, json: boolean | undefined): void {
  if (json) printJson(result);
  else {
    const open = result.openChildren ?? [];
    process.stdout.write(
      `Closing cycle ${result.cycleId}${open.length ? ` (child cycles still open: ${open.join(', ')}; recorded)` : ''}\n`,
    );
  }
}
