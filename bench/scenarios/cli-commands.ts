/**
 * 10. CLI commands (issue 16): how long an operator, or a monitoring probe, waits for `chuky`. Each command is a fresh
 * `node dist/cli/chuky.js` process, as `npx chuky` runs it, against the bench's running stack: `--help`, a
 * command's `--help`, and every read-only command (`cycle list`, `cycle status`, `overdue`, `stalled`, `unit show`,
 * `doctor`), after one warm-up run each, one at a time. Targets on 2 quiet cores: help ≤ 0.2 s, read-only ≤ 0.5 s
 * (the median); a bare `node -e 1` is timed beside them as the floor no command can go under, and a process that
 * only loads the Temporal client, connects and makes one call (bench/temporal-floor.ts) as the floor of those that ask Temporal.
 */
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCycle } from '../../cli/commands/cycle.js';
import { projectRoot } from '../../config/paths.js';
import { unitWorkflowId } from '../../domain/ids.js';
import type { Child } from '../children.js';
import type { BenchContext } from '../context.js';
import { launchDates, writeBenchCycle } from '../fixture.js';
import { emptyResult, judge, type ScenarioResult, type Target } from '../results.js';
import { percentile, round, sleep } from '../stats.js';

const HELP_TARGET: Target = { text: '≤ 0.2 s (median, 2 quiet cores)', op: '<=', threshold: 0.2 };
const READ_TARGET: Target = { text: '≤ 0.5 s (median, 2 quiet cores)', op: '<=', threshold: 0.5 };

/** Units of the cycle launched here when no earlier scenario left one. */
const OWN_UNITS = 10;

interface Timed {
  id: string;
  label: string;
  args: string[];
  target?: Target;
  /** Exit codes that are answers, not failures: `stalled` exits 3 when something is stalled, `doctor` 1 when a check fails. */
  okCodes: number[];
  /** The command asks Temporal: its ratio is to the Temporal client's floor (bench/temporal-floor.ts). */
  asksTemporal?: boolean;
}

interface Measured {
  id: string;
  label: string;
  runs: number;
  medianS: number | null;
  minS: number | null;
  p90S: number | null;
  maxS: number | null;
  exitCodes: number[];
  error?: string;
}

/** One run of a process: its wall time from spawn to exit, its exit code and what it wrote to standard error. */
function timeOnce(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ s: number; code: number; stderr: string }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    execFile(file, args, { env, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (err, _stdout, stderr) => {
      const s = (performance.now() - t0) / 1000;
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ s, code, stderr: String(stderr) });
    });
  });
}

async function measure(t: Timed, file: string, env: NodeJS.ProcessEnv, runs: number): Promise<Measured> {
  const times: number[] = [];
  const codes: number[] = [];
  let error: string | undefined;
  for (let i = 0; i <= runs; i++) {
    const r = await timeOnce(file, t.args, env);
    if (!t.okCodes.includes(r.code)) {
      error = `exit ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' ').slice(0, 300)}`;
      break;
    }
    // The first run warms the file system cache and is not counted.
    if (i > 0) {
      times.push(r.s);
      codes.push(r.code);
    }
  }
  const sorted = [...times].sort((a, b) => a - b);
  const at = (p: number) => (sorted.length ? round(percentile(sorted, p), 3) : null);
  return {
    id: t.id,
    label: t.label,
    runs: times.length,
    medianS: error ? null : at(50),
    minS: sorted.length ? round(sorted[0]!, 3) : null,
    p90S: at(90),
    maxS: sorted.length ? round(sorted[sorted.length - 1]!, 3) : null,
    exitCodes: [...new Set(codes)],
    ...(error ? { error } : {}),
  };
}

/** The CLI as `npx chuky` runs it, built from the current sources (the bench compiles into dist-bench/, not dist/). */
function buildCli(): string {
  const root = projectRoot();
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm run build failed: ${(r.stdout + r.stderr).trim().slice(0, 500)}`);
  const bin = path.join(root, 'dist', 'cli', 'chuky.js');
  if (!fs.existsSync(bin)) throw new Error(`${bin} is missing after the build`);
  return bin;
}

/** A cycle with running unit workflows to show: one an earlier scenario launched, else a small one launched here. */
async function cycleToRead(ctx: BenchContext, log: (m: string) => void): Promise<{ cycleId: string; unitCode: string }> {
  const earlier = [...ctx.launched.values()].sort((a, b) => a.units - b.units)[0];
  if (earlier) return { cycleId: earlier.cycleId, unitCode: earlier.unitCodes[0]! };
  const dates = launchDates();
  const fx = writeBenchCycle({
    dir: path.join(ctx.runDir, 'cycles'),
    code: 'BCLI',
    year: dates.year,
    units: OWN_UNITS,
    issuedOn: dates.issuedOn,
    phases: dates.phases,
  });
  const started = await startCycle({ db: ctx.db, client: ctx.client, taskQueue: ctx.taskQueue, configFile: fx.file });
  const unitCode = fx.unitCodes[0]!;
  log(`launched ${started.cycleId} (${OWN_UNITS} units); waiting for ${unitCode}'s workflow`);
  const deadline = Date.now() + 120_000;
  for (;;) {
    const running = await ctx.client.workflow
      .getHandle(unitWorkflowId(started.cycleId, unitCode))
      .describe()
      .then(() => true)
      .catch(() => false);
    if (running) break;
    if (Date.now() > deadline) throw new Error(`${unitCode}'s workflow did not start within 120 s`);
    await sleep(500);
  }
  return { cycleId: started.cycleId, unitCode };
}

export async function cliCommandsScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const r = emptyResult('cli-commands', 10, 'CLI commands: `--help` and the read-only commands, each a fresh process');
  const log = (m: string) => ctx.log(`cli-commands: ${m}`);
  const runs = ctx.mode === 'full' ? 15 : 5;

  log('building the CLI (tsc -p tsconfig.build.json)');
  const bin = buildCli();
  // `unit show` asks the unit's workflow (a query: a worker answers it), and `stalled`/`doctor` look for a poller.
  log('starting a chuky worker for the queries and the poller checks');
  const worker: Child = await ctx.startWorker('worker-cli-commands');
  try {
    const { cycleId, unitCode } = await cycleToRead(ctx, log);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TEMPORAL_ADDRESS: ctx.stack.temporalAddress,
      TEMPORAL_NAMESPACE: 'default',
      DATABASE_URL: ctx.stack.databaseUrl,
      SMTP_URL: ctx.stack.smtpUrl,
      CHUKY_TASK_QUEUE: ctx.taskQueue,
      CHUKY_SIGNING_SECRET: ctx.signingSecret,
      CHUKY_DATA_DIR: ctx.runDir,
      ...(ctx.stack.temporalUiUrl ? { TEMPORAL_UI_URL: ctx.stack.temporalUiUrl } : {}),
    };
    delete env.CHUKY_LANG;

    const node = (args: string[]) => [bin, ...args];
    const commands: Timed[] = [
      { id: 'help', label: 'chuky --help', args: node(['--help']), target: HELP_TARGET, okCodes: [0] },
      { id: 'cmd-help', label: 'chuky cycle status --help', args: node(['cycle', 'status', '--help']), target: HELP_TARGET, okCodes: [0] },
      { id: 'cycle-list', label: 'chuky cycle list', args: node(['cycle', 'list']), target: READ_TARGET, okCodes: [0] },
      {
        id: 'cycle-status',
        label: `chuky cycle status --cycle ${cycleId}`,
        args: node(['cycle', 'status', '--cycle', cycleId]),
        target: READ_TARGET,
        okCodes: [0],
      },
      { id: 'overdue', label: 'chuky overdue', args: node(['overdue']), target: READ_TARGET, okCodes: [0] },
      { id: 'stalled', label: 'chuky stalled', args: node(['stalled']), target: READ_TARGET, okCodes: [0, 3], asksTemporal: true },
      // Beside it, no target: what describing every running workflow costs (the scan before the workers' notes).
      { id: 'stalled-deep', label: 'chuky stalled --deep', args: node(['stalled', '--deep']), okCodes: [0, 3] },
      {
        id: 'unit-show',
        label: `chuky unit show --cycle ${cycleId} --unit ${unitCode}`,
        args: node(['unit', 'show', '--cycle', cycleId, '--unit', unitCode]),
        target: READ_TARGET,
        okCodes: [0],
        asksTemporal: true,
      },
      { id: 'doctor', label: 'chuky doctor', args: node(['doctor']), target: READ_TARGET, okCodes: [0, 1], asksTemporal: true },
    ];
    const floor = await measure(
      { id: 'node', label: 'node -e 1 (the floor)', args: ['-e', '1'], okCodes: [0] },
      process.execPath,
      env,
      runs,
    );
    // The floor of the commands that ask Temporal: the client SDK loaded, connected, one call (bench/temporal-floor.ts).
    const temporalFloor = await measure(
      {
        id: 'temporal-floor',
        label: 'node: the Temporal client SDK loaded, connected, one call (the floor of the commands that ask Temporal)',
        args: [fileURLToPath(new URL('../temporal-floor.js', import.meta.url))],
        okCodes: [0],
      },
      process.execPath,
      env,
      runs,
    );
    const loadBefore = os.loadavg()[0]!;
    const measured: Measured[] = [];
    for (const c of commands) {
      const m = await measure(c, process.execPath, env, runs);
      log(`${c.label}: median ${m.medianS ?? '—'} s over ${m.runs} runs${m.error ? ` (${m.error})` : ''}`);
      measured.push(m);
      r.figures.push({
        id: `cli.${c.id}.medianS`,
        label: `${c.label}: wall time, median of ${runs}`,
        value: m.medianS,
        unit: 's',
        digits: 3,
        ...(c.target ? { target: judge(m.medianS, c.target, m.error) } : {}),
        ...(c.asksTemporal && m.medianS !== null && temporalFloor.medianS
          ? { ratio: { to: "the Temporal client's floor", value: round(m.medianS / temporalFloor.medianS, 2) } }
          : {}),
      });
      if (m.error) r.findings.push(`${c.label} failed: ${m.error}`);
    }
    const load = [loadBefore, os.loadavg()[0]!];
    r.tables.push({
      title: `Each command a fresh process, ${runs} runs after a warm-up (seconds)`,
      columns: ['command', 'median', 'min', 'p90', 'max', 'exit'],
      rows: [floor, temporalFloor, ...measured].map((m) => [m.label, m.medianS, m.minS, m.p90S, m.maxS, m.exitCodes.join(', ')]),
    });
    r.findings.push(
      `A bare \`node -e 1\` took ${floor.medianS ?? '—'} s (median): every command pays it. The 1-minute load average was ` +
        `${load.map((l) => l.toFixed(1)).join(' → ')} on ${os.cpus().length} cores during the runs; the targets are for a quiet machine.`,
    );
    if (temporalFloor.medianS !== null)
      r.findings.push(
        `A process that only loads the Temporal client SDK, connects and makes one call took ${temporalFloor.medianS} s ` +
          `(median; bench/temporal-floor.ts): \`stalled\`, \`unit show\` and \`doctor\` ask Temporal and pay it; their ` +
          `"ratio to engine" is to this floor.` +
          (temporalFloor.medianS > READ_TARGET.threshold * 0.8
            ? ` It leaves them ${Math.max(0, READ_TARGET.threshold - temporalFloor.medianS).toFixed(2)} s of the ` +
              `${READ_TARGET.threshold} s target for their own work.`
            : ''),
      );
    else if (temporalFloor.error) r.findings.push(`The Temporal client's floor failed: ${temporalFloor.error}`);
    r.data = { runs, cycleId, unitCode, floor, temporalFloor, commands: measured, loadAverage: load };
  } finally {
    await worker.stop();
  }
  return r;
}
