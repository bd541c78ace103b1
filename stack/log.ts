// The one logging shape the stack accepts: a function taking a line of text.
export type StackLog = (msg: string) => void;

/**
 * Default sink: stderr with a prefix, so provisioning (which may download tens
 * of megabytes) is visible but never mixes with a command's stdout output.
 */
export const defaultLog: StackLog = (msg) => {
  process.stderr.write(`[chuky stack] ${msg}\n`);
};

/** Keeps the last lines of a child process's output, for error messages. */
export class OutputTail {
  private lines: string[] = [];
  private partial = '';
  constructor(private readonly maxLines = 40) {}

  push(chunk: Buffer | string): void {
    const text = this.partial + chunk.toString();
    const parts = text.split(/\r?\n/);
    this.partial = parts.pop() ?? '';
    for (const line of parts) {
      this.lines.push(line);
      if (this.lines.length > this.maxLines) this.lines.shift();
    }
  }

  text(): string {
    return [...this.lines, this.partial].filter((l) => l.length > 0).join('\n');
  }
}
