/** What `chuky cycle …` does (cycle.ts declares the commands and loads this when one runs). */
import fs from 'node:fs';
import { loadEnv } from '../../config/env.js';
import { getCycle } from '../../db/cycles.js';
import { frozenDataset } from '../../db/frozen.js';
import { bouncedEmails, cycleStatus } from '../../db/records.js';
import { cycleId as makeCycleId, cycleWorkflowId } from '../../domain/ids.js';
import { countWithPercent } from '../../ops/format.js';
import { listCycles, phaseSummaries } from '../../ops/overview.js';
import { temporalUiUrl } from '../../ops/temporal-ui.js';
import type { PhaseSummary } from '../../ops/types.js';
import { cycleHeadline, t } from '../lang.js';
import { printJson, printTable } from '../print.js';
import { withDbToRead } from '../with-db.js';

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
  loadEnv();
  // The cycle file's parser (YAML, zod) only when the cycle is named by its file.
  const id =
    opts.cycle ??
    (opts.config
      ? await import('../../config/cycle.js').then(({ loadCycleFile }) => {
          const def = loadCycleFile(opts.config!).definition;
          return makeCycleId(def.committee.code, def.year);
        })
      : undefined);
  if (!id) throw new Error('give --cycle ID or --config FILE');
  const { childProgress } = await import('../../ops/child-progress.js');
  const { stored, units, bounces, phases, children } = await withDbToRead(
    async (db) => {
      const stored = await getCycle(db, id);
      if (!stored) throw new Error(`no cycle "${id}" in the database; start it with \`chuky cycle start --config FILE\``);
      return {
        stored,
        units: await cycleStatus(db, id),
        bounces: await bouncedEmails(db, id),
        phases: await phaseSummaries(db, id),
        children: await childProgress(db, id),
      };
    },
    { allAddresses: true },
  );
  const summary = summarise(units);
  if (opts.json)
    printJson({
      cycleId: id,
      status: stored.status,
      ...(stored.parent ? { parent: stored.parent } : {}),
      summary,
      phases,
      ...(children.length ? { children } : {}),
      units,
      bounces,
    });
  else {
    process.stdout.write(`${cycleHeadline(id, stored.status, summary)}\n`);
    if (stored.parent) process.stdout.write(`${t('A child cycle of')} ${stored.parent.cycleId} (${t('unit')} ${stored.parent.unitCode})\n`);
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
}

export async function runCycleList(opts: { json?: boolean }): Promise<void> {
  // Only PostgreSQL is needed: the list answers even when Temporal is down.
  const cycles = await withDbToRead((db, env) => listCycles(db, temporalUiUrl(env), env.temporalNamespace));
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
}

export async function runCycleExport(opts: { cycle: string; out?: string }): Promise<void> {
  // The year's data is all in PostgreSQL.
  const data = await withDbToRead((db) => frozenDataset(db, opts.cycle), { allAddresses: true });
  if (!data) throw new Error(`no cycle "${opts.cycle}" in the database`);
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
  const [{ closeCycleSignal }, { withTemporalAndDb }, { childCycles }, { recordAudit }] = await Promise.all([
    import('../../workflows/messages.js'),
    import('../with-temporal.js'),
    import('../../db/cycle-tree.js'),
    import('../../ops/audit.js'),
  ]);
  await withTemporalAndDb(async ({ client, db }) => {
    // A superior's year closed while a committee under it still runs its own: the committee's report toward it
    // would never arrive. Refused, unless the closing is a decision, recorded as such.
    const open = (await childCycles(db, opts.cycle)).filter((c) => c.status !== 'closed');
    if (open.length && !opts.despiteOpenChildren)
      throw new Error(
        `cycle ${opts.cycle} has child cycles still open: ${open.map((c) => `${c.id} (unit ${c.unitCode}, ${c.status})`).join(', ')}; ` +
          `close them first, or close this one anyway with --despite-open-children (the reason is recorded as the decision)`,
      );
    if (open.length)
      await recordAudit(db, {
        actor: opts.actor,
        role: 'operator',
        action: 'close-cycle-despite-open-children',
        cycleId: opts.cycle,
        unitCode: null,
        phase: null,
        workflowId: cycleWorkflowId(opts.cycle),
        reason: opts.reason,
        details: { openChildren: open.map((c) => ({ cycleId: c.id, unitCode: c.unitCode, status: c.status })) },
        outcome: 'ok',
        message: null,
      });
    await client.workflow
      .getHandle(cycleWorkflowId(opts.cycle))
      .signal(closeCycleSignal, { reason: opts.reason, actor: `operator:${opts.actor}` });
    if (opts.json) printJson({ cycleId: opts.cycle, closing: true, ...(open.length ? { openChildren: open.map((c) => c.id) } : {}) });
    else
      process.stdout.write(
        `Closing cycle ${opts.cycle}${open.length ? ` (child cycles still open: ${open.map((c) => c.id).join(', ')}; recorded)` : ''}\n`,
      );
  });
}
