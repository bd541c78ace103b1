/** What a scenario reports: its figures (each with its target and verdict where one exists), tables, evidence. */
import type { CpuSplit } from './procs.js';
import type { ProfileSummary } from './profile.js';

export type Verdict = 'met' | 'missed' | 'not measured';

export interface Target {
  /** The wording of the issue: "≥ half the engine baseline". */
  text: string;
  op: '<' | '<=' | '>=' | '>' | '==';
  threshold: number;
}

export interface Figure {
  id: string;
  label: string;
  value: number | null;
  unit: string;
  digits?: number;
  target?: Target & { verdict: Verdict; note?: string };
  /** The figure's ratio to the engine's own limit measured in the same run. */
  ratio?: { to: string; value: number | null };
  note?: string;
}

export interface Table {
  title: string;
  columns: string[];
  rows: (string | number | null)[][];
}

export interface ScenarioResult {
  id: string;
  /** The Temporal it ran on (bench/stack.ts), when the run measured more than the dev server. */
  engine?: 'dev' | 'server';
  number: number;
  title: string;
  status: 'ok' | 'failed' | 'skipped';
  durationMs: number;
  figures: Figure[];
  tables: Table[];
  /** CPU split per process for the scenario's measured windows. */
  cpu: { window: string; split: CpuSplit }[];
  profiles: ProfileSummary[];
  /** Plain statements of what the numbers show, including why a target was missed. */
  findings: string[];
  /** Raw numbers for results.json (and for SCALE.md's extrapolation). */
  data: Record<string, unknown>;
  error?: string;
}

export function emptyResult(id: string, number: number, title: string): ScenarioResult {
  return { id, number, title, status: 'ok', durationMs: 0, figures: [], tables: [], cpu: [], profiles: [], findings: [], data: {} };
}

export function judge(value: number | null | undefined, target: Target, note?: string): Figure['target'] {
  if (value === null || value === undefined || !Number.isFinite(value))
    return { ...target, verdict: 'not measured', ...(note ? { note } : {}) };
  const ok =
    target.op === '<'
      ? value < target.threshold
      : target.op === '<='
        ? value <= target.threshold
        : target.op === '>='
          ? value >= target.threshold
          : target.op === '>'
            ? value > target.threshold
            : value === target.threshold;
  return { ...target, verdict: ok ? 'met' : 'missed', ...(note ? { note } : {}) };
}

export function fmt(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined) return '—';
  if (!Number.isFinite(value)) return String(value);
  return value.toLocaleString('en', { minimumFractionDigits: 0, maximumFractionDigits: digits });
}
