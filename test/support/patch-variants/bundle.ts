/**
 * Today's workflow bundle with `@temporalio/workflow` replaced by one of the stand-ins in this folder, each of
 * which answers one `patched()` id its own way: the code before that change, or the change without its guard.
 * Used by test/workflow/replay-patched.test.ts and test/workflow/two-bundles.test.ts to show that such code
 * cannot replay the histories it should not.
 */
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger, type WorkflowBundle } from '@temporalio/worker';
import { bundleOptions } from '../../../workers/bundle.js';
import { projectRoot } from '../../../config/paths.js';

/** The workflow bundle with `@temporalio/workflow` replaced by test/support/patch-variants/<variant>.ts. */
export function bundleVariant(variant: string): Promise<WorkflowBundle> {
  const base = bundleOptions();
  const stand = path.join(projectRoot(), 'test', 'support', 'patch-variants', `${variant}.ts`);
  return bundleWorkflowCode({
    ...base,
    logger: new DefaultLogger('WARN'),
    webpackConfigHook: (config) => {
      const next = base.webpackConfigHook!(config);
      // Exact match only: the stand-in itself imports the real module as '@temporalio/workflow/lib/index.js'.
      next.resolve = {
        ...next.resolve,
        alias: { ...(next.resolve?.alias as Record<string, string | false>), '@temporalio/workflow$': stand },
      };
      return next;
    },
  });
}
