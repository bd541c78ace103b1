/**
 * The national slice (`npm run bench -- --scenario national-slice [--units N] [--committees C] [--workers W]`):
 * a province's worth of committees, each with its own cycle and units (the bench's fixture writer), all launched
 * on the real Temporal server, then one 08:00 burst in which every open unit wakes at the same minute
 * (bench/burst.ts). Measured: limit errors (workers, client, server logs), the time until every notice is in
 * the SMTP sink, the server's, PostgreSQL's and the workers' CPU and memory, and the size of PostgreSQL's three
 * databases (temporal, temporal_visibility, chuky's).
 */
import { type BenchContext } from '../context.js';
import { launchAndBurst, type BurstData } from '../burst.js';
import { describeCpu } from '../procs.js';
import { emptyResult, fmt, type ScenarioResult } from '../results.js';
import { round } from '../stats.js';

export const NATIONAL_SLICE_DEFAULTS = { units: 20_000, committees: 100, workers: 2 } as const;

export interface NationalSliceOptions {
  units: number;
  committees: number;
  workers: number;
  burstAfterS?: number | undefined;
  /** The real server's history shards (recorded; the stack is started with them). */
  historyShards: number;
}

const mb = (bytes: number | null | undefined) => (bytes === null || bytes === undefined ? null : round(bytes / 1024 ** 2, 1));

export async function nationalSliceScenario(ctx: BenchContext, o: NationalSliceOptions): Promise<ScenarioResult> {
  const r = emptyResult(
    'national-slice',
    9,
    `National slice: ${o.units.toLocaleString('en')} units in ${o.committees} committees, launched, then one 08:00 burst`,
  );
  if (ctx.stack.engine !== 'server') throw new Error('the national slice runs on the real Temporal server (--engine server)');
  const d: BurstData = await launchAndBurst(ctx, {
    prefix: 'NS',
    committees: o.committees,
    units: o.units,
    workers: o.workers,
    ...(o.burstAfterS !== undefined ? { burstAfterS: o.burstAfterS } : {}),
  });
  r.figures.push(
    {
      id: 'national-slice.limitErrors',
      label: `Limit errors (RESOURCE_EXHAUSTED, rate limits): workers ${d.limitErrors.workers}, client ${d.limitErrors.client}, server log ${d.limitErrors.server}`,
      value: d.limitErrors.total,
      unit: 'errors',
    },
    {
      id: 'national-slice.allStarted',
      label: `Launch: every unit workflow started after (${d.launch.startRate === null ? '—' : fmt(d.launch.startRate, 1)} units/s)`,
      value: d.launch.allStartedS === null ? null : round(d.launch.allStartedS, 1),
      unit: 's',
      ...(d.launch.finishedBeforeBurst ? {} : { note: `not finished before the burst: ${d.launch.openAtBurst ?? '?'} running` }),
    },
    {
      id: 'national-slice.allNotices',
      label: `08:00 burst: every notice delivered after (${d.burst.noticeRate === null ? '—' : fmt(d.burst.noticeRate, 1)} notices/s)`,
      value: d.burst.allNoticesS === null ? null : round(d.burst.allNoticesS, 1),
      unit: 's',
      ...(d.burst.completed ? {} : { note: `timed out: ${d.burst.notices}/${o.units} delivered` }),
    },
    ...Object.entries(d.databases).map(([name, bytes]) => ({
      id: `national-slice.db.${name}`,
      label: `PostgreSQL database ${name} (pg_database_size)`,
      value: mb(bytes),
      unit: 'MB',
    })),
  );
  r.tables.push({
    title: 'Memory by process (resident, MB; PostgreSQL: proportional set size summed over its processes, shared memory counted once)',
    columns: ['process', 'peak sampled', 'at the end'],
    rows: d.memory.map((m) => [
      m.label,
      m.maxRssMb === null ? null : round(m.maxRssMb, 0),
      m.endRssMb === null ? null : round(m.endRssMb, 0),
    ]),
  });
  r.tables.push({
    title: 'CPU seconds by process',
    columns: ['process', 'launch cpu-s', 'launch % of all cores', 'burst cpu-s', 'burst % of all cores'],
    rows: [...new Set([...d.cpu.launch.byProcess, ...d.cpu.burst.byProcess].map((p) => p.label))].map((label) => {
      const l = d.cpu.launch.byProcess.find((p) => p.label === label);
      const b = d.cpu.burst.byProcess.find((p) => p.label === label);
      return [
        label,
        l ? round(l.cpuS, 1) : null,
        l ? round(100 * l.shareOfCapacity, 0) : null,
        b ? round(b.cpuS, 1) : null,
        b ? round(100 * b.shareOfCapacity, 0) : null,
      ];
    }),
  });
  r.cpu.push({ window: 'launch (first startCycle → last unit workflow started)', split: d.cpu.launch });
  r.cpu.push({ window: '08:00 burst (08:00 → last notice)', split: d.cpu.burst });
  if (d.limitErrors.total)
    r.findings.push(
      `Limit errors: ${d.limitErrors.lines
        .slice(0, 3)
        .map((l) => `\`${l}\``)
        .join('; ')}`,
    );
  if (!d.launch.finishedBeforeBurst)
    r.findings.push(
      `The launch had not finished when the burst fell due ${d.burstAfterS} s in (${d.launch.openAtBurst ?? '?'} of ${o.units} unit ` +
        'workflows running): the burst overlapped it; run again with a larger --burst-after.',
    );
  r.findings.push(`During the burst: ${describeCpu(d.cpu.burst)}.`);
  r.data = { ...d, options: o };
  return r;
}

/** The measured table docs/SCALE.md quotes (between its national-slice markers). */
export function nationalSliceMarkdown(r: ScenarioResult, meta: { date: string; commit: string; mode: string }): string[] {
  const d = r.data as Partial<BurstData>;
  if (r.status !== 'ok' || !d.launch || !d.burst) return [`_The national slice did not complete (${r.error ?? r.status})._`];
  const peak = (prefix: string) =>
    (d.memory ?? []).filter((m) => m.label.startsWith(prefix)).reduce((n, m) => n + (m.maxRssMb ?? 0), 0) || null;
  const cpu = (label: string) =>
    d.cpu?.burst.byProcess.filter((p) => p.label.startsWith(label)).reduce((n, p) => n + p.shareOfCapacity, 0) ?? null;
  const rows: [string, string][] = [
    [
      'units / committees / worker processes / history shards',
      `${fmt(d.units)} / ${fmt(d.committees)} / ${fmt(d.workers)} / ${fmt((r.data.options as NationalSliceOptions | undefined)?.historyShards)}`,
    ],
    ['launch: every unit workflow started', `${fmt(d.launch.allStartedS, 0)} s (${fmt(d.launch.startRate, 1)} units/s)`],
    ['08:00 burst: every notice delivered', `${fmt(d.burst.allNoticesS, 0)} s (${fmt(d.burst.noticeRate, 1)} notices/s)`],
    [
      'limit errors (workers / client / server log)',
      `${fmt(d.limitErrors?.total)} (${fmt(d.limitErrors?.workers)} / ${fmt(d.limitErrors?.client)} / ${fmt(d.limitErrors?.server)})`,
    ],
    [
      'peak memory: Temporal server / workers (sum) / PostgreSQL',
      `${fmt(peak('temporal'), 0)} / ${fmt(peak('chuky worker'), 0)} / ${fmt(peak('postgres'), 0)} MB`,
    ],
    [
      'CPU during the burst: Temporal server / workers / PostgreSQL (share of all cores)',
      [cpu('temporal'), cpu('chuky worker'), cpu('postgres')].map((x) => (x === null ? '—' : `${(100 * x).toFixed(0)}%`)).join(' / '),
    ],
    [
      'PostgreSQL: temporal / temporal_visibility / chuky',
      ['temporal', 'temporal_visibility', ...Object.keys(d.databases ?? {}).filter((k) => !k.startsWith('temporal'))]
        .map((k) => `${fmt(mb(d.databases?.[k]), 0)} MB`)
        .join(' / '),
    ],
  ];
  return [
    meta.mode === 'quick'
      ? `_Small run (${fmt(d.units)} units), to check the bench: figures not to be quoted. ${meta.date}, \`${meta.commit}\`._`
      : `_Measured by \`npm run bench -- --scenario national-slice\` on ${meta.date} at \`${meta.commit}\`._`,
    '',
    '| quantity | measured |',
    '|---|---|',
    ...rows.map(([q, v]) => `| ${q} | ${v} |`),
  ];
}
