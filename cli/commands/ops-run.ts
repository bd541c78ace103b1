/** What `chuky overdue`, `chuky stalled` and `chuky doctor` do (ops.ts declares them and loads this when one runs). */
import { loadEnv } from '../../config/env.js';
import { formatStalls } from '../../ops/format.js';
import { listOverdue } from '../../ops/overview.js';
import { temporalUiUrl } from '../../ops/temporal-ui.js';
import type { OverdueRow, Stall, StallKind } from '../../ops/types.js';
import { committeeApi } from '../committee-mode.js';
import { isVi, stallsVi, t } from '../lang.js';
import { printJson, printTable } from '../print.js';
import { withDbToRead } from '../with-db.js';
import { EXIT_STALLED } from './ops.js';

/** The stalls for a terminal: 100 columns wide, causes wrapped under their row, each link on its own line. */
function printStalls(stalls: Stall[]): void {
  if (!stalls.length) {
    process.stdout.write('Nothing is stalled.\n');
    return;
  }
  process.stdout.write(`${stalls.length} stalled:\n${formatStalls(stalls).join('\n')}\n`);
}

/** Only PostgreSQL: the overdue obligations are in the database. */
export async function runOverdue(opts: { cycle?: string; phase?: string; level?: number; json?: boolean }): Promise<void> {
  const api = committeeApi();
  if (api)
    return printOverdue(await api.get<OverdueRow[]>('/overdue', { cycle: opts.cycle, phase: opts.phase, level: opts.level }), opts.json);
  const rows = await withDbToRead((db, env) =>
    listOverdue(db, {
      ...(opts.cycle ? { cycleId: opts.cycle } : {}),
      ...(opts.phase ? { phase: opts.phase } : {}),
      ...(opts.level !== undefined ? { minLevel: opts.level } : {}),
      namespace: env.temporalNamespace,
      ...(temporalUiUrl(env) ? { temporalUiUrl: temporalUiUrl(env)! } : {}),
    }),
  );
  printOverdue(rows, opts.json);
}

/** The same from the database or, with a committee's token, from the operator API (GET /overdue). */
export function printOverdue(rows: OverdueRow[], json: boolean | undefined): void {
  if (json) printJson(rows);
  else if (!rows.length) process.stdout.write(`${t('No unit is overdue.')}\n`);
  else
    printTable(rows as unknown as Record<string, unknown>[], [
      'cycleId',
      'unitCode',
      'unitName',
      'phase',
      'status',
      'level',
      'deadline',
      'daysOverdue',
    ]);
}

/** Temporal (retrying activities, failing tasks, pollers) and PostgreSQL (overdue units and remedies). */
export async function runStalled(opts: {
  cycle?: string;
  minAttempts?: number;
  pollerGrace?: number;
  kind?: StallKind[];
  deep?: boolean;
  json?: boolean;
}): Promise<void> {
  const api = committeeApi();
  if (api) {
    const scan = await api.get<{ stalls: Stall[]; error?: string }>('/stalled', {
      cycle: opts.cycle,
      minAttempts: opts.minAttempts,
      kind: opts.kind,
    });
    return printStallScan(scan, opts.json);
  }
  const [{ connectOps }, { StallScanError, findStalls }] = await Promise.all([
    import('../../ops/connect.js'),
    import('../../ops/stalled.js'),
  ]);
  const env = loadEnv();
  const ops = await connectOps(env);
  try {
    let stalls: Stall[];
    let error: string | undefined;
    try {
      stalls = await findStalls(ops.deps, {
        ...(opts.cycle ? { cycleId: opts.cycle } : {}),
        ...(opts.minAttempts !== undefined ? { minAttempts: opts.minAttempts } : {}),
        ...(opts.pollerGrace !== undefined ? { pollerGraceSeconds: opts.pollerGrace } : {}),
        ...(opts.kind?.length ? { kinds: opts.kind } : {}),
        ...(opts.deep ? { deep: true } : {}),
      });
    } catch (err) {
      if (!(err instanceof StallScanError)) throw err;
      stalls = err.stalls;
      error = err.message;
    }
    printStallScan({ stalls, ...(error ? { error } : {}) }, opts.json);
  } finally {
    await ops.close();
  }
}

/**
 * What a scan found, and the exit code that says it (EXIT_STALLED, or 1 when the scan was partial); the same from
 * Temporal or, with a committee's token, from the operator API (GET /stalled).
 */
export function printStallScan({ stalls, error }: { stalls: Stall[]; error?: string }, json: boolean | undefined): void {
  if (json) printJson({ ok: !error && stalls.length === 0, stalls, ...(error ? { error } : {}) });
  else if (isVi()) process.stdout.write(stallsVi(stalls));
  else printStalls(stalls);
  if (error) {
    process.stderr.write(`Error: ${error}\n`);
    process.exitCode = 1;
  } else if (stalls.length) process.exitCode = EXIT_STALLED;
}

export async function runDoctorCommand(opts: { json?: boolean; pollerGrace?: number }): Promise<void> {
  const [{ connectOps }, { runDoctor }] = await Promise.all([import('../../ops/connect.js'), import('../../ops/doctor.js')]);
  const env = loadEnv();
  // Lazy: an unreachable Temporal is a failed check in the report, not a failure to start.
  const ops = await connectOps(env, { lazy: true });
  try {
    const checks = await runDoctor({
      ...ops.deps,
      databaseUrl: ops.addresses.databaseUrl,
      smtpUrl: ops.addresses.smtpUrl,
      temporalAddress: ops.addresses.temporalAddress,
      ...(opts.pollerGrace !== undefined ? { pollerGraceSeconds: opts.pollerGrace } : {}),
    });
    const ok = checks.every((c) => c.ok);
    if (opts.json) printJson({ ok, checks });
    else {
      const width = Math.max(...checks.map((c) => c.name.length));
      for (const c of checks)
        process.stdout.write(`${c.ok ? 'ok  ' : 'FAIL'}  ${c.name.padEnd(width)}  ${String(c.ms).padStart(5)} ms  ${c.detail}\n`);
      process.stdout.write(ok ? 'Everything chuky needs is there.\n' : `${checks.filter((c) => !c.ok).length} check(s) failed.\n`);
    }
    if (!ok) process.exitCode = 1;
  } finally {
    await ops.close();
  }
}
