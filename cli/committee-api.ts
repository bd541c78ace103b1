/**
 * The command line of a committee's operator (issue 17). With CHUKY_API_URL and CHUKY_COMMITTEE_TOKEN (a token
 * from `chuky api-token create --committee X`) set, `chuky` holds no key to the database or to Temporal: every
 * command it runs for that committee goes through the operator API, whose scope (api/api-scope.ts) is then the
 * command line's scope, and the commands that need the deployment's keys are refused (cli/committee-mode.ts).
 */
import { ConfigError, type ConfigIssue } from '../config/errors.js';

export interface CommitteeApi {
  /** The deployment's address, as given (for messages). */
  readonly url: string;
  get<T>(path: string, query?: Record<string, string | string[] | number | undefined>): Promise<T>;
  send<T>(method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<T>;
  /** A body that is not JSON (a units CSV), with its content type. */
  sendText<T>(path: string, text: string, contentType: string, query?: Record<string, string | undefined>): Promise<T>;
}

/** An answer from the API that is its refusal: the command's error, with the exit code that says what kind. */
export class CommitteeApiError extends Error {
  override name = 'CommitteeApiError';
  constructor(
    message: string,
    readonly status: number,
    /** sysexits' EX_TEMPFAIL (75) when the deployment was busy: "try again later", as for a local busy engine. */
    readonly exitCode: number = 1,
  ) {
    super(message);
  }
}

/** A path in the operator API from its segments, each encoded (a cycle's or unit's id may hold any character). */
export function apiPath(...segments: (string | number)[]): string {
  return segments.map((s) => `/${encodeURIComponent(String(s))}`).join('');
}

const TOKEN = /^chuky_[A-Za-z0-9_-]{43}$/;

/** The committee's API from the environment; undefined when neither variable is set (the deployment's own CLI). */
export function committeeApiFromEnv(env: NodeJS.ProcessEnv = process.env): CommitteeApi | undefined {
  const url = env.CHUKY_API_URL?.trim() ?? '';
  const token = env.CHUKY_COMMITTEE_TOKEN?.trim() ?? '';
  if (!url && !token) return undefined;
  const issues: ConfigIssue[] = [];
  if (!url)
    issues.push({
      field: 'CHUKY_API_URL',
      message: "CHUKY_COMMITTEE_TOKEN is set: also set the deployment's address (e.g. https://chuky.example.vn)",
    });
  if (!token)
    issues.push({
      field: 'CHUKY_COMMITTEE_TOKEN',
      message: "CHUKY_API_URL is set: also set the committee's token (from `chuky api-token create`)",
    });
  else if (!TOKEN.test(token))
    issues.push({
      field: 'CHUKY_COMMITTEE_TOKEN',
      message: 'not a committee token: it starts with chuky_ and has 49 characters, as `chuky api-token create` printed it',
    });
  let base: URL | undefined;
  if (url) {
    try {
      base = new URL(url);
      if (base.protocol !== 'https:' && base.protocol !== 'http:') throw new Error();
    } catch {
      issues.push({ field: 'CHUKY_API_URL', message: `"${url}" is not an http(s) address` });
    }
  }
  if (issues.length || !base) throw new ConfigError(issues);
  // Over plain http the token would cross the network readable; only a machine's own loopback is spared that.
  if (base.protocol === 'http:' && !['localhost', '127.0.0.1', '[::1]'].includes(base.hostname))
    throw new ConfigError([
      { field: 'CHUKY_API_URL', message: `"${url}": use https; the committee's token must not cross the network in clear` },
    ]);
  return client(base, token);
}

function client(base: URL, token: string): CommitteeApi {
  const root = `${base.origin}${base.pathname.replace(/\/+$/, '')}/api/v1`;
  const call = async <T>(
    method: string,
    path: string,
    init: { body?: string; contentType?: string; query?: Record<string, unknown> } = {},
  ) => {
    const u = new URL(`${root}${path}`);
    for (const [k, v] of Object.entries(init.query ?? {})) {
      if (v === undefined || v === '') continue;
      for (const one of Array.isArray(v) ? v : [v]) u.searchParams.append(k, String(one));
    }
    let res: Response;
    try {
      res = await fetch(u, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(init.contentType ? { 'content-type': init.contentType } : {}),
        },
        ...(init.body !== undefined ? { body: init.body } : {}),
      });
    } catch (err) {
      const cause = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
      throw new CommitteeApiError(`cannot reach the operator API at ${base.origin} (CHUKY_API_URL): ${cause}`, 0);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (res.ok) return json as T;
    throw refusal(res, json, base);
  };
  return {
    url: base.origin,
    get: (path, query) => call('GET', path, { ...(query ? { query } : {}) }),
    send: (method, path, body) =>
      call(method, path, body === undefined ? {} : { body: JSON.stringify(body), contentType: 'application/json' }),
    sendText: (path, text, contentType, query) => call('POST', path, { body: text, contentType, ...(query ? { query } : {}) }),
  };
}

function refusal(res: Response, json: unknown, base: URL): Error {
  const body = (typeof json === 'object' && json !== null ? json : {}) as { error?: unknown; issues?: unknown };
  const said = typeof body.error === 'string' ? body.error : `HTTP ${res.status}`;
  // A file refused at its lines: printed as the local command prints a ConfigError (exit 2).
  if (res.status === 400 && Array.isArray(body.issues) && body.issues.every((i) => typeof (i as ConfigIssue).message === 'string'))
    return new ConfigError((body.issues as ConfigIssue[]).map((i) => ({ ...i, field: i.field ?? '' })));
  if (res.status === 401)
    return new CommitteeApiError(
      `the operator API at ${base.origin} refused the committee's token (CHUKY_COMMITTEE_TOKEN): revoked, mistyped, or another deployment's`,
      401,
    );
  if (res.status === 503 || res.status === 429) {
    const after = res.headers.get('retry-after');
    return new CommitteeApiError(`${said}${after ? ` (try again in ${after} s)` : ''}`, res.status, 75);
  }
  return new CommitteeApiError(said, res.status);
}
