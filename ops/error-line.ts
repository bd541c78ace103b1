/**
 * An error as one line, for a report's cause or a check's detail. Its own module: `chuky doctor` needs it, and
 * importing it from the stall detector cost doctor a tenth of a second (the cycle config's schemas and the rest).
 */
export function firstLine(s: string): string {
  const line = s.split('\n').find((l) => l.trim()) ?? s;
  return line.length > 400 ? `${line.slice(0, 399)}…` : line.trim();
}

export function errorLine(err: unknown): string {
  return firstLine(err instanceof Error ? err.message : String(err));
}
