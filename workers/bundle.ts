/**
 * The workflow bundle's options. Sources use NodeNext-style `.js` import specifiers; when the worker runs from
 * TypeScript sources (tests), webpack must map `./unit.js` to `./unit.ts`.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BundleOptions } from '@temporalio/worker';

export function workflowsPath(): string {
  const base = fileURLToPath(new URL('../workflows/index', import.meta.url));
  return fs.existsSync(`${base}.ts`) ? `${base}.ts` : `${base}.js`;
}

export function bundleOptions(): Pick<BundleOptions, 'workflowsPath' | 'webpackConfigHook'> {
  return {
    workflowsPath: workflowsPath(),
    webpackConfigHook: (config) => {
      config.resolve = { ...config.resolve, extensionAlias: { '.js': ['.ts', '.js'] } };
      return config;
    },
  };
}
