/**
 * 8. Scale-out: the same launch and 08:00 burst (bench/burst.ts: one cycle on a compressed calendar, every unit's
 * notice due at one instant) with one chuky worker process, then with two, on the same Temporal. What a second
 * worker buys: the launch's start rate and the burst's delivery time, side by side. Runs on the real server only.
 */
import { type BenchContext } from '../context.js';
import { launchAndBurst, type BurstData } from '../burst.js';
import { describeCpu } from '../procs.js';
import { emptyResult, type ScenarioResult } from '../results.js';
import { round } from '../stats.js';

export async function scaleOutScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const r = emptyResult('scale-out', 8, 'Scale-out: launch and 08:00 burst with 1 and 2 worker processes');
  const n = ctx.sizes.scaleOut;
  const runs: BurstData[] = [];
  for (const workers of [1, 2]) {
    const d = await launchAndBurst(ctx, { prefix: `SO${workers}W`, committees: 1, units: n, workers });
    runs.push(d);
    const w = `${workers} worker${workers === 1 ? '' : 's'}`;
    r.figures.push(
      {
        id: `scale-out.w${workers}.startRate`,
        label: `${n.toLocaleString('en')} units, ${w}: unit workflows started per second`,
        value: d.launch.startRate === null ? null : round(d.launch.startRate, 1),
        unit: 'units/s',
      },
      {
        id: `scale-out.w${workers}.allNotices`,
        label: `${n.toLocaleString('en')} units, ${w}: every 08:00 notice delivered after`,
        value: d.burst.allNoticesS === null ? null : round(d.burst.allNoticesS, 1),
        unit: 's',
        ...(d.burst.completed ? {} : { note: `timed out: ${d.burst.notices}/${n} delivered` }),
      },
      {
        id: `scale-out.w${workers}.limitErrors`,
        label: `${n.toLocaleString('en')} units, ${w}: limit errors (workers, client, server log)`,
        value: d.limitErrors.total,
        unit: 'errors',
      },
    );
    r.cpu.push(
      { window: `launch of ${n} units, ${w}`, split: d.cpu.launch },
      { window: `08:00 burst of ${n} units, ${w}`, split: d.cpu.burst },
    );
    if (!d.launch.finishedBeforeBurst)
      r.findings.push(
        `With ${w} the launch of ${n} units had not finished when the burst fell due (${d.burstAfterS} s): the burst overlapped it.`,
      );
    if (d.limitErrors.total) r.findings.push(`With ${w}: ${d.limitErrors.total} limit error(s), e.g. \`${d.limitErrors.lines[0] ?? ''}\``);
  }
  const [one, two] = runs;
  const speedup = (a: number | null | undefined, b: number | null | undefined) => (a && b ? b / a : null);
  r.tables.push({
    title: `Launch and 08:00 burst of ${n.toLocaleString('en')} units by worker processes (burst: seconds from 08:00)`,
    columns: [
      'workers',
      'all started s',
      'units/s started',
      'first notice s',
      'all notices s',
      'notices/s',
      'limit errors',
      'peak worker RSS MB',
    ],
    rows: runs.map((d) => [
      d.workers,
      d.launch.allStartedS === null ? null : round(d.launch.allStartedS, 1),
      d.launch.startRate === null ? null : round(d.launch.startRate, 1),
      d.burst.firstNoticeS === null ? null : round(d.burst.firstNoticeS, 1),
      d.burst.allNoticesS === null ? null : round(d.burst.allNoticesS, 1),
      d.burst.noticeRate === null ? null : round(d.burst.noticeRate, 1),
      d.limitErrors.total,
      round(Math.max(0, ...d.memory.filter((m) => m.label.startsWith('chuky worker')).map((m) => m.maxRssMb ?? 0)), 0),
    ]),
  });
  const launchGain = speedup(one?.launch.startRate, two?.launch.startRate);
  const burstGain = speedup(two?.burst.allNoticesS, one?.burst.allNoticesS);
  r.figures.push(
    {
      id: 'scale-out.launchGain',
      label: 'Launch start rate, 2 workers over 1',
      value: launchGain === null ? null : round(launchGain, 2),
      unit: '×',
    },
    {
      id: 'scale-out.burstGain',
      label: 'Burst delivery time, 1 worker over 2',
      value: burstGain === null ? null : round(burstGain, 2),
      unit: '×',
    },
  );
  if (two) r.findings.push(`During the 08:00 burst with 2 workers: ${describeCpu(two.cpu.burst)}.`);
  r.data = { units: n, runs };
  return r;
}
