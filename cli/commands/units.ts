/** `chuky units …`: the unit registry of a running cycle — import a changed list, list, remove one unit. */
import path from 'node:path';
import type { Command } from 'commander';
import type { ImportResult } from '../../registry/apply.js';
import type { Runtime } from '../../workers/runtime.js';
import { action } from '../action.js';
import { apiPath, type CommitteeApi } from '../committee-api.js';
import { committeeApi } from '../committee-mode.js';

/** The running parts' wiring (migrations first), for the commands that start or end units' workflows; loaded when one runs. */
async function withRuntime<T>(fn: (rt: Runtime, taskQueue: string) => Promise<T>): Promise<T> {
  const [{ loadEnv }, { migrate }, { connectRuntime }, { resolveAddresses }] = await Promise.all([
    import('../../config/env.js'),
    import('../../db/migrate.js'),
    import('../../workers/runtime.js'),
    import('../../workers/services.js'),
  ]);
  const env = loadEnv();
  const addresses = resolveAddresses(env);
  await migrate(addresses.databaseUrl);
  const runtime = await connectRuntime(env, addresses);
  try {
    return await fn(runtime, env.taskQueue);
  } finally {
    await runtime.close();
  }
}

/** What the commands need, loaded when one runs: building the command tree stays cheap. */
const load = async () => {
  const [units, cycles, diff, apply, print, withDb] = await Promise.all([
    import('../../db/units.js'),
    import('../../db/cycles.js'),
    import('../../registry/diff.js'),
    import('../../registry/apply.js'),
    import('../print.js'),
    import('../with-db.js'),
  ]);
  return { ...units, ...cycles, ...diff, ...apply, ...print, ...withDb };
};

function printImport(r: ImportResult, describeDiff: (r: ImportResult) => string[]): void {
  const counts =
    `${r.added.length} added, ${r.changed.length} changed, ${r.unchanged.length} ` + `unchanged, ${r.missing.length} not in the file`;
  process.stdout.write(`${r.dryRun ? 'Dry run (nothing changed)' : 'Imported'}: ${r.file} into ${r.cycleId}: ${counts}\n`);
  for (const line of describeDiff(r)) process.stdout.write(`  ${line}\n`);
  if (r.applied) {
    for (const s of r.applied.started) process.stdout.write(`  workflow ${s.workflow}: ${s.code}\n`);
    for (const m of r.applied.removed)
      process.stdout.write(`  removed: ${m.code}${m.workflow === 'not-running' ? ` (no running workflow: ${m.note ?? ''})` : ''}\n`);
  }
  if (r.missing.length > 0 && !(r.applied && r.applied.removed.length > 0)) {
    process.stdout.write('  Units not in the file stay in the cycle; to remove them add --remove-missing --reason "…".\n');
  }
}

/**
 * As a committee's operator: the file goes to the operator API (POST /cycles/:cycle/units/import), which checks
 * and applies it as here and names a bad row by file, line and field. The API reads CSV only.
 */
async function importThroughApi(
  api: CommitteeApi,
  o: { cycle: string; file: string; dryRun?: boolean; removeMissing?: boolean; reason?: string; actor: string },
): Promise<ImportResult> {
  if (!/\.csv$/i.test(o.file))
    throw new Error(
      `${o.file}: through the operator API a units list is sent as CSV: save it as "CSV UTF-8" (in Excel: File → Save As) and import that file`,
    );
  const { readFileSync } = await import('node:fs');
  let text: string;
  try {
    text = readFileSync(o.file, 'utf8');
  } catch (err) {
    throw new Error(`${o.file}: cannot read it: ${(err as Error).message}`, { cause: err });
  }
  return api.sendText<ImportResult>(apiPath('cycles', o.cycle, 'units', 'import'), text, 'text/csv; charset=utf-8', {
    file: path.basename(o.file),
    actor: o.actor,
    ...(o.dryRun ? { dryRun: '1' } : {}),
    ...(o.removeMissing && o.reason ? { removeMissing: '1', reason: o.reason } : {}),
  });
}

export function registerUnitsCommands(program: Command): void {
  const units = program.command('units').description('The units of a running cycle: import a changed list, list them, remove one');

  units
    .command('import')
    .description(
      'Compare a units file (Excel .xlsx or CSV) with the cycle and apply it: new units join (their ' +
        'year starts), changed details are updated',
    )
    .requiredOption('--cycle <id>', 'cycle id (e.g. DUK-HT-2027)')
    .requiredOption('--file <units.xlsx|units.csv>', 'units workbook or CSV (the same columns as for `cycle start`)')
    .option('--dry-run', 'only show what would change')
    .option('--remove-missing', 'remove the units that are not in the file (needs --reason)')
    .option('--reason <text>', 'why the missing units leave the cycle (giải thể, sáp nhập…)')
    .option('--actor <name>', 'who imports, for the record', process.env.USER ?? 'operator')
    .option('--json', 'print the result as JSON')
    .action(
      action(
        async (o: {
          cycle: string;
          file: string;
          dryRun?: boolean;
          removeMissing?: boolean;
          reason?: string;
          actor: string;
          json?: boolean;
        }) => {
          if (o.removeMissing && !o.reason) throw new Error('--remove-missing needs --reason "…" (why these units leave the cycle)');
          const actor = { id: `operator:${o.actor}`, via: 'cli' as const };
          const { describeDiff, importUnits, printJson } = await load();
          const api = committeeApi();
          const result = api
            ? await importThroughApi(api, o)
            : await withRuntime((rt, taskQueue) =>
                importUnits(
                  { db: rt.db, client: rt.client, taskQueue, searchAttributes: rt.activityDeps.searchAttributes },
                  {
                    cycleId: o.cycle,
                    file: path.resolve(o.file),
                    dryRun: Boolean(o.dryRun),
                    actor,
                    ...(o.removeMissing && o.reason ? { removeMissing: { reason: o.reason, actor } } : {}),
                  },
                ),
              );
          if (o.json) printJson(result);
          else printImport(result, describeDiff);
        },
      ),
    );

  units
    .command('list')
    .description('Every unit of the cycle, active or removed, with when it joined and left')
    .requiredOption('--cycle <id>', 'cycle id')
    .option('--json', 'print as JSON')
    .action(
      action(async (o: { cycle: string; json?: boolean }) => {
        const { getCycle, listRegisteredUnits, printJson, printTable, withDbToRead } = await load();
        // Reads only: no migration first.
        const api = committeeApi();
        const list = api
          ? (await api.get<{ units: Awaited<ReturnType<typeof listRegisteredUnits>> }>(apiPath('cycles', o.cycle, 'units'))).units
          : await withDbToRead(async (db) => {
              if (!(await getCycle(db, o.cycle))) throw new Error(`no cycle "${o.cycle}" in the database`);
              return listRegisteredUnits(db, o.cycle);
            });
        if (o.json) printJson({ cycleId: o.cycle, units: list });
        else {
          printTable(
            list.map((u) => ({
              ...u,
              status: u.active ? 'active' : `removed ${u.removedAt?.slice(0, 10) ?? ''}: ${u.removedReason ?? ''}`,
              addedAt: u.addedAt.slice(0, 10),
            })),
            ['code', 'name', 'members', 'secretaryEmail', 'contactEmail', 'addedAt', 'status'],
          );
        }
      }),
    );

  units
    .command('remove')
    .description("Remove one unit from a running cycle (dissolved, merged): its open obligations close as 'removed'")
    .requiredOption('--cycle <id>', 'cycle id')
    .requiredOption('--unit <code>', 'unit code')
    .requiredOption('--reason <text>', 'why the unit leaves the cycle, for the record')
    .option('--actor <name>', 'who removes it, for the record', process.env.USER ?? 'operator')
    .option('--request-id <id>', 'idempotency key; repeat it to retry the same request safely')
    .option('--json', 'print the result as JSON')
    .action(
      action(async (o: { cycle: string; unit: string; reason: string; actor: string; requestId?: string; json?: boolean }) => {
        const { printJson, removeUnits } = await load();
        const api = committeeApi();
        const [removed] = api
          ? [
              await api.send<Awaited<ReturnType<typeof removeUnits>>[number]>(
                'POST',
                apiPath('cycles', o.cycle, 'units', o.unit, 'remove'),
                { reason: o.reason, actor: o.actor, ...(o.requestId ? { requestId: o.requestId } : {}) },
              ),
            ]
          : await withRuntime((rt) =>
              removeUnits(
                { db: rt.db, client: rt.client },
                {
                  cycleId: o.cycle,
                  units: [o.unit],
                  reason: o.reason,
                  actor: { id: `operator:${o.actor}`, via: 'cli' },
                  ...(o.requestId ? { requestId: o.requestId } : {}),
                },
              ),
            );
        if (o.json) printJson({ cycleId: o.cycle, ...removed });
        else {
          process.stdout.write(
            removed!.workflow === 'removed'
              ? `Removed ${removed!.code} from ${o.cycle}: ${removed!.obligations?.map((ob) => `${ob.phase} ${ob.status}`).join(', ')}\n`
              : `Removed ${removed!.code} from ${o.cycle} (it had no running workflow: ${removed!.note ?? ''})\n`,
          );
        }
      }),
    );
}
