/**
 * The country-wide extrapolation docs/SCALE.md quotes: each row a quantity the bench measured on one machine,
 * scaled to every grassroots organisation of the country, against a budget where one applies. The row furthest
 * over its budget is the first bottleneck. A full run writes this table into docs/SCALE.md between its markers.
 */
import fs from 'node:fs';
import type { ScenarioResult } from './results.js';
import { fmt } from './results.js';

/** Grassroots Party organisations and Party members in the country (the issue's figures). */
export const COUNTRY = { units: 52_000, members: 5_500_000 } as const;

export interface ScaleRow {
  quantity: string;
  measured: string;
  country: string;
  budget: string;
  /** country / budget: above 1, one bench machine's worth is not enough. */
  load: number | null;
}

/**
 * The fields of each scenario's `data` this table reads (the scenarios in bench/scenarios/ write them). Every one
 * may be missing: a scenario that was not run, failed half way, or a results.json from an older bench.
 */
interface MeasuredData {
  engine: { rate?: number };
  launch: { runs?: { units: number; startRate?: number; allNoticesS?: number | null }[] };
  email: { activityOff?: number; activityOn?: number; rateLimitPerSecond?: number };
  rehearsal: {
    emailsPerUnit?: number;
    obligationsPerUnit?: number;
    history?: {
      meanEvents?: number;
      meanJsonBytes?: number;
      maxEvents?: number;
      meanSubmissions?: number;
      meanRecordTransitions?: number;
      meanEmails?: number;
    };
  };
  submission: { levels?: { perSecond: number }[] };
  report: { tableSizes?: Record<string, { bytesPerRow: number | null }>; runs?: { units: number; compileS: number; freezeS: number }[] };
  memory: { runs?: { units: number; worker?: { rssMb?: number; maxCachedWorkflows?: number; idleRssMb?: number } }[] };
}

const data = <K extends keyof MeasuredData>(results: ScenarioResult[], id: K) =>
  results.find((r) => r.id === id)?.data as Partial<MeasuredData[K]> | undefined;

function duration(s: number | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s)) return '—';
  if (s < 120) return `${s.toFixed(0)} s`;
  if (s < 7200) return `${(s / 60).toFixed(0)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

function bytes(b: number | null | undefined): string {
  if (b === null || b === undefined || !Number.isFinite(b)) return '—';
  if (b < 1024 ** 3) return `${(b / 1024 ** 2).toFixed(0)} MB`;
  return `${(b / 1024 ** 3).toFixed(1)} GB`;
}

export function scaleRows(results: ScenarioResult[]): ScaleRow[] {
  const U = COUNTRY.units;
  const rows: ScaleRow[] = [];
  const engine = data(results, 'engine');
  const launch = data(results, 'launch');
  const largest = launch?.runs?.at(-1);
  const email = data(results, 'email');
  const rehearsal = data(results, 'rehearsal');
  const history = rehearsal?.history;
  const submission = data(results, 'submission');
  const report = data(results, 'report');
  const memory = data(results, 'memory');
  const HOUR = 3600;

  if (engine?.rate) {
    const s = U / engine.rate;
    rows.push({
      quantity:
        'Every unit woken at the same 08:00 (a workflow task each), at the engine baseline: ' +
        (results.find((r) => r.id === 'engine')?.engine === 'server'
          ? 'the real Temporal server on PostgreSQL, one process with 4 history shards on this machine'
          : 'the dev server on SQLite, a floor for a cluster'),
      measured: `${fmt(engine.rate)} wf/s`,
      country: duration(s),
      budget: '1 h',
      load: s / HOUR,
    });
  }
  if (largest?.startRate) {
    const s = largest.units / largest.startRate;
    rows.push({
      quantity:
        `One committee's launch, ${fmt(largest.units, 0)} units, chuky's launch loop (32 starts in ` +
        `flight per batch; committees launch side by side)`,
      measured: `${fmt(largest.startRate)} units/s; all notices after ${fmt(largest.allNoticesS)} s`,
      country: `${duration(largest.allNoticesS ?? s)} for the largest committee`,
      budget: '15 min',
      load: (largest.allNoticesS ?? s) / 900,
    });
  }
  if (email?.activityOff) {
    const s = U / email.activityOff;
    rows.push({
      quantity: "A phase opening for every unit at 08:00: one notice each, through one worker's sendUnitEmail",
      measured: `${fmt(email.activityOff)} msg/s per worker`,
      country: `${duration(s)} (${Math.ceil(s / HOUR)} worker(s) for 1 h)`,
      budget: '1 h',
      load: s / HOUR,
    });
  }
  if (email?.activityOn) {
    const s = U / email.activityOn;
    rows.push({
      quantity: `The same burst under one provider account limited to ${email.rateLimitPerSecond} msg/s`,
      measured: `${fmt(email.activityOn)} msg/s`,
      country: duration(s),
      budget: '1 h',
      load: s / HOUR,
    });
  }
  if (rehearsal?.emailsPerUnit) {
    rows.push({
      quantity: 'Emails per year (every unit, every phase: notices, reminders, receipts, escalations)',
      measured: `${fmt(rehearsal.emailsPerUnit)} per unit-year`,
      country: `${fmt(U * rehearsal.emailsPerUnit, 0)} per year`,
      budget: '—',
      load: null,
    });
  }
  if (history?.meanEvents) {
    rows.push({
      quantity: 'Temporal history per year (unit workflows)',
      measured:
        `${fmt(history.meanEvents, 0)} events, ${fmt((history.meanJsonBytes ?? 0) / 1024)} KB JSON per ` +
        `unit-year (largest ${fmt(history.maxEvents, 0)} events)`,
      country: `${fmt(U * history.meanEvents, 0)} events, ≤ ${bytes(U * (history.meanJsonBytes ?? 0))}`,
      budget: '< 2,000 events per unit-year',
      load: history.maxEvents ? history.maxEvents / 2000 : null,
    });
  }
  const mem = memory?.runs?.at(-1);
  if (mem?.worker?.rssMb) {
    const cached = Math.max(1, Math.min(mem.worker.maxCachedWorkflows ?? mem.units, mem.units));
    const idle = mem.worker.idleRssMb ?? 0;
    const perWorkflow = (mem.worker.rssMb - idle) / cached;
    const fits = perWorkflow > 0 ? Math.max(0, Math.floor((600 - idle) / perWorkflow)) : null;
    rows.push({
      quantity:
        'Worker memory: cached unit workflows a 600 MB worker holds (the rest are evicted and replayed from history at their next task)',
      measured:
        `${fmt(mem.worker.rssMb, 0)} MB RSS with ${fmt(cached, 0)} cached (${fmt(perWorkflow, 2)} MB ` +
        `each over ${fmt(idle, 0)} MB idle)`,
      country:
        fits === null
          ? '—'
          : `${fmt(fits, 0)} per worker: ${fmt(Math.ceil(U / Math.max(1, fits)), 0)} workers to keep all ${fmt(U, 0)} cached (optional)`,
      budget: '600 MB per worker',
      load: mem.worker.rssMb / 600,
    });
  }
  const sizes = report?.tableSizes;
  if (history && sizes && rehearsal) {
    const perUnit =
      (rehearsal.obligationsPerUnit ?? 0) * (sizes.obligations?.bytesPerRow ?? 0) +
      (history.meanSubmissions ?? 0) * (sizes.submissions?.bytesPerRow ?? 0) +
      (history.meanRecordTransitions ?? 0) * (sizes.events?.bytesPerRow ?? 0) +
      (history.meanEmails ?? 0) * (sizes.emails?.bytesPerRow ?? 0);
    rows.push({
      quantity: "chuky's PostgreSQL growth per year (obligations, submissions, events, outbox; indexes included)",
      measured: `${fmt(perUnit / 1024)} KB per unit-year`,
      country: `${bytes(U * perUnit)} per year`,
      budget: '—',
      load: null,
    });
  }
  const levels = submission?.levels;
  if (levels?.length) {
    const best = Math.max(...levels.map((l) => l.perSecond));
    // Half the units send in the last two working days before a deadline, within office hours.
    const needed = (U * 0.5) / (2 * 8 * HOUR);
    rows.push({
      quantity: 'Form submissions before a deadline (half the units in its last two working days)',
      measured: `${fmt(best)} req/s (one API process, one worker)`,
      country: `${fmt(needed, 2)} req/s needed`,
      budget: `${fmt(best)} req/s`,
      load: needed / best,
    });
  }
  const runs = report?.runs;
  const biggest = runs?.at(-1);
  if (biggest) {
    rows.push({
      quantity: `One committee's report (${fmt(biggest.units, 0)} units); freezing its year at the close`,
      measured: `compile ${fmt(biggest.compileS, 2)} s, freeze ${fmt(biggest.freezeS, 2)} s`,
      country: 'per committee (reports are not national)',
      budget: 'compile 30 s; freeze 60 s (activity heartbeat timeout)',
      load: Math.max(biggest.compileS / 30, biggest.freezeS / 60),
    });
  }
  return rows;
}

export function scaleMarkdown(rows: ScaleRow[], meta: { mode: string; date: string; commit: string }): string[] {
  const worst = rows.reduce<ScaleRow | undefined>(
    (w, r) => (r.load !== null && (w === undefined || (w.load ?? -1) < r.load) ? r : w),
    undefined,
  );
  return [
    `Measured by \`npm run bench\` (${meta.mode} run, ${meta.date}, commit ${meta.commit}); scaled ` +
      `to ${COUNTRY.units.toLocaleString('en')} grassroots organisations. "Load" is the country-wide ` +
      `figure over its budget: above 1, one machine like the bench's is not enough; ◀ marks the largest.`,
    '',
    '| quantity | measured | country-wide | budget | load |',
    '|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.quantity} | ${r.measured} | ${r.country} | ${r.budget} ` +
        `| ${r.load === null ? '—' : `${r.load.toFixed(r.load < 10 ? 2 : 0)}${r === worst ? ' ◀' : ''}`} |`,
    ),
    '',
    worst ? `First bottleneck by this table: **${worst.quantity}** (load ${worst.load!.toFixed(1)}).` : 'No row has a budget.',
  ];
}

export const SCALE_BEGIN = '<!-- bench:scale:begin (written by npm run bench; do not edit by hand) -->';
export const SCALE_END = '<!-- bench:scale:end -->';

/** Replaces the text between the markers in docs/SCALE.md; false when the file or its markers are missing. */
export function writeScaleTable(file: string, lines: string[]): boolean {
  if (!fs.existsSync(file)) return false;
  const text = fs.readFileSync(file, 'utf8');
  const a = text.indexOf(SCALE_BEGIN);
  const b = text.indexOf(SCALE_END);
  if (a < 0 || b < a) return false;
  fs.writeFileSync(file, `${text.slice(0, a + SCALE_BEGIN.length)}\n${lines.join('\n')}\n${text.slice(b)}`);
  return true;
}
