/**
 * CPU profiles as evidence: a scenario that misses its target shows where its processes spent their time. Child
 * processes (the worker, the API) are started with `--cpu-prof` and write V8 profiles when they exit (one file per
 * thread: the worker's workflow threads too); code run in the bench process itself (the report compiler) is
 * profiled through the inspector. Each profile is summarised as its heaviest functions and areas by self time.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Session } from 'node:inspector/promises';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileSummary {
  /** What was profiled: "chuky worker, main thread". */
  label: string;
  file?: string;
  /** Sampled time, in ms, idle excluded. */
  busyMs: number;
  top: { fn: string; where: string; selfMs: number; pct: number }[];
  areas: { area: string; selfMs: number; pct: number }[];
}

const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

/**
 * Workflow code runs from the webpack bundle the worker builds in memory, so its profile frames point into
 * "workflow-bundle-<hash>.js" lines. Built once more here with the same options (workers/worker.ts), the bundle
 * tells which module each line belongs to, and so which package (zod, @temporalio/workflow, chuky's domain/…)
 * the workflow threads spend their time in.
 */
let bundleMap: { file: string; starts: number[]; modules: string[] } | undefined;

export async function loadWorkflowBundleMap(): Promise<void> {
  // Not workers/worker.ts's cached workflowBundle(): that cache would spare the rehearsal's in-process worker its
  // bundling, and the rehearsal is timed as `chuky cycle rehearse` runs it.
  // In a child process, as the workers bundle: webpack loaded into this process stayed in its heap, and the
  // rehearsal, which runs here, paid for it at every full collection (a year took ~10% longer).
  const { bundleInChildProcess } = await import('../workers/bundle.js');
  const bundle = { code: await bundleInChildProcess() };
  // The worker names the script after its inline source map's "file" (workflow-bundle-<hash>.js, resolved against
  // the working directory), the name profile frames carry.
  const at = bundle.code.lastIndexOf('//# sourceMappingURL=data:');
  const inline = at >= 0 ? bundle.code.slice(bundle.code.indexOf('base64,', at) + 'base64,'.length).trim() : '';
  const file = inline ? ((JSON.parse(Buffer.from(inline, 'base64').toString('utf8')) as { file?: string }).file ?? '') : '';
  const starts: number[] = [];
  const modules: string[] = [];
  bundle.code.split('\n').forEach((line, i) => {
    const m = /^\/\*\*\*\/ "(.+?)"/.exec(line);
    if (m) {
      starts.push(i);
      modules.push(m[1]!);
    }
  });
  bundleMap = { file, starts, modules };
}

function bundleModule(url: string, line: number): string | undefined {
  if (!bundleMap || !bundleMap.file || !url.endsWith(path.basename(bundleMap.file))) return undefined;
  let lo = 0;
  let hi = bundleMap.starts.length - 1;
  if (hi < 0 || line < bundleMap.starts[0]!) return undefined;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (bundleMap.starts[mid]! <= line) lo = mid;
    else hi = mid - 1;
  }
  return bundleMap.modules[lo];
}

function moduleArea(modulePath: string): string {
  const nm = modulePath.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = modulePath.slice(nm + 'node_modules/'.length).split('/');
    return `${rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]} (in workflows)`;
  }
  const folder = /(?:^|\/)(domain|workflows|config|activities)\//.exec(modulePath)?.[1];
  return folder ? `chuky ${folder}/ (in workflows)` : `${modulePath} (in workflows)`;
}

/** Which part of the code a script URL belongs to: a package, chuky's own folder, or Node itself. */
function areaOf(frame: CallFrame): string {
  if (SPECIAL.has(frame.functionName) && !frame.url) return frame.functionName;
  const url = frame.url;
  if (!url) return '(native)';
  if (url.startsWith('node:')) return 'node internals';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  const m = /\/dist-bench\/([^/]+)\//.exec(url) ?? /\/main\/([^/]+)\//.exec(url);
  if (m) return `chuky ${m[1]}/`;
  // Workflow code runs from the webpack bundle, which has no file URL of its own.
  if (/workflow-bundle/.test(url)) {
    const mod = bundleModule(url, frame.lineNumber);
    return mod ? moduleArea(mod) : 'workflow bundle';
  }
  return url.replace(/^file:\/\//, '');
}

function shortWhere(frame: CallFrame): string {
  const mod = /workflow-bundle/.test(frame.url) ? bundleModule(frame.url, frame.lineNumber) : undefined;
  if (mod) return `${mod.replace(/^\.\/(node_modules\/)?/, '')} in the workflow bundle`;
  const url = frame.url.replace(/^file:\/\//, '');
  const nm = url.lastIndexOf('/node_modules/');
  const short = nm >= 0 ? url.slice(nm + '/node_modules/'.length) : url.replace(/^.*\/dist-bench\//, '');
  return short ? `${short}:${frame.lineNumber + 1}` : '';
}

/** A window on the profiled process's monotonic clock, in µs (the clock of a profile's startTime). */
export interface ProfileWindow {
  fromUs: number;
  toUs: number;
}

export function summariseProfile(profile: CpuProfile, label: string, topN = 10, window?: ProfileWindow): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let at = profile.startTime;
  for (let i = 0; i < samples.length; i++) {
    at += deltas[i] ?? 0;
    if (window && (at < window.fromUs || at > window.toUs)) continue;
    // timeDeltas[i] is the time before sample i; the time after it is the next delta.
    const dt = (deltas[i + 1] ?? 0) / 1000;
    self.set(samples[i]!, (self.get(samples[i]!) ?? 0) + dt);
  }
  const fns = new Map<string, { fn: string; where: string; selfMs: number }>();
  const areas = new Map<string, number>();
  let busy = 0;
  for (const [id, ms] of self) {
    const node = byId.get(id);
    if (!node) continue;
    const f = node.callFrame;
    if (f.functionName === '(idle)') continue;
    busy += ms;
    const fn = f.functionName || '(anonymous)';
    const where = shortWhere(f);
    const key = `${fn}@${where}`;
    const entry = fns.get(key) ?? { fn, where, selfMs: 0 };
    entry.selfMs += ms;
    fns.set(key, entry);
    const area = areaOf(f);
    areas.set(area, (areas.get(area) ?? 0) + ms);
  }
  const pct = (ms: number) => (busy > 0 ? (100 * ms) / busy : 0);
  return {
    label,
    busyMs: busy,
    top: [...fns.values()]
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, topN)
      .map((e) => ({ ...e, pct: pct(e.selfMs) })),
    areas: [...areas.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([area, selfMs]) => ({ area, selfMs, pct: pct(selfMs) })),
  };
}

/**
 * The profiles a child wrote with --cpu-prof into `dir`: the main thread's, and the other threads' (the
 * worker's workflow threads) merged into one summary.
 */
export function summariseProfileDir(dir: string, label: string, window?: ProfileWindow): ProfileSummary[] {
  if (!fs.existsSync(dir)) return [];
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .sort();
  const out: ProfileSummary[] = [];
  const threads: CpuProfile[] = [];
  for (const f of files) {
    const profile = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as CpuProfile;
    // CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile; thread 0 is the main thread.
    const tid = f.split('.')[4];
    if (tid === '0') out.push({ ...summariseProfile(profile, `${label}, main thread`, 10, window), file: path.join(dir, f) });
    else threads.push(profile);
  }
  if (threads.length) {
    // Merging: concatenate nodes with ids made unique, and the samples pointing at them.
    let offset = 0;
    const merged: CpuProfile = { nodes: [], startTime: 0, endTime: 0, samples: [], timeDeltas: [] };
    for (const p of threads) {
      const maxId = Math.max(0, ...p.nodes.map((n) => n.id));
      merged.nodes.push(...p.nodes.map((n) => ({ ...n, id: n.id + offset })));
      const s = p.samples ?? [];
      const d = p.timeDeltas ?? [];
      // Samples outside the window are dropped here, each thread on its own timeline; the merged profile has none.
      let at = p.startTime;
      for (let i = 0; i < s.length; i++) {
        at += d[i] ?? 0;
        if (window && (at < window.fromUs || at > window.toUs)) continue;
        merged.samples!.push(s[i]! + offset);
        merged.timeDeltas!.push(d[i + 1] ?? 0);
      }
      offset += maxId + 1;
    }
    // Each kept sample carries its own duration as the next delta: shift by one so summariseProfile reads it.
    merged.timeDeltas!.unshift(0);
    out.push({ ...summariseProfile(merged, `${label}, ${threads.length} other thread(s) (workflow code)`), file: dir });
  }
  return out;
}

/** Runs fn under the inspector's CPU profiler in this process; writes the profile to `file` when given. */
export async function profileInProcess<T>(
  fn: () => Promise<T>,
  label: string,
  file?: string,
): Promise<{ result: T; summary: ProfileSummary }> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 1000 }); // µs, as --cpu-prof's default
    await session.post('Profiler.start');
    let outcome: { ok: true; value: T } | { ok: false; error: unknown };
    try {
      outcome = { ok: true, value: await fn() };
    } catch (error) {
      outcome = { ok: false, error };
    }
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
    if (!outcome.ok) throw outcome.error;
    const result = outcome.value;
    if (file) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, JSON.stringify(profile));
    }
    return { result, summary: { ...summariseProfile(profile, label), ...(file ? { file } : {}) } };
  } finally {
    session.disconnect();
  }
}

/** Markdown lines for a summary: the heaviest areas, then the heaviest functions. */
export function profileMarkdown(s: ProfileSummary): string[] {
  const lines = [
    `**${s.label}** — ${(s.busyMs / 1000).toFixed(1)} s of sampled CPU${s.file ? ` (\`${s.file}\`)` : ''}`,
    '',
    `- by area: ${s.areas.map((a) => `${a.area} ${a.pct.toFixed(0)}%`).join(', ')}`,
    '- heaviest functions (self time):',
    ...s.top.slice(0, 8).map((t) => `  - ${t.pct.toFixed(1)}% \`${t.fn}\` ${t.where ? `(${t.where})` : ''}`),
  ];
  return lines;
}
