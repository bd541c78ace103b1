/** bench/RESULTS.md and bench/results.json: the machine, every target with its verdict, findings, each scenario. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { projectRoot } from '../config/paths.js';
import { profileMarkdown } from './profile.js';
import { describeCpu } from './procs.js';
import { fmt, type Figure, type ScenarioResult } from './results.js';
import type { ScaleRow } from './scale.js';
import { ENGINE_NAMES, type BenchEngine } from './stack.js';

export interface Machine {
  cores: number;
  cpuModel: string;
  memoryGb: number;
  node: string;
  os: string;
  date: string;
  commit: string;
  uncommittedChanges: number;
  /** 1, 5 and 15-minute load averages when the run started. */
  loadAverage: number[];
}

export function machine(): Machine {
  const git = (args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: projectRoot(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return '';
    }
  };
  return {
    cores: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString(),
    commit: git(['rev-parse', 'HEAD']) || 'unknown',
    uncommittedChanges: git(['status', '--porcelain']).split('\n').filter(Boolean).length,
    loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

export interface RunSummary {
  mode: 'quick' | 'full';
  /** CPU profiles were taken (the worker and API under --cpu-prof, the largest report and the rehearsal under the inspector). */
  profiled: boolean;
  command: string;
  machine: Machine;
  startedAt: string;
  durationS: number;
  scenarios: ScenarioResult[];
  scale: { rows: ScaleRow[]; markdown: string[] };
  runDir: string;
  keepDir: string;
  /** The Temporal engines the scenarios ran on (missing in results of a bench that knew only the dev server). */
  engines?: BenchEngine[];
  /** The national slice's last run (`--scenario national-slice`), kept across main runs. */
  nationalSlice?: NationalSliceSummary | undefined;
}

export interface NationalSliceSummary {
  command: string;
  mode: 'quick' | 'full';
  machine: Machine;
  startedAt: string;
  result: ScenarioResult;
  /** The table docs/SCALE.md quotes. */
  markdown: string[];
}

const engineOf = (r: ScenarioResult): BenchEngine => r.engine ?? 'dev';

/** Figures measured on both engines, one row each: the dev server's and the real server's value and ratio. */
function sideBySide(s: RunSummary): string[] {
  const dev = s.scenarios.filter((r) => engineOf(r) === 'dev');
  const server = s.scenarios.filter((r) => engineOf(r) === 'server');
  const rows: string[] = [];
  for (const d of dev) {
    const other = server.find((r) => r.id === d.id);
    if (!other) continue;
    for (const f of d.figures) {
      const g = other.figures.find((x) => x.id === f.id);
      if (!g) continue;
      rows.push(
        `| ${d.number} | ${cell(f.label)} | ${cell(figureValue(f))} | ${f.ratio ? fmt(f.ratio.value, 2) : ''} ` +
          `| ${cell(figureValue(g))} | ${g.ratio ? fmt(g.ratio.value, 2) : ''} | ${f.target ? `${verdictMark(f)} / ${verdictMark(g)}` : ''} |`,
      );
    }
  }
  if (!rows.length) return [];
  return [
    '## Dev server and real server side by side',
    '',
    "Each engine's ratios are to its own engine baseline (scenario 1 on that engine). Labels are the dev server's; where a " +
      "label quotes a measured detail (a p50, a rate), the real server's own is in its section below.",
    '',
    `| # | figure | ${ENGINE_NAMES.dev} | ratio | ${ENGINE_NAMES.server} | ratio | verdicts (dev / server) |`,
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ];
}

function nationalSliceSection(n: NationalSliceSummary): string[] {
  const r = n.result;
  const out = [
    `## ${r.number}. ${r.title}`,
    '',
    `- run: ${n.startedAt} · \`${n.command}\` · ${n.machine.cores} cores, ${n.machine.memoryGb} GB RAM · commit \`${n.machine.commit.slice(0, 10)}\``,
    `- ${n.mode === 'quick' ? '**smaller than the default size: figures not to be quoted**' : 'default size'}; ${ENGINE_NAMES.server}; ${(n.result.durationMs / 60_000).toFixed(1)} min`,
    '',
    ...n.markdown,
    '',
  ];
  return [...out, ...scenarioSection(r, false).slice(1)];
}

const verdictMark = (f: Figure) =>
  f.target ? (f.target.verdict === 'met' ? '✅ met' : f.target.verdict === 'missed' ? '❌ missed' : '— not measured') : '';
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function figureValue(f: Figure): string {
  if (f.value === null) return f.note ? `— (${f.note})` : '—';
  return `${fmt(f.value, f.digits ?? 2)} ${f.unit}${f.note ? ` (${f.note})` : ''}`;
}

export function resultsMarkdown(s: RunSummary): string {
  const m = s.machine;
  const out: string[] = ['# chuky bench results', ''];
  if (!s.scenarios.length && s.nationalSlice) {
    // A run of the national slice alone: its section is all there is.
    out.push(...nationalSliceSection(s.nationalSlice));
    return `${out.join('\n')}\n`;
  }
  const several = (s.engines?.length ?? 1) > 1;
  const tag = (r: ScenarioResult) => (several || engineOf(r) !== 'dev' ? ` — ${ENGINE_NAMES[engineOf(r)]}` : '');
  if (s.mode === 'quick') {
    out.push(
      '> **Quick run** (`npm run bench -- --quick`): small sizes, to check the bench works. Each ' +
        'target is judged at the quick size named beside it, not at the size the target speaks of. Run ' +
        '`npm run bench` on a quiet machine for the figures to quote.',
      '',
    );
  }
  const others = s.scenarios.flatMap((r) => r.cpu.map((c) => c.split.machine?.others ?? 0));
  const busiest = others.length ? Math.max(...others) : 0;
  if (busiest > 0.2) {
    out.push(
      `> ⚠ **The machine was not quiet**: other processes than the bench's took up ` +
        `to ${(100 * busiest).toFixed(0)}% of all cores during a measured window (load ` +
        `average ${m.loadAverage.join(', ')} at the start). Time-based figures are pessimistic; see ` +
        `"CPU by process" in each section.`,
      '',
    );
  }
  out.push(
    `- run: ${s.startedAt} · ${(s.durationS / 60).toFixed(1)} min · \`${s.command}\``,
    `- machine: ${m.cores} cores (${m.cpuModel}), ${m.memoryGb} GB RAM, ${m.os}, Node ${m.node}`,
    `- commit: \`${m.commit}\`${m.uncommittedChanges ? ` with ${m.uncommittedChanges} uncommitted change(s)` : ''}`,
    `- profiling: ${s.profiled ? 'on (sampling every 1 ms costs a few percent; `--no-profile` measures without)' : 'off'}`,
    `- services: ${(s.engines?.length ? s.engines : ['dev' as const]).map((e) => ENGINE_NAMES[e]).join(', then ')}, embedded PostgreSQL and chuky's SMTP sink, all on ` +
      `this machine, started by the bench in \`${s.runDir}\`; profiles and reports kept in ` +
      `\`${s.keepDir}\``,
    '',
    '## Targets',
    '',
    `| # | ${several ? 'engine | ' : ''}figure | value | ratio to engine | target | verdict |`,
    `|---|${several ? '---|' : ''}---|---|---|---|---|`,
  );
  for (const r of s.scenarios) {
    for (const f of r.figures.filter((x) => x.target)) {
      out.push(
        `| ${r.number} | ${several ? `${engineOf(r)} | ` : ''}${cell(f.label)} | ${cell(figureValue(f))} ` +
          `| ${f.ratio ? fmt(f.ratio.value, 2) : ''} ` +
          `| ${cell(f.target!.text)}${f.target!.note ? ` (${cell(f.target!.note)})` : ''} ` +
          `| ${verdictMark(f)} |`,
      );
    }
  }
  out.push(
    '',
    "_Ratio to engine_: chuky's figure over the engine's own, measured in the same run on the same " +
      "server (scenario 1): for a rate, the share of the engine's rate chuky reaches; for a latency, " +
      "how many times the engine's latency (empty Updates at the same concurrency) a submission takes.",
  );
  const failed = s.scenarios.filter((r) => r.status === 'failed');
  if (failed.length) out.push('', `**Scenarios that failed:** ${failed.map((r) => `${r.number}. ${r.title} — ${r.error}`).join('; ')}`);
  out.push('', '## Findings', '');
  const findings = s.scenarios.flatMap((r) => r.findings.map((f) => `- (${r.number}${several ? `, ${engineOf(r)}` : ''}) ${f}`));
  out.push(...(findings.length ? findings : ['- none']));
  if (several) out.push('', ...sideBySide(s));
  out.push('', '## Country-wide extrapolation (docs/SCALE.md)', '', ...s.scale.markdown);

  for (const r of s.scenarios) out.push('', ...scenarioSection(r, true, tag(r)));
  if (s.nationalSlice) out.push('', ...nationalSliceSection(s.nationalSlice));
  return `${out.join('\n')}\n`;
}

function scenarioSection(r: ScenarioResult, heading: boolean, suffix = ''): string[] {
  const out: string[] = [];
  out.push(heading ? `## ${r.number}. ${r.title}${suffix}` : '', '');
  if (r.status !== 'ok') out.push(`**${r.status}**${r.error ? `: ${r.error}` : ''}`, '');
  out.push(`_${(r.durationMs / 1000).toFixed(1)} s_`, '');
  if (r.figures.length) {
    out.push('| figure | value | ratio to engine | target | verdict |', '|---|---|---|---|---|');
    for (const f of r.figures)
      out.push(
        `| ${cell(f.label)} | ${cell(figureValue(f))} | ${f.ratio ? fmt(f.ratio.value, 2) : ''} ` +
          `| ${f.target ? cell(f.target.text) : ''} | ${verdictMark(f)} |`,
      );
    out.push('');
  }
  for (const t of r.tables) {
    out.push(`**${t.title}**`, '', `| ${t.columns.map(cell).join(' | ')} |`, `|${t.columns.map(() => '---').join('|')}|`);
    for (const row of t.rows)
      out.push(`| ${row.map((v) => (v === null ? '—' : typeof v === 'number' ? fmt(v, 3) : cell(v))).join(' | ')} |`);
    out.push('');
  }
  if (r.cpu.length) {
    out.push('**CPU by process** (from /proc; "%" is the share of all cores over the window)', '');
    for (const c of r.cpu) out.push(`- ${c.window}: ${describeCpu(c.split)}`);
    out.push('');
  }
  if (r.profiles.length) {
    const missed = r.figures.some((f) => f.target?.verdict === 'missed');
    out.push(missed ? '**Profiles** (a target was missed here)' : '<details><summary>Profiles</summary>', '');
    for (const p of r.profiles) out.push(...profileMarkdown(p), '');
    if (!missed) out.push('</details>', '');
  }
  return out;
}

export function writeResults(s: RunSummary, mdFile: string, jsonFile: string): void {
  fs.writeFileSync(mdFile, resultsMarkdown(s));
  fs.writeFileSync(jsonFile, `${JSON.stringify(s, null, 2)}\n`);
}
