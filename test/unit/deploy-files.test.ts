/**
 * Docker does not run here, so the production files are checked for what can go wrong without it: the compose
 * file parses, the chuky services set only variables chuky reads, the search attributes it registers are the
 * ones the workflows use, and the Dockerfile copies folders that exist.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EnvSchema } from '../../config/env.js';
import { SEARCH_ATTRIBUTES } from '../../stack/temporal-dev-server.js';
import * as attributes from '../../workflows/search-attributes.js';
import { projectRoot } from '../../config/paths.js';

const root = projectRoot();
const compose = parse(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true });

describe('docker-compose.yml', () => {
  it('has Temporal on PostgreSQL, its UI, a PostgreSQL, a mail catcher, and the worker and API from the Dockerfile', () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining(['postgresql', 'temporal', 'temporal-ui', 'mailpit', 'worker', 'api']),
    );
    expect(compose.services.temporal.environment.DB).toBe('postgres12');
    expect(compose.services.worker.build).toBe('.');
    expect(compose.services.api.build).toBe('.');
    expect(compose.services.api.command).toContain('0.0.0.0');
  });

  it('sets only environment variables chuky reads', () => {
    const known = new Set(Object.keys(EnvSchema.shape));
    for (const name of ['worker', 'api']) {
      const env = compose.services[name].environment as Record<string, string>;
      for (const key of Object.keys(env)) expect(known, `${name}: ${key}`).toContain(key);
      expect(env.TEMPORAL_ADDRESS).toBe('temporal:7233');
    }
  });

  it('registers exactly the search attributes the workflows use', () => {
    const command: string = compose.services['temporal-search-attributes'].command.join(' ');
    const registered = Object.fromEntries([...command.matchAll(/(Chuky\w+)=(\w+)/g)].map((m) => [m[1], m[2]]));
    expect(registered).toEqual(SEARCH_ATTRIBUTES);
    const used = Object.values(attributes)
      .map((k) => k.name)
      .sort();
    expect(Object.keys(registered).sort()).toEqual(used);
  });
});

describe('Dockerfile', () => {
  it('copies folders that exist and runs the chuky program on the current LTS', () => {
    const text = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');
    expect(text).toMatch(/^FROM node:26-/m);
    for (const [, src] of text.matchAll(/^COPY (?!--from)(\S+)/gm)) {
      expect(fs.existsSync(path.join(root, src!)), src).toBe(true);
    }
    expect(text).toContain('ENTRYPOINT ["node", "dist/cli/chuky.js"]');
  });

  it('copies every folder the build compiles (a folder added to the code and not to the image breaks the image only)', () => {
    const text = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');
    const copied = new Set([...text.matchAll(/^COPY (?!--from)(\S+)/gm)].map((m) => m[1]));
    const build = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.build.json'), 'utf8')) as { include: string[] };
    expect(build.include.length).toBeGreaterThan(10);
    expect(build.include.filter((folder) => !copied.has(folder))).toEqual([]);
    // Every top-level folder of code is compiled, tools aside: the build follows imports, the image does not.
    const tools = new Set(['test', 'bench', 'chaos', 'scripts', 'node_modules', 'dist', 'dist-bench', 'docs']);
    const folders = fs
      .readdirSync(root, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !d.name.startsWith('.') && !tools.has(d.name))
      .filter((d) => fs.readdirSync(path.join(root, d.name), { recursive: true }).some((f) => String(f).endsWith('.ts')))
      .map((d) => d.name);
    expect(folders).toContain('workflows');
    expect(folders.filter((folder) => !build.include.includes(folder))).toEqual([]);
  });
});
