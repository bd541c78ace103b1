/**
 * The one error type of the configuration layer. Every loader collects all the problems it can find and throws
 * them together, each located as precisely as the source allows, so an operator can fix a file in one pass.
 */

export interface ConfigIssue {
  /** The file the problem is in; absent for the process environment. */
  file?: string;
  /** 1-based line in that file (for CSV the header is line 1). */
  line?: number;
  /** The field: a path such as `phases[0].deadline`, a CSV header as written in the file, or a variable name. */
  field: string;
  /** What is wrong: in English for an operator's files, in Vietnamese for what unit clerks keep (units lists). */
  message: string;
}

/** `file:line: field: message`, leaving out whatever is unknown. */
export function formatIssue(issue: ConfigIssue): string {
  let location = '';
  if (issue.file !== undefined && issue.file !== '') {
    location = issue.line !== undefined ? `${issue.file}:${issue.line}: ` : `${issue.file}: `;
  } else if (issue.line !== undefined) {
    location = `line ${issue.line}: `;
  }
  const field = issue.field !== '' ? `${issue.field}: ` : '';
  return `${location}${field}${issue.message}`;
}

export class ConfigError extends Error {
  readonly issues: ConfigIssue[];

  constructor(issues: ConfigIssue[]) {
    const list = issues.length > 0 ? issues : [{ field: '', message: 'invalid configuration' }];
    super(list.map(formatIssue).join('\n'));
    this.name = 'ConfigError';
    this.issues = list;
  }

  /** One line per issue, `file:line: field: message`. */
  override toString(): string {
    return this.message;
  }
}

export function isConfigError(error: unknown): error is ConfigError {
  return error instanceof ConfigError;
}

/** A zod issue path as an operator reads it: `phases[0].deadline`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}
