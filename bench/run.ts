/**
 * `npm run bench` (and `npm run bench -- --quick`): starts the bench's own stack, runs every scenario in this one
 * process run, and writes bench/RESULTS.md and bench/results.json (and, after a full run of every scenario, the extrapolation table
 * of docs/SCALE.md).
 *
 *   --quick          small sizes (minutes): checks that the bench works; figures not to be quoted
 *   --only a,b       run only these scenarios: engine, launch, submission, email, rehearsal, report, memory
 *   --keep           keep the run's data folder (.data/bench/run-…: Temporal's SQLite, PostgreSQL, logs)
 *   --no-profile     no CPU profiles (the worker and API are otherwise started with --cpu-prof)
 *   --update-scale   write docs/SCALE.md's table after a quick or partial run too (a full run of every scenario always does)
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { dataDir, projectRoot } from '../config/paths.js';
import { createContext, SIZES, type BenchContext, type Mode } from './context.js';
import { log } from './log.js';
import { loadWorkflowBundleMap } from './profile.js';
import { emptyResult, type ScenarioResult } from './results.js';
import { scaleMarkdown, scaleRows, writeScaleTable } from './scale.js';
import { startBenchStack, type BenchStack } from './stack.js';
import { machine, writeResults, type RunSummary } from './write-results.js';
import { engineScenario } from './scenarios/engine.js';
import { launchScenario } from './scenarios/launch.js';
import { submissionScenario } from './scenarios/submission.js';
import { emailScenario } from './scenarios/email.js';
import { rehearsalScenario } from './scenarios/rehearsal.js';
import { reportScenario } from './scenarios/report.js';
import { memoryScenario } from './scenarios/memory.js';

const SCENARIOS: { id: string; number: number; title: string; run: (ctx: BenchContext) => Promise<ScenarioResult> }[] = [
  { id: 'engine', number: 1, title: 'Engine baseline', run: engineScenario },
  { id: 'launch', number: 2, title: 'Cycle launch', run: launchScenario },
  { id: 'submission', number: 3, title: 'Submission path', run: submissionScenario },
  { id: 'email', number: 4, title: 'Email throughput', run: emailScenario },
  { id: 'rehearsal', number: 5, title: 'A full year under time skipping', run: rehearsalScenario },
  { id: 'report', number: 6, title: 'Report compilation', run: reportScenario },
  { id: 'memory', number: 7, title: 'Worker memory and history size', run: memoryScenario },
];

function stamp(d = new Date()): string {
  return d.toISOString().replace(/[:.]/g, '-').slice(0, 19);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      keep: { type: 'boolean', default: false },
      'no-profile': { type: 'boolean', default: false },
      'update-scale': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      fs
        .readFileSync(new URL(import.meta.url))
        .toString()
        .split('*/')[0]!
        .replace(/^\/\*\*?|^ \* ?/gm, '') + '\n',
    );
    return 0;
  }
  const mode: Mode = values.quick ? 'quick' : 'full';
  const only = values.only ? new Set(values.only.split(',').map((s) => s.trim())) : undefined;
  const unknown = [...(only ?? [])].filter((id) => !SCENARIOS.some((s) => s.id === id));
  if (unknown.length) throw new Error(`--only: unknown scenario(s) ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.id).join(', ')}`);
  // Only a full run of every scenario replaces the committed results; a quick or partial run writes beside them.
  const [resultsMd, resultsJson] =
    mode === 'full' && !only ? ['RESULTS.md', 'results.json'] : ['RESULTS-partial.md', 'results-partial.json'];

  // The SDK's INFO lines (worker state changes) of the rehearsal's in-process worker are noise here.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const startedAt = new Date();
  const root = path.join(dataDir(), 'bench');
  const runDir = path.join(root, `run-${stamp(startedAt)}`);
  const keepDir = path.join(root, 'last');
  fs.rmSync(keepDir, { recursive: true, force: true });
  fs.mkdirSync(runDir, { recursive: true });
  fs.mkdirSync(keepDir, { recursive: true });
  const sizes = SIZES[mode];
  log(
    `${mode} run: launch ${sizes.launch.join(', ')} units; ` +
      `submitters ${sizes.submitters.map((s) => s.concurrency).join(', ')}; ` +
      `rehearsal ${sizes.rehearsalUnits} units; reports ${sizes.report.join(', ')} units; data ` +
      `in ${runDir}`,
  );

  let stack: BenchStack | undefined;
  let ctx: BenchContext | undefined;
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    log(`${signal}: stopping the bench's services`);
    void (async () => {
      await ctx?.close().catch(() => undefined);
      await stack?.stop().catch(() => undefined);
    })().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const results: ScenarioResult[] = [];
  const mach = machine();
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const benchDir = path.join(projectRoot(), 'bench');
  const summary = (): RunSummary => {
    const rows = scaleRows(results);
    return {
      mode,
      profiled: !values['no-profile'],
      command,
      machine: mach,
      startedAt: startedAt.toISOString(),
      durationS: (Date.now() - startedAt.getTime()) / 1000,
      scenarios: results,
      scale: {
        rows,
        markdown: scaleMarkdown(rows, { mode, date: startedAt.toISOString().slice(0, 10), commit: mach.commit.slice(0, 10) }),
      },
      runDir,
      keepDir,
    };
  };
  try {
    stack = await startBenchStack(runDir, log);
    ctx = await createContext({ mode, runDir, keepDir, profile: !values['no-profile'], stack, log });
    ctx.results = results;
    if (ctx.profile) {
      log("bundling the workflows once here too, to attribute the workflow threads' profiles to their modules");
      await loadWorkflowBundleMap().catch((err) =>
        log(`could not bundle the workflows: ${err instanceof Error ? err.message : String(err)}`),
      );
    }
    for (const s of SCENARIOS) {
      if (only && !only.has(s.id)) continue;
      log(`── ${s.number}. ${s.title} ──`);
      const t0 = Date.now();
      let r: ScenarioResult;
      try {
        r = await s.run(ctx);
      } catch (err) {
        r = emptyResult(s.id, s.number, s.title);
        r.status = 'failed';
        r.error = err instanceof Error ? err.message.split('\n')[0] : String(err);
        log(`${s.id} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      }
      r.durationMs = Date.now() - t0;
      results.push(r);
      log(`${s.id}: done in ${(r.durationMs / 1000).toFixed(1)} s`);
      writeResults(summary(), path.join(benchDir, resultsMd), path.join(benchDir, resultsJson));
    }
  } finally {
    await ctx?.close().catch(() => undefined);
    await stack?.stop();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    if (!values.keep) fs.rmSync(runDir, { recursive: true, force: true });
  }
  const final = summary();
  writeResults(final, path.join(benchDir, resultsMd), path.join(benchDir, resultsJson));
  // A partial run (--only) has no figures for most rows: it would blank the committed table.
  if ((mode === 'full' && !only) || values['update-scale']) {
    const scaleFile = path.join(projectRoot(), 'docs', 'SCALE.md');
    log(
      writeScaleTable(scaleFile, final.scale.markdown)
        ? `updated the table in ${scaleFile}`
        : `could not find the table markers in ${scaleFile}`,
    );
  }
  const missed = results.flatMap((r) => r.figures.filter((f) => f.target?.verdict === 'missed').map((f) => f.label));
  log(
    `finished in ${(final.durationS / 60).toFixed(1)} min: ${results.length} ` +
      `scenario(s), ${results.filter((r) => r.status === 'failed').length} failed, ${missed.length} ` +
      `target(s) missed. Results: bench/${resultsMd}, bench/${resultsJson}`,
  );
  return results.some((r) => r.status === 'failed') ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
