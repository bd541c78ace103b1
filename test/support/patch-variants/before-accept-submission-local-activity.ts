/**
 * `@temporalio/workflow` as the unit workflow saw it BEFORE the 'accept-submission-local-activity' change:
 * `patched('accept-submission-local-activity')` is always false, so a submission is stored by the storeSubmission
 * activity, as it was then. Bundled in place of the SDK's module by test/workflow/two-bundles.test.ts: code rolled
 * back behind a patch cannot take over a year whose histories recorded it.
 */
import * as workflow from '@temporalio/workflow/lib/index.js';

export * from '@temporalio/workflow/lib/index.js';

export function patched(patchId: string): boolean {
  return patchId === 'accept-submission-local-activity' ? false : workflow.patched(patchId);
}
