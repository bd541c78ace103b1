/**
 * `@temporalio/workflow` as the inspection workflow would see it had the 'remedy-receipt' change been deployed
 * WITHOUT its `patched()` guard: `patched('remedy-receipt')` is always true and records no marker, so the new
 * receipt email is sent unconditionally. Bundled in place of the SDK's module by
 * test/workflow/replay-patched.test.ts to show that the guard is what keeps older histories replaying.
 */
import * as workflow from '@temporalio/workflow/lib/index.js';

export * from '@temporalio/workflow/lib/index.js';

export function patched(patchId: string): boolean {
  return patchId === 'remedy-receipt' ? true : workflow.patched(patchId);
}
