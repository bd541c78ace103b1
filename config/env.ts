/**
 * The process environment. Every variable is optional: with none set, `chuky dev` starts embedded Temporal,
 * Postgres and an SMTP sink on this machine. Production sets real addresses and a real signing secret.
 */
import * as z from 'zod';
import { ConfigError, type ConfigIssue } from './errors.js';
import { operatorErrorMap, zodIssuesToPaths, formatPath } from './zod-messages.js';

/** Used when CHUKY_SIGNING_SECRET is not set. Never acceptable in production: check `signingSecretIsDefault`. */
export const DEV_SIGNING_SECRET = 'chuky-dev-signing-secret-not-for-production-use';
export const DEFAULT_MAIL_FROM = '"Ban Tuyên giáo (chuky)" <chuky@localhost>';
export const DEFAULT_PUBLIC_BASE_URL = 'http://127.0.0.1:3000';
export const DEFAULT_API_PORT = 3000;

/**
 * How long an Update (a submission, an extension, a repair…) waits for Temporal before the caller is told "busy"
 * (the API and console answer 503, the CLI says so): client/unit-actions.ts applies it.
 */
export const UPDATE_TIMEOUT_ENV = 'CHUKY_UPDATE_TIMEOUT_MS';
export const DEFAULT_UPDATE_TIMEOUT_MS = 30_000;
/** Bounds: under 100 ms no Update can answer; over 10 minutes a form post outlives any proxy's timeout. */
export const UPDATE_TIMEOUT_BOUNDS_MS = { min: 100, max: 600_000 } as const;

/** The limit on the units' form posts (api/form-throttle.ts). */
export interface FormThrottlePolicy {
  /** Posts one link may make within a window. */
  perToken: number;
  /** Posts one client address may make within a window, across links (a whole office may share one). */
  perIp: number;
  windowSeconds: number;
}

/** Far above a unit's real use (a first version, corrections, a revision): a brake on floods, not on units. */
export const DEFAULT_FORM_THROTTLE: FormThrottlePolicy = { perToken: 30, perIp: 300, windowSeconds: 600 };

/** Unset, empty and whitespace-only variables all count as "not set"; values are trimmed and NFC-normalised. */
const unsetIfBlank = (v: unknown): unknown => {
  if (typeof v !== 'string') return v;
  const t = v.normalize('NFC').trim();
  return t === '' ? undefined : t;
};
const envString = () => z.preprocess(unsetIfBlank, z.string().optional());

function hasProtocol(value: string, protocols: string[]): boolean {
  try {
    const url = new URL(value);
    return protocols.includes(url.protocol) && url.hostname !== '';
  } catch {
    return false;
  }
}

function wholeNumber(min: number, max: number, what: string) {
  return envString().refine((v) => v === undefined || (/^\d+$/.test(v) && Number(v) >= min && Number(v) <= max), {
    message: `must be a whole number between ${min} and ${max} (${what})`,
  });
}

export const EnvSchema = z.object({
  TEMPORAL_ADDRESS: envString().refine(
    (v) => v === undefined || /^[^\s:/]+(:\d{1,5})?$/.test(v) || /^\[[0-9a-fA-F:]+\](:\d{1,5})?$/.test(v),
    {
      message: 'must be host:port (e.g. temporal.example.vn:7233), or unset to start an embedded dev server',
    },
  ),
  TEMPORAL_NAMESPACE: envString(),
  /** The Temporal Web UI, for links from the console and `chuky stalled` to a workflow's page. */
  TEMPORAL_UI_URL: envString().refine((v) => v === undefined || hasProtocol(v, ['http:', 'https:']), {
    message: 'must be an http:// or https:// URL, e.g. http://temporal-ui.example.vn:8080',
  }),
  CHUKY_TASK_QUEUE: envString(),
  DATABASE_URL: envString().refine((v) => v === undefined || hasProtocol(v, ['postgres:', 'postgresql:']), {
    message: 'must be a postgres:// or postgresql:// URL, or unset for the embedded database',
  }),
  SMTP_URL: envString().refine((v) => v === undefined || hasProtocol(v, ['smtp:', 'smtps:']), {
    message: 'must be an smtp:// or smtps:// URL (e.g. smtps://user:pass@mail.example.vn:465), or unset for the embedded mail sink',
  }),
  MAIL_FROM: envString().refine((v) => v === undefined || /@/.test(v), {
    message: 'must contain an email address, e.g. "Ban Tuyên giáo" <btg@example.vn>',
  }),
  PUBLIC_BASE_URL: envString().refine((v) => v === undefined || hasProtocol(v, ['http:', 'https:']), {
    message: 'must be an http:// or https:// URL, e.g. https://chuky.example.vn',
  }),
  API_PORT: envString().refine((v) => v === undefined || (/^\d{1,5}$/.test(v) && Number(v) <= 65535), {
    message: 'must be a port number between 0 and 65535',
  }),
  CHUKY_SIGNING_SECRET: envString().refine((v) => v === undefined || v.length >= 32, {
    message: 'must be at least 32 characters (generate one with: openssl rand -base64 48)',
  }),
  CHUKY_API_TOKEN: envString(),
  CHUKY_TEMPLATES_DIR: envString(),
  CHUKY_WORKER_CACHE: envString().refine((v) => v === undefined || (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 100_000), {
    message: 'must be a whole number of workflows between 1 and 100000 (the worker keeps that many in memory)',
  }),
  /** The units' form posts allowed per link, per client address, and the window they are counted in (api/form-throttle.ts). */
  CHUKY_FORM_POSTS_PER_LINK: wholeNumber(1, 100_000, 'form posts one link may make within CHUKY_FORM_POSTS_WINDOW_SECONDS'),
  CHUKY_FORM_POSTS_PER_IP: wholeNumber(1, 1_000_000, 'form posts one client address may make within CHUKY_FORM_POSTS_WINDOW_SECONDS'),
  CHUKY_FORM_POSTS_WINDOW_SECONDS: wholeNumber(1, 86_400, 'seconds'),
  /** Milliseconds an Update waits for Temporal before "busy" (client/unit-actions.ts); default DEFAULT_UPDATE_TIMEOUT_MS. */
  CHUKY_UPDATE_TIMEOUT_MS: wholeNumber(
    UPDATE_TIMEOUT_BOUNDS_MS.min,
    UPDATE_TIMEOUT_BOUNDS_MS.max,
    `milliseconds an Update waits for Temporal before answering "busy"; default ${DEFAULT_UPDATE_TIMEOUT_MS}`,
  ),
  /** Behind one reverse proxy that sets X-Forwarded-For: count sign-in failures and form posts per client, not per proxy. */
  CHUKY_TRUST_PROXY: envString().refine((v) => v === undefined || /^(0|1|true|false|yes|no)$/i.test(v), {
    message: 'must be 1 (behind one reverse proxy that sets X-Forwarded-For) or 0',
  }),
});

export interface Env {
  /** Temporal frontend host:port; '' means "start an embedded dev server". */
  temporalAddress: string;
  temporalNamespace: string;
  /** From TEMPORAL_UI_URL; '' when unknown (the embedded dev server's UI is found through .data/services.json). */
  temporalUiUrl: string;
  /** From CHUKY_TASK_QUEUE. */
  taskQueue: string;
  /** '' means "start an embedded Postgres". */
  databaseUrl: string;
  /** smtp:// or smtps:// URL; '' means "start the embedded mail sink". */
  smtpUrl: string;
  mailFrom: string;
  /** Base of links in emails, without a trailing slash. */
  publicBaseUrl: string;
  apiPort: number;
  signingSecret: string;
  /** True when the built-in development secret is in use; production must refuse to start. */
  signingSecretIsDefault: boolean;
  /** Operator token for the API; undefined when not configured. */
  apiToken: string | undefined;
  /** Directory overriding the built-in mail/report templates; undefined for the built-in ones. */
  templatesDir: string | undefined;
  /** Workflows a worker keeps in memory (CHUKY_WORKER_CACHE); undefined for chuky's default. */
  workerCache: number | undefined;
  /** The limit on the units' form posts (CHUKY_FORM_POSTS_PER_LINK, _PER_IP, _WINDOW_SECONDS). */
  formThrottle: FormThrottlePolicy;
  /** CHUKY_TRUST_PROXY: take the client's address from the right-most X-Forwarded-For entry (default false). */
  trustProxy: boolean;
  /** CHUKY_UPDATE_TIMEOUT_MS; undefined for DEFAULT_UPDATE_TIMEOUT_MS (as workerCache: unset means chuky's default). */
  updateTimeoutMs: number | undefined;
}

export function loadEnv(env: Record<string, string | undefined> = process.env): Env {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(EnvSchema.shape)) raw[key] = env[key];
  const result = EnvSchema.safeParse(raw, { error: operatorErrorMap });
  if (!result.success) {
    const issues: ConfigIssue[] = zodIssuesToPaths(result.error.issues).map((i) => ({
      field: formatPath(i.path),
      message: i.message,
    }));
    throw new ConfigError(issues);
  }
  const e = result.data;
  const signingSecret = e.CHUKY_SIGNING_SECRET ?? DEV_SIGNING_SECRET;
  return {
    temporalAddress: e.TEMPORAL_ADDRESS ?? '',
    temporalNamespace: e.TEMPORAL_NAMESPACE ?? 'default',
    temporalUiUrl: (e.TEMPORAL_UI_URL ?? '').replace(/\/+$/, ''),
    taskQueue: e.CHUKY_TASK_QUEUE ?? 'chuky',
    databaseUrl: e.DATABASE_URL ?? '',
    smtpUrl: e.SMTP_URL ?? '',
    mailFrom: e.MAIL_FROM ?? DEFAULT_MAIL_FROM,
    publicBaseUrl: (e.PUBLIC_BASE_URL ?? DEFAULT_PUBLIC_BASE_URL).replace(/\/+$/, ''),
    apiPort: e.API_PORT !== undefined ? Number(e.API_PORT) : DEFAULT_API_PORT,
    signingSecret,
    signingSecretIsDefault: signingSecret === DEV_SIGNING_SECRET,
    apiToken: e.CHUKY_API_TOKEN,
    templatesDir: e.CHUKY_TEMPLATES_DIR,
    workerCache: e.CHUKY_WORKER_CACHE !== undefined ? Number(e.CHUKY_WORKER_CACHE) : undefined,
    formThrottle: {
      perToken: e.CHUKY_FORM_POSTS_PER_LINK !== undefined ? Number(e.CHUKY_FORM_POSTS_PER_LINK) : DEFAULT_FORM_THROTTLE.perToken,
      perIp: e.CHUKY_FORM_POSTS_PER_IP !== undefined ? Number(e.CHUKY_FORM_POSTS_PER_IP) : DEFAULT_FORM_THROTTLE.perIp,
      windowSeconds:
        e.CHUKY_FORM_POSTS_WINDOW_SECONDS !== undefined ? Number(e.CHUKY_FORM_POSTS_WINDOW_SECONDS) : DEFAULT_FORM_THROTTLE.windowSeconds,
    },
    trustProxy: /^(1|true|yes)$/i.test(e.CHUKY_TRUST_PROXY ?? ''),
    updateTimeoutMs: e.CHUKY_UPDATE_TIMEOUT_MS !== undefined ? Number(e.CHUKY_UPDATE_TIMEOUT_MS) : undefined,
  };
}

/**
 * CHUKY_UPDATE_TIMEOUT_MS alone, checked by the same schema as loadEnv (a bad value: ConfigError naming it), for
 * client/unit-actions.ts when no program has configured it from its Env (a test, a script): only this variable is
 * read, so an unrelated bad variable cannot fail an Update.
 */
export function loadUpdateTimeoutMs(env: Record<string, string | undefined> = process.env): number {
  const result = EnvSchema.shape.CHUKY_UPDATE_TIMEOUT_MS.safeParse(env[UPDATE_TIMEOUT_ENV], { error: operatorErrorMap });
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => ({ field: UPDATE_TIMEOUT_ENV, message: i.message })));
  }
  return result.data !== undefined ? Number(result.data) : DEFAULT_UPDATE_TIMEOUT_MS;
}
