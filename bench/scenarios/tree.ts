/**
 * 11. The Party tree (issue 17): one province's cycle whose units are its committees, and each committee's own cycle
 * as its child (checked for the cascade at start), launched together on one compressed calendar, then one 08:00
 * burst in which every unit of every level wakes at once (bench/burst.ts). Measured: the launch, the time until
 * every notice (the committees' units' and the province's, one per committee) is in the SMTP sink, limit errors.
 * The national slice (--scenario national-slice) is the same launch and burst at a country's size.
 */
import { type BenchContext } from '../context.js';
import { launchAndBurst } from '../burst.js';
import { describeCpu } from '../procs.js';
import { emptyResult, fmt, type ScenarioResult } from '../results.js';
import { round } from '../stats.js';

export async function treeScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const { committees, units } = ctx.sizes.tree;
  const r = emptyResult('tree', 11, `Party tree: a province over ${committees} committees with ${units.toLocaleString('en')} units`);
  const d = await launchAndBurst(ctx, { prefix: 'TR', committees, units, workers: 1, tree: true });
  const all = units + committees;
  r.figures.push(
    {
      id: 'tree.allStarted',
      label: `Launch: every unit workflow of the tree (${fmt(all)}) started after (${d.launch.startRate === null ? '—' : fmt(d.launch.startRate, 1)} units/s)`,
      value: d.launch.allStartedS === null ? null : round(d.launch.allStartedS, 1),
      unit: 's',
      ...(d.launch.finishedBeforeBurst ? {} : { note: `not finished before the burst: ${d.launch.openAtBurst ?? '?'} running` }),
    },
    {
      id: 'tree.allNotices',
      label: `08:00: every notice of the tree (${fmt(all)}) delivered after (${d.burst.noticeRate === null ? '—' : fmt(d.burst.noticeRate, 1)} notices/s)`,
      value: d.burst.allNoticesS === null ? null : round(d.burst.allNoticesS, 1),
      unit: 's',
      ...(d.burst.completed ? {} : { note: `timed out: ${d.burst.notices}/${all} delivered` }),
    },
    {
      id: 'tree.limitErrors',
      label: `Limit errors (workers ${d.limitErrors.workers}, client ${d.limitErrors.client}, server log ${d.limitErrors.server})`,
      value: d.limitErrors.total,
      unit: 'errors',
    },
  );
  r.cpu.push({ window: '08:00 burst (08:00 → last notice)', split: d.cpu.burst });
  r.findings.push(`During the burst: ${describeCpu(d.cpu.burst)}.`);
  r.data = { ...d };
  return r;
}
