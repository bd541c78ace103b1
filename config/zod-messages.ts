/**
 * Operator-friendly zod messages, shared by the environment and cycle loaders. Internal to `config/`.
 */
import type * as z from 'zod';
import { formatPath, type ConfigIssue } from './errors.js';

function describeInput(input: unknown): string {
  if (input === null) return 'empty value';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  if (typeof input === 'string') return `text ${JSON.stringify(input)}`;
  if (
    typeof input === 'number' ||
    typeof input === 'boolean' ||
    typeof input === 'bigint' ||
    typeof input === 'symbol' ||
    input === undefined
  ) {
    return `${typeof input} ${String(input)}`;
  }
  return typeof input; // a function: its source text would say nothing to an operator
}

const EXPECTED: Record<string, string> = {
  object: 'a mapping (key: value)',
  array: 'a list',
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
};

/** Per-parse error map: pass as `schema.safeParse(data, { error: operatorErrorMap })`. */
export const operatorErrorMap: z.core.$ZodErrorMap = (iss) => {
  switch (iss.code) {
    case 'invalid_type': {
      if (iss.input === undefined) return 'required';
      const expected = EXPECTED[iss.expected] ?? iss.expected;
      return `expected ${expected}, got ${describeInput(iss.input)}`;
    }
    case 'invalid_value':
      if (iss.input === undefined) return 'required';
      return `must be one of ${iss.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describeInput(iss.input)}`;
    case 'too_small':
      if (iss.origin === 'array') return `must have at least ${String(iss.minimum)} item(s)`;
      if (iss.origin === 'string') return iss.minimum === 1 ? 'must not be empty' : `must be at least ${String(iss.minimum)} characters`;
      return `must be ${iss.inclusive ? '>=' : '>'} ${String(iss.minimum)}`;
    case 'too_big':
      if (iss.origin === 'array') return `must have at most ${String(iss.maximum)} item(s)`;
      if (iss.origin === 'string') return `must be at most ${String(iss.maximum)} characters`;
      return `must be ${iss.inclusive ? '<=' : '<'} ${String(iss.maximum)}`;
    case 'invalid_format':
      if (iss.format === 'email') return `not a valid email address: ${describeInput(iss.input)}`;
      if (iss.format === 'url') return `not a valid URL: ${describeInput(iss.input)}`;
      return undefined;
    default:
      return undefined;
  }
};

/** Flatten zod issues into config issues with a path; `unrecognized_keys` becomes one issue per unknown key. */
export function zodIssuesToPaths(issues: readonly z.core.$ZodIssue[]): { path: PropertyKey[]; message: string }[] {
  const out: { path: PropertyKey[]; message: string }[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: [...issue.path, key], message: 'unknown field (check the spelling)' });
    } else if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // Report the branch that got furthest; zod's own message for unions is unhelpful.
      const best = [...issue.errors].sort((a, b) => a.length - b.length)[0] ?? [];
      out.push(...zodIssuesToPaths(best.map((i) => ({ ...i, path: [...issue.path, ...i.path] }))));
    } else {
      out.push({ path: [...issue.path], message: issue.message });
    }
  }
  return out;
}

export function dedupeIssues(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.file ?? ''}\u0000${i.line ?? ''}\u0000${i.field}\u0000${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export { formatPath };
