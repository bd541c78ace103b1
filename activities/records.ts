/** Activities that write the record: transitions and submissions (db/records.ts does the SQL). */
import type { Db } from '../db/pool.js';
import { acceptSubmission, recordTransition, storeSubmission } from '../db/records.js';
import type { AcceptSubmissionInput, RecordInspectionInput, RecordTransitionInput, StoreSubmissionInput } from '../domain/workflow-io.js';
import { upsertInspection } from '../db/inspections.js';

export function createRecordActivities(deps: { db: Db; taskQueue: string; onEmailRequested?: (() => void) | undefined }) {
  return {
    async recordTransition(input: RecordTransitionInput): Promise<void> {
      await recordTransition(deps.db, input);
    },
    async storeSubmission(input: StoreSubmissionInput): Promise<{ version: number }> {
      return storeSubmission(deps.db, input);
    },
    /** storeSubmission and its transition in one transaction: the unit workflow runs it as a local activity. */
    async acceptSubmission(input: AcceptSubmissionInput): Promise<{ version: number }> {
      const stored = await acceptSubmission(deps.db, input, { taskQueue: deps.taskQueue });
      // Committed: this worker's relay sends the receipt now rather than at its next look.
      if (input.receipt) deps.onEmailRequested?.();
      return stored;
    },
    async recordInspection(input: RecordInspectionInput): Promise<void> {
      await upsertInspection(deps.db, input);
    },
  };
}
