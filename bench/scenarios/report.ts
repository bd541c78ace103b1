/**
 * 6. Report compilation: a frozen year of N units written into PostgreSQL (bench/report-year.ts), frozen the way
 * the cycle's close freezes it (db/frozen.ts snapshotFrozenCycle, the freezeCycle activity's work), then compiled
 * by the real `compileReport` (what `chuky report compile` runs: snapshot, figures, standings, narratives, the
 * document, DOCX, HTML, JSON). The compiler's stages are then timed one by one on the same snapshot.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CycleDefinition } from '../../config/cycle.js';
import { DEFAULT_REPORT_CONFIG } from '../../config/report.js';
import { loadFrozenSnapshot, snapshotFrozenCycle } from '../../db/frozen.js';
import { analyse, compileReport } from '../../report/compile.js';
import { buildReport } from '../../report/build.js';
import { renderDocx } from '../../report/docx.js';
import { renderHtml } from '../../report/html.js';
import { cpuSampler, TARGET_SIZES, type BenchContext } from '../context.js';
import { fullYearPhases, today, writeBenchCycle } from '../fixture.js';
import { describeCpu } from '../procs.js';
import { profileInProcess, type ProfileSummary } from '../profile.js';
import { emptyResult, judge, type ScenarioResult } from '../results.js';
import { writeFrozenYear } from '../report-year.js';
import { round } from '../stats.js';

/** The cycle activities' heartbeat timeout (workflows/cycle.ts): freezeCycle sends no heartbeat, so it must finish within it. */
const CYCLE_ACTIVITY_HEARTBEAT_S = 60;

async function timed<T>(fn: () => Promise<T> | T): Promise<{ value: T; ms: number }> {
  const t = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t };
}

async function tableSizes(ctx: BenchContext): Promise<Record<string, { rows: number; bytes: number; bytesPerRow: number | null }>> {
  const out: Record<string, { rows: number; bytes: number; bytesPerRow: number | null }> = {};
  for (const table of ['units', 'obligations', 'submissions', 'events', 'emails', 'frozen_snapshots']) {
    const { rows } = await ctx.db.query(`SELECT count(*)::int AS n, pg_total_relation_size($1::regclass)::bigint AS bytes FROM ${table}`, [
      table,
    ]);
    const n = rows[0].n as number;
    const bytes = Number(rows[0].bytes);
    out[table] = { rows: n, bytes, bytesPerRow: n ? bytes / n : null };
  }
  return out;
}

export async function reportScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const r = emptyResult('report', 6, 'Report compilation from a frozen year');
  const log = (m: string) => ctx.log(`report: ${m}`);
  const year = Number(today().slice(0, 4)) - 1;
  const fy = fullYearPhases(year);
  const target = TARGET_SIZES[ctx.mode].report;
  const largest = Math.max(...ctx.sizes.report);
  const rows: (string | number | null)[][] = [];
  const runs: Record<string, unknown>[] = [];
  for (const n of ctx.sizes.report) {
    const fx = writeBenchCycle({
      dir: path.join(ctx.runDir, 'cycles'),
      code: `BR${n}`,
      year,
      units: n,
      issuedOn: fy.issuedOn,
      phases: fy.phases,
      rollForward: true,
      holidays: fy.holidays,
      closesOn: fy.closesOn,
    });
    const written = await writeFrozenYear(ctx.db, fx.file);
    log(
      `${n} units: year written (${written.obligations} obligations, ${written.submissions} ` +
        `submissions; registering the units took ${(written.registerMs / 1000).toFixed(1)} s, the ` +
        `rows ${(written.insertMs / 1000).toFixed(1)} s)`,
    );
    const profile = ctx.profile && n === largest;
    const profiles: ProfileSummary[] = [];
    const sampler = cpuSampler(ctx).start();

    const freezeRun = () => timed(() => snapshotFrozenCycle(ctx.db, written.cycleId));
    const freeze = profile
      ? await profileInProcess(
          freezeRun,
          `bench process: freezing the ${n}-unit year (snapshotFrozenCycle)`,
          path.join(ctx.keepDir, 'profiles', `freeze-${n}.cpuprofile`),
        ).then((p) => (profiles.push(p.summary), p.result))
      : await freezeRun();
    log(`${n} units: frozen (snapshot written) in ${(freeze.ms / 1000).toFixed(2)} s`);

    const outDir = path.join(ctx.keepDir, 'reports', String(n));
    const compileRun = () =>
      timed(() =>
        compileReport(ctx.db, {
          selection: { cycleIds: [written.cycleId] },
          config: DEFAULT_REPORT_CONFIG,
          outDir,
          actor: 'bench',
          today: `${year + 1}-01-15`,
        }),
      );
    const compiled = profile
      ? await profileInProcess(
          compileRun,
          `bench process: compiling the ${n}-unit report (compileReport)`,
          path.join(ctx.keepDir, 'profiles', `compile-${n}.cpuprofile`),
        ).then((p) => (profiles.push(p.summary), p.result))
      : await compileRun();
    const split = sampler.stop();
    log(`${n} units: report compiled in ${(compiled.ms / 1000).toFixed(2)} s (${compiled.value.figures} figures); ${describeCpu(split)}`);

    // The stages, one by one, on the snapshot just written (a second pass: warm).
    const load = await timed(() => loadFrozenSnapshot(ctx.db, written.cycleId));
    const years = [{ year, cycleId: written.cycleId, data: load.value!.data }];
    const def = load.value!.data.definition as CycleDefinition;
    const analysis = await timed(() => analyse(years));
    const doc = await timed(() =>
      buildReport({
        years,
        committee: def.committee,
        config: DEFAULT_REPORT_CONFIG,
        ...analysis.value,
        number: compiled.value.number,
        date: compiled.value.date,
        studyTargetPercent: def.targets?.studyPercent ?? 98,
      }),
    );
    const docx = await timed(() => renderDocx(doc.value));
    const html = await timed(() => renderHtml(doc.value));
    const snapshotBytes = Buffer.byteLength(JSON.stringify(load.value!.data));
    const docxBytes = fs.statSync(compiled.value.files.docx).size;
    rows.push([
      n,
      round(freeze.ms / 1000, 2),
      round(compiled.ms / 1000, 2),
      round(load.ms / 1000, 2),
      round(analysis.ms / 1000, 2),
      round(doc.ms / 1000, 2),
      round(docx.ms / 1000, 2),
      round(html.ms / 1000, 2),
      round(snapshotBytes / 1048576, 1),
      round(docxBytes / 1024, 0),
    ]);
    runs.push({
      ...written,
      freezeS: freeze.ms / 1000,
      compileS: compiled.ms / 1000,
      stages: { loadS: load.ms / 1000, analyseS: analysis.ms / 1000, buildS: doc.ms / 1000, docxS: docx.ms / 1000, htmlS: html.ms / 1000 },
      snapshotBytes,
      docxBytes,
      figures: compiled.value.figures,
    });
    r.cpu.push({ window: `freeze and compile, ${n} units`, split });
    r.profiles.push(...profiles);

    const isTarget = n === target;
    r.figures.push({
      id: `report.${n}.compile`,
      label: `${n.toLocaleString('en')} units: report compiled (chuky report compile: DOCX, HTML, JSON)`,
      value: round(compiled.ms / 1000, 2),
      unit: 's',
      ...(isTarget
        ? {
            target: judge(compiled.ms / 1000, {
              text:
                ctx.mode === 'quick' ? '< 30 s (the target is for 5,000 units; judged at 500 in a quick run)' : '< 30 s for 5,000 units',
              op: '<',
              threshold: 30,
            }),
          }
        : {}),
    });
    r.figures.push({
      id: `report.${n}.freeze`,
      label: `${n.toLocaleString('en')} units: year frozen (the snapshot the freezeCycle activity writes at the close)`,
      value: round(freeze.ms / 1000, 2),
      unit: 's',
      ...(isTarget
        ? {
            target: judge(freeze.ms / 1000, {
              text: `< ${CYCLE_ACTIVITY_HEARTBEAT_S} s (derived: the cycle activities' heartbeat timeout; freezeCycle does not heartbeat)`,
              op: '<',
              threshold: CYCLE_ACTIVITY_HEARTBEAT_S,
            }),
          }
        : {}),
    });
    if (isTarget && compiled.ms / 1000 >= 30)
      r.findings.push(
        `The ${n}-unit report took ${(compiled.ms / 1000).toFixed(1)} s to compile (target 30 s). ` +
          `Stages: analyse ${(analysis.ms / 1000).toFixed(1)} s, document ${(doc.ms / 1000).toFixed(1)} ` +
          `s, DOCX ${(docx.ms / 1000).toFixed(1)} s, HTML ${(html.ms / 1000).toFixed(1)} s.`,
      );
    if (freeze.ms / 1000 >= CYCLE_ACTIVITY_HEARTBEAT_S) {
      r.findings.push(
        `Freezing the ${n}-unit year took ${(freeze.ms / 1000).toFixed(1)} s. The freezeCycle activity ` +
          `runs under the cycle's activity options (heartbeatTimeout 1 minute, workflows/cycle.ts) and ` +
          `never heartbeats, so at this size it would time out and be retried without end: the year would ` +
          `never freeze. ` +
          ('db/frozen.ts frozenDataset matches obligations and submissions to units with ' +
            'Array.filter/find inside the loop over units (quadratic in the number of units); indexing them ' +
            'by unit code first would make it linear.'),
      );
    }
  }
  r.tables.push({
    title: 'Freeze and compile (seconds); stages timed again on the stored snapshot',
    columns: [
      'units',
      'freeze (snapshot)',
      'compile (total)',
      'load snapshot',
      'figures + standings + narratives',
      'document',
      'DOCX',
      'HTML',
      'snapshot MB (JSON)',
      'DOCX KB',
    ],
    rows,
  });
  const sizes = await tableSizes(ctx);
  r.tables.push({
    title: 'PostgreSQL at the end of the report scenario (every cycle of the run)',
    columns: ['table', 'rows', 'MB', 'bytes per row'],
    rows: Object.entries(sizes).map(([t, s]) => [
      t,
      s.rows,
      round(s.bytes / 1048576, 1),
      s.bytesPerRow === null ? null : round(s.bytesPerRow, 0),
    ]),
  });
  r.data = { runs, tableSizes: sizes };
  return r;
}
