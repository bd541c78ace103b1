/**
 * What the processes of a run cost, read from /proc (Linux): the resident memory of a process, and the CPU time
 * each process of the stack spent during a scenario. The CPU split is the bench's first piece of evidence: with
 * every service on one machine, it tells which process a slow scenario was waiting for (the Temporal server,
 * PostgreSQL, the worker, the SMTP sink) and whether the machine's cores were saturated at all.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

interface Stat {
  pid: number;
  ppid: number;
  comm: string;
  /** utime + stime of the process itself (all its threads), in clock ticks. */
  ticks: number;
}

function readStat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // comm is in parentheses and may itself contain spaces or parentheses: split after the last ')'.
  const close = text.lastIndexOf(')');
  const comm = text.slice(text.indexOf('(') + 1, close);
  const rest = text.slice(close + 2).split(' ');
  // rest[0] is field 3 (state); ppid is field 4, utime 14, stime 15.
  return { pid, ppid: Number(rest[1]), comm, ticks: Number(rest[11]) + Number(rest[12]) };
}

function allPids(): number[] {
  try {
    return fs
      .readdirSync('/proc')
      .filter((n) => /^\d+$/.test(n))
      .map(Number);
  } catch {
    return [];
  }
}

/** Resident memory now and at its peak (VmHWM), in MB; undefined when the process is gone. */
export function memoryOf(pid: number): { rssMb: number; peakMb: number } | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

export interface CpuSplit {
  wallS: number;
  cores: number;
  /** CPU seconds per process (with its descendants), largest first. */
  byProcess: { label: string; cpuS: number; shareOfCapacity: number }[];
  totalCpuS: number;
  /** totalCpuS / (wallS × cores): 1 means every core was busy all the time. */
  utilisation: number;
  /** The whole machine over the window (/proc/stat): busy share of all cores, of which not the bench's, and I/O wait. */
  machine: { busy: number; others: number; iowait: number } | null;
}

/** The machine's CPU counters (/proc/stat, first line), in ticks. */
function machineTicks(): { busy: number; total: number; iowait: number } | undefined {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = v;
    const busy = user + nice + system + irq + softirq + steal;
    return { busy, total: busy + idle + iowait, iowait };
  } catch {
    return undefined;
  }
}

/**
 * Samples the CPU time of the bench's processes every `intervalMs` while a scenario runs. Known processes (the
 * dev server, PostgreSQL, a worker…) are labelled by name; any other descendant of the bench process (the
 * rehearsal's own PostgreSQL and test server) by its command name. Each process is counted by its own ticks, so
 * nothing is counted twice; a process that exits loses at most one interval.
 */
export class CpuSampler {
  private readonly first = new Map<number, number>();
  private readonly last = new Map<number, { ticks: number; label: string }>();
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private machineAtStart: ReturnType<typeof machineTicks>;

  constructor(
    private readonly roots: () => Map<number, string>,
    private readonly intervalMs = 500,
  ) {}

  private sample(initial: boolean): void {
    const stats = new Map<number, Stat>();
    for (const pid of allPids()) {
      const s = readStat(pid);
      if (s) stats.set(pid, s);
    }
    const roots = this.roots();
    const self = process.pid;
    for (const s of stats.values()) {
      const label = this.labelOf(s, stats, roots, self);
      if (label === undefined) continue;
      if (initial) this.first.set(s.pid, s.ticks);
      else if (!this.first.has(s.pid)) this.first.set(s.pid, 0); // born during the scenario: all its time counts
      this.last.set(s.pid, { ticks: s.ticks, label });
    }
  }

  private labelOf(s: Stat, stats: Map<number, Stat>, roots: Map<number, string>, self: number): string | undefined {
    if (s.pid === self) return 'bench runner';
    let cur: Stat | undefined = s;
    let topChild: Stat | undefined;
    for (let depth = 0; cur && depth < 64; depth++) {
      const known = roots.get(cur.pid);
      if (known) return known;
      if (cur.ppid === self) {
        topChild = cur;
        break;
      }
      cur = stats.get(cur.ppid);
    }
    return topChild ? `${topChild.comm} (child of the runner)` : undefined;
  }

  start(): this {
    this.startedAt = Date.now();
    this.machineAtStart = machineTicks();
    this.sample(true);
    this.timer = setInterval(() => this.sample(false), this.intervalMs);
    this.timer.unref();
    return this;
  }

  stop(): CpuSplit {
    if (this.timer) clearInterval(this.timer);
    this.sample(false);
    const wallS = (Date.now() - this.startedAt) / 1000;
    const cores = os.availableParallelism();
    const hz = clockTicks();
    const byLabel = new Map<string, number>();
    for (const [pid, { ticks, label }] of this.last) {
      const delta = Math.max(0, ticks - (this.first.get(pid) ?? ticks));
      byLabel.set(label, (byLabel.get(label) ?? 0) + delta / hz);
    }
    const totalCpuS = [...byLabel.values()].reduce((a, b) => a + b, 0);
    const capacity = Math.max(1e-9, wallS * cores);
    const m0 = this.machineAtStart;
    const m1 = machineTicks();
    let machine: CpuSplit['machine'] = null;
    if (m0 && m1 && m1.total > m0.total) {
      const total = m1.total - m0.total;
      const busy = (m1.busy - m0.busy) / total;
      machine = { busy, others: Math.max(0, busy - totalCpuS / capacity), iowait: (m1.iowait - m0.iowait) / total };
    }
    return {
      machine,
      wallS,
      cores,
      byProcess: [...byLabel.entries()]
        .filter(([, cpuS]) => cpuS >= 0.01)
        .map(([label, cpuS]) => ({ label, cpuS, shareOfCapacity: cpuS / capacity }))
        .sort((a, b) => b.cpuS - a.cpuS),
      totalCpuS,
      utilisation: totalCpuS / capacity,
    };
  }
}

/** "temporal dev server 41% of 2 cores, postgres 22%, …; machine busy 71%". */
export function describeCpu(split: CpuSplit): string {
  const parts = split.byProcess.slice(0, 6).map((p) => `${p.label} ${p.cpuS.toFixed(1)} cpu-s (${(100 * p.shareOfCapacity).toFixed(0)}%)`);
  const m = split.machine;
  const machine = m
    ? `; the machine was busy ${(100 * m.busy).toFixed(0)}% (other processes than the ` +
      `bench's ${(100 * m.others).toFixed(0)}%), I/O wait ${(100 * m.iowait).toFixed(0)}%`
    : '';
  return (
    `over ${split.wallS.toFixed(1)} s on ${split.cores} cores: ${parts.join(', ')}; the bench's ` +
    `processes used ${(100 * split.utilisation).toFixed(0)}% of all cores${machine}`
  );
}

/** The PID in a PostgreSQL data directory's postmaster.pid, if the server runs. */
export function postmasterPid(dataDir: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(`${dataDir}/postmaster.pid`, 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
