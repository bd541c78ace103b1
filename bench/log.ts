/**
 * Progress as plain log lines (no extra dependency): each line carries the time since the bench started, so a
 * slow step shows itself in the log of a long run.
 */
const started = Date.now();

export type Log = (message: string) => void;

function stamp(): string {
  const s = Math.floor((Date.now() - started) / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

export const log: Log = (message) => {
  process.stdout.write(`[bench ${stamp()}] ${message}\n`);
};

/** A log whose lines are prefixed with a scenario's name. */
export function scoped(name: string, parent: Log = log): Log {
  return (message) => parent(`${name}: ${message}`);
}

/**
 * A progress line for a long wait, printed at most every `everyMs`: "launch 5000: 1,234/5,000 notices (24.7%)".
 */
export function progress(l: Log, label: string, total: number, everyMs = 5_000): (done: number, extra?: string) => void {
  let last = 0;
  return (done, extra) => {
    const now = Date.now();
    if (now - last < everyMs && done < total) return;
    last = now;
    const pct = total > 0 ? ` (${((100 * done) / total).toFixed(1)}%)` : '';
    l(`${label}: ${done.toLocaleString('en')}/${total.toLocaleString('en')}${pct}${extra ? `, ${extra}` : ''}`);
  };
}
