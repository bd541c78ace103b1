/**
 * The workflow bundle's options. Sources use NodeNext-style `.js` import specifiers; when the worker runs from
 * TypeScript sources (tests), webpack must map `./unit.js` to `./unit.ts`.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { BundleOptions } from '@temporalio/worker';

/** `.js` import specifiers may name `.ts` sources (the SDK's default too; kept explicit). */
const EXTENSION_ALIAS = { '.js': ['.ts', '.js'] };

/** A source next to this file's tree, `.ts` when running from sources (tests), else the compiled `.js`. */
function source(relative: string): string {
  const base = fileURLToPath(new URL(`../${relative}`, import.meta.url));
  return fs.existsSync(`${base}.ts`) ? `${base}.ts` : `${base}.js`;
}

export function workflowsPath(): string {
  return source('workflows/index');
}

/**
 * Modules evaluated once per workflow thread and shared by all its workflows (the SDK's `preloadModules`, with its
 * default reuseV8Context), instead of once per workflow. With reuseV8Context each workflow has its own module
 * cache, so every unit workflow evaluated all of zod when it started or was replayed: about 0.5 MB of heap and
 * tens of milliseconds each (bench/README.md, "Worker memory"). Only code without per-workflow state belongs
 * here, and none that imports @temporalio/workflow. The SDK deep-freezes the exports of preloaded modules (and the
 * globals they set), so a module listed here must not mutate them later: our own schemas, whose zod instances
 * install their methods lazily, stay per workflow (built at first use: domain/phases/common.ts `once`).
 */
export const PRELOADED_MODULES = [
  // zod itself.
  'workflows/preload',
  // Functions only; its cache of Intl.DateTimeFormat per time zone (slow to build) then serves every workflow.
  'domain/calendar',
] as const;

export function preloadModules(): string[] {
  return PRELOADED_MODULES.map(source);
}

export function bundleOptions(): Pick<BundleOptions, 'workflowsPath' | 'webpackConfigHook' | 'preloadModules'> {
  return {
    workflowsPath: workflowsPath(),
    preloadModules: preloadModules(),
    webpackConfigHook: (config) => {
      config.resolve = { ...config.resolve, extensionAlias: EXTENSION_ALIAS };
      return config;
    },
  };
}

/**
 * What, besides the sources reachable from the workflows' entry, decides the bundle's contents: part of its cache
 * key (workers/bundle-cache.ts). The preloaded modules are not imported by the entry, so their text is in it.
 */
export function bundleSalt(): string {
  return JSON.stringify({ entry: workflowsPath(), preload: preloadModules().map((file) => [file, fs.readFileSync(file, 'utf8')]) });
}

/**
 * The bundle's code, built by webpack in a child process. A worker that bundles in its own process keeps about
 * 150 MB more resident for its whole life (webpack, swc and what they leave in the heap; bench/README.md,
 * "Worker memory"); the child gives it all back when it exits. The options are those of bundleOptions().
 */
export function bundleInChildProcess(): Promise<string> {
  const sdk = createRequire(import.meta.url).resolve('@temporalio/worker');
  const options = { workflowsPath: workflowsPath(), preloadModules: preloadModules(), extensionAlias: EXTENSION_ALIAS };
  const script = `
    const { bundleWorkflowCode, DefaultLogger } = require(${JSON.stringify(sdk)});
    const { extensionAlias, ...options } = JSON.parse(process.argv[1]);
    bundleWorkflowCode({
      ...options,
      logger: new DefaultLogger('WARN'),
      webpackConfigHook: (config) => ({ ...config, resolve: { ...config.resolve, extensionAlias } }),
    }).then(
      (bundle) => process.stdout.write(bundle.code),
      (err) => { process.stderr.write(String(err && err.stack || err) + '\\n'); process.exitCode = 1; },
    );`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => {
      // webpack's warnings, as the worker would have logged them.
      process.stderr.write(d);
      err = (err + d.toString()).slice(-4000);
    });
    child.once('error', reject);
    child.once('close', (code, signal) => {
      const text = Buffer.concat(out).toString('utf8');
      if (code === 0 && text.length > 0) resolve(text);
      else
        reject(
          new Error(
            `bundling the workflows in a child process failed ` +
              `(${signal ?? `exit ${code}`}): ${err.trim().split('\n').slice(-5).join('\n')}`,
          ),
        );
    });
  });
}
