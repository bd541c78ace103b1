/**
 * `npm run bench` (and `npm run bench -- --quick`): starts the bench's own stack, runs every scenario in this one
 * process run, and writes bench/RESULTS.md and bench/results.json (and, after a full run of every scenario, the extrapolation table
 * of docs/SCALE.md).
 *
 *   --engine E       dev (default: the Temporal CLI's dev server on SQLite), server (the real Temporal server on
 *                    PostgreSQL, as deployed), or both: every scenario on each, one after the other, each judged
 *                    against its own engine baseline; the scale-out (scenario 8) runs on the real server only
 *   --quick          small sizes (minutes): checks that the bench works; figures not to be quoted
 *   --only a,b       run only these scenarios: engine, launch, submission, email, rehearsal, report, memory, scale-out,
 *                    cli-commands, tree
 *   --scenario national-slice [--units N] [--committees C] [--workers W] [--burst-after S]
 *                    only the national slice, on the real server: N units (default 20,000) in C committees' cycles
 *                    (default 100) launched by W worker processes (default 2), then one 08:00 burst S seconds after
 *                    the launch began (default 30 s + 1 s per 20 units); at the defaults it writes its section of
 *                    bench/RESULTS.md, bench/results.json and docs/SCALE.md, otherwise the partial files
 *   --history-shards N   the real server's history shards (default 4, this machine's; production sizes it: docs/SCALE.md)
 *   --keep           keep the run's data folder (.data/bench/run-…: Temporal's SQLite, PostgreSQL, logs)
 *   --no-profile     no CPU profiles (the worker and API are otherwise started with --cpu-prof)
 *   --update-scale   write docs/SCALE.md's table after a quick or partial run too (a full run of every scenario always does)
 *   --large-rehearsal N  also rehearse an N-unit year after the 150-unit one and time it (long: bench/README.md)
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
import { ENGINE_NAMES, startBenchStack, type BenchEngine, type BenchStack } from './stack.js';
import { machine, writeResults, type NationalSliceSummary, type RunSummary } from './write-results.js';
import { engineScenario } from './scenarios/engine.js';
import { launchScenario } from './scenarios/launch.js';
import { submissionScenario } from './scenarios/submission.js';
import { emailScenario } from './scenarios/email.js';
import { rehearsalScenario } from './scenarios/rehearsal.js';
import { reportScenario } from './scenarios/report.js';
import { memoryScenario } from './scenarios/memory.js';
import { scaleOutScenario } from './scenarios/scale-out.js';
import { cliCommandsScenario } from './scenarios/cli-commands.js';
import { treeScenario } from './scenarios/tree.js';
import { NATIONAL_SLICE_DEFAULTS, nationalSliceMarkdown, nationalSliceScenario } from './scenarios/national-slice.js';

interface Scenario {
  id: string;
  number: number;
  title: string;
  run: (ctx: BenchContext) => Promise<ScenarioResult>;
  /** Only on these engines (default: every engine of the run). */
  engines?: BenchEngine[];
  /** The same on every engine (the rehearsal runs on its own time-skipping server): run on the run's first engine only. */
  once?: boolean;
}

const SCENARIOS: Scenario[] = [
  { id: 'engine', number: 1, title: 'Engine baseline', run: engineScenario },
  { id: 'launch', number: 2, title: 'Cycle launch', run: launchScenario },
  { id: 'submission', number: 3, title: 'Submission path', run: submissionScenario },
  { id: 'email', number: 4, title: 'Email throughput', run: emailScenario },
  { id: 'rehearsal', number: 5, title: 'A full year under time skipping', run: rehearsalScenario, once: true },
  { id: 'report', number: 6, title: 'Report compilation', run: reportScenario },
  { id: 'memory', number: 7, title: 'Worker memory and history size', run: memoryScenario },
  { id: 'scale-out', number: 8, title: 'Scale-out: 1 and 2 worker processes', run: scaleOutScenario, engines: ['server'] },
  // Numbered 10: 9 is the national slice (--scenario national-slice). The CLI talks to either engine alike: run once.
  { id: 'cli-commands', number: 10, title: 'CLI commands: --help and the read-only commands', run: cliCommandsScenario, once: true },
  { id: 'tree', number: 11, title: 'Party tree: a province over its committees’ cycles', run: treeScenario },
];

const NATIONAL_BEGIN = '<!-- bench:national-slice:begin (written by npm run bench -- --scenario national-slice; do not edit by hand) -->';
const NATIONAL_END = '<!-- bench:national-slice:end -->';

/** Replaces the text between the national slice's markers in a file; false when the markers are missing. */
function writeBetweenMarkers(file: string, lines: string[]): boolean {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const from = text.indexOf(NATIONAL_BEGIN);
  const to = text.indexOf(NATIONAL_END);
  if (from < 0 || to < from) return false;
  fs.writeFileSync(file, `${text.slice(0, from + NATIONAL_BEGIN.length)}\n${lines.join('\n')}\n${text.slice(to)}`);
  return true;
}

function positive(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name}: a whole number ≥ 1, not ${JSON.stringify(value)}`);
  return n;
}

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
      'large-rehearsal': { type: 'string' },
      engine: { type: 'string', default: 'dev' },
      scenario: { type: 'string' },
      units: { type: 'string' },
      committees: { type: 'string' },
      workers: { type: 'string' },
      'burst-after': { type: 'string' },
      'history-shards': { type: 'string' },
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
  const national = values.scenario === 'national-slice';
  if (values.scenario !== undefined && !national) throw new Error(`--scenario: only national-slice is known, not ${values.scenario}`);
  if (!national && (values.units || values.committees || values.workers || values['burst-after']))
    throw new Error('--units, --committees, --workers and --burst-after belong to --scenario national-slice');
  const engineArg = national && process.argv.every((a) => !a.startsWith('--engine')) ? 'server' : values.engine;
  const engines: BenchEngine[] =
    engineArg === 'both' ? ['dev', 'server'] : engineArg === 'dev' || engineArg === 'server' ? [engineArg] : [];
  if (!engines.length) throw new Error(`--engine: dev, server or both, not ${JSON.stringify(engineArg)}`);
  if (national && engineArg !== 'server') throw new Error('--scenario national-slice runs on the real server only (--engine server)');
  const slice = {
    units: positive('units', values.units, NATIONAL_SLICE_DEFAULTS.units),
    committees: positive('committees', values.committees, NATIONAL_SLICE_DEFAULTS.committees),
    workers: positive('workers', values.workers, NATIONAL_SLICE_DEFAULTS.workers),
    burstAfterS: values['burst-after'] === undefined ? undefined : positive('burst-after', values['burst-after'], 0),
    historyShards: values['history-shards'] === undefined ? 4 : Number(values['history-shards']),
  };
  const shards = values['history-shards'] === undefined ? undefined : positive('history-shards', values['history-shards'], 4);
  if (shards !== undefined && !engines.includes('server'))
    throw new Error('--history-shards is for the real server (--engine server or both)');
  const only = values.only ? new Set(values.only.split(',').map((s) => s.trim())) : undefined;
  const unknown = [...(only ?? [])].filter((id) => !SCENARIOS.some((s) => s.id === id));
  if (unknown.length) throw new Error(`--only: unknown scenario(s) ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.id).join(', ')}`);
  if (national && only) throw new Error('--only and --scenario national-slice do not mix');
  // Only a full run of every scenario replaces the committed results; a quick or partial run writes beside them.
  // The national slice at its default size writes its own section into the committed results, keeping the rest.
  // Its size decides: the time given to the launch before the burst (--burst-after) and the shards are recorded in its table.
  const sliceAtDefaults = national && mode === 'full' && !values.units && !values.committees && !values.workers;
  const committed = national ? sliceAtDefaults : mode === 'full' && !only;
  const [resultsMd, resultsJson] = committed ? ['RESULTS.md', 'results.json'] : ['RESULTS-partial.md', 'results-partial.json'];

  // The SDK's INFO lines (worker state changes) of the rehearsal's in-process worker are noise here.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const startedAt = new Date();
  const root = path.join(dataDir(), 'bench');
  const runDir = path.join(root, `run-${stamp(startedAt)}`);
  const keepDir = path.join(root, 'last');
  fs.rmSync(keepDir, { recursive: true, force: true });
  fs.mkdirSync(runDir, { recursive: true });
  fs.mkdirSync(keepDir, { recursive: true });
  const large = values['large-rehearsal'] !== undefined ? Number(values['large-rehearsal']) : undefined;
  if (large !== undefined && !(Number.isInteger(large) && large > 0))
    throw new Error(`--large-rehearsal: a number of units, not ${values['large-rehearsal']}`);
  const sizes = { ...SIZES[mode], ...(large ? { largeRehearsalUnits: large } : {}) };
  log(
    national
      ? `national slice: ${slice.units.toLocaleString('en')} units in ${slice.committees} committees, ${slice.workers} worker ` +
          `process(es), on the real Temporal server; data in ${runDir}`
      : `${mode} run on ${engines.map((e) => ENGINE_NAMES[e]).join(' and ')}: launch ${sizes.launch.join(', ')} units; ` +
          `submitters ${sizes.submitters.map((s) => s.concurrency).join(', ')}; ` +
          `rehearsal ${sizes.rehearsalUnits} units; reports ${sizes.report.join(', ')} units; ` +
          `${engines.includes('server') ? `scale-out ${sizes.scaleOut} units; ` : ''}data in ${runDir}`,
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
  // The committed results a national slice (or a main run) keeps the other part of.
  const previous = (() => {
    try {
      return JSON.parse(fs.readFileSync(path.join(benchDir, resultsJson), 'utf8')) as Partial<RunSummary>;
    } catch {
      return undefined;
    }
  })();
  let nationalSlice: NationalSliceSummary | undefined = committed && !national ? previous?.nationalSlice : undefined;
  const summary = (): RunSummary => {
    if (national && committed && previous?.scenarios) {
      // Only the national slice is new: the rest of the committed results stays as it was.
      return { ...(previous as RunSummary), nationalSlice };
    }
    // The extrapolation reads the real server's figures when it ran (it is what is deployed), else the dev server's.
    const scaleEngine = engines.includes('server') ? 'server' : 'dev';
    const rows = scaleRows(results.filter((r) => (r.engine ?? 'dev') === scaleEngine || r.id === 'rehearsal'));
    return {
      mode,
      profiled: !values['no-profile'],
      command,
      machine: mach,
      startedAt: startedAt.toISOString(),
      durationS: (Date.now() - startedAt.getTime()) / 1000,
      engines,
      scenarios: results.filter((r) => r.id !== 'national-slice'),
      scale: {
        rows,
        markdown: scaleMarkdown(rows, { mode, date: startedAt.toISOString().slice(0, 10), commit: mach.commit.slice(0, 10) }),
      },
      runDir,
      keepDir,
      ...(nationalSlice ? { nationalSlice } : {}),
    };
  };
  // After each scenario the results so far go beside the committed ones: a run stopped half-way (a signal, a
  // crash) leaves the committed results as they were, not a table of half a run. The finished run writes them.
  const write = (finished: boolean) =>
    writeResults(
      summary(),
      path.join(benchDir, finished ? resultsMd : 'RESULTS-partial.md'),
      path.join(benchDir, finished ? resultsJson : 'results-partial.json'),
    );
  try {
    for (const [index, engine] of engines.entries()) {
      const engineDir = engines.length > 1 ? path.join(runDir, engine) : runDir;
      fs.mkdirSync(engineDir, { recursive: true });
      log(`── ${ENGINE_NAMES[engine]} ──`);
      stack = await startBenchStack(engineDir, log, engine, shards);
      ctx = await createContext({
        mode,
        runDir: engineDir,
        // Each engine's profiles and reports apart, or the second would overwrite the first's.
        keepDir: engines.length > 1 ? path.join(keepDir, engine) : keepDir,
        profile: !national && !values['no-profile'],
        stack,
        log,
        sizes,
      });
      // Each engine's scenarios read their own engine baseline (its ratios) and launches.
      const own: ScenarioResult[] = [];
      ctx.results = own;
      if (national) {
        const t0 = Date.now();
        let r: ScenarioResult;
        try {
          r = await nationalSliceScenario(ctx, slice);
        } catch (err) {
          r = emptyResult('national-slice', 9, 'National slice');
          r.status = 'failed';
          r.error = err instanceof Error ? err.message.split('\n')[0] : String(err);
          log(`national slice failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        }
        r.durationMs = Date.now() - t0;
        r.engine = engine;
        nationalSlice = {
          command,
          mode: sliceAtDefaults ? 'full' : 'quick',
          machine: mach,
          startedAt: startedAt.toISOString(),
          result: r,
          markdown: nationalSliceMarkdown(r, {
            mode: sliceAtDefaults ? 'full' : 'quick',
            date: startedAt.toISOString().slice(0, 10),
            commit: mach.commit.slice(0, 10),
          }),
        };
        results.push(r);
      }
      if (ctx.profile) {
        log("bundling the workflows once here too, to attribute the workflow threads' profiles to their modules");
        await loadWorkflowBundleMap().catch((err) =>
          log(`could not bundle the workflows: ${err instanceof Error ? err.message : String(err)}`),
        );
      }
      for (const s of national ? [] : SCENARIOS) {
        if (only && !only.has(s.id)) continue;
        if (s.engines && !s.engines.includes(engine)) continue;
        if (s.once && index > 0) continue;
        log(`── ${s.number}. ${s.title} (${engine}) ──`);
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
        r.engine = engine;
        own.push(r);
        results.push(r);
        log(`${s.id} (${engine}): done in ${(r.durationMs / 1000).toFixed(1)} s`);
        write(false);
      }
      await ctx.close().catch(() => undefined);
      ctx = undefined;
      await stack.stop();
      stack = undefined;
    }
  } finally {
    await ctx?.close().catch(() => undefined);
    await stack?.stop();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    if (!values.keep) fs.rmSync(runDir, { recursive: true, force: true });
  }
  const final = summary();
  write(true);
  if (national) {
    if (sliceAtDefaults || values['update-scale']) {
      const scaleFile = path.join(projectRoot(), 'docs', 'SCALE.md');
      log(
        nationalSlice && writeBetweenMarkers(scaleFile, nationalSlice.markdown)
          ? `updated the national slice's table in ${scaleFile}`
          : `could not find the national slice's markers in ${scaleFile}`,
      );
    }
  } else if ((mode === 'full' && !only) || values['update-scale']) {
    // A partial run (--only) has no figures for most rows: it would blank the committed table.
    const scaleFile = path.join(projectRoot(), 'docs', 'SCALE.md');
    log(
      writeScaleTable(scaleFile, final.scale.markdown)
        ? `updated the table in ${scaleFile}`
        : `could not find the table markers in ${scaleFile}`,
    );
  }
  const missed = results.flatMap((r) => r.figures.filter((f) => f.target?.verdict === 'missed').map((f) => f.label));
  log(
    `finished in ${((Date.now() - startedAt.getTime()) / 60_000).toFixed(1)} min: ${results.length} ` +
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
