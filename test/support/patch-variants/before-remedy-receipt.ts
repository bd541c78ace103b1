/**
 * `@temporalio/workflow` as the inspection workflow saw it BEFORE the 'remedy-receipt' change:
 * `patched('remedy-receipt')` is always false, so the workflow runs the code that was deployed before it (no
 * receipt for a remedy report). Bundled in place of the SDK's module by test/workflow/replay-patched.test.ts to
 * show why a patched deploy is rolled forward, never back.
 */
import * as workflow from '@temporalio/workflow/lib/index.js';

export * from '@temporalio/workflow/lib/index.js';

export function patched(patchId: string): boolean {
  return patchId === 'remedy-receipt' ? false : workflow.patched(patchId);
}
