/**
 * One unit's year: for each obligation, the notice when its phase opens, reminders before the deadline, the
 * overdue notice and the escalation ladder after it (workflows/ladder.ts), and the unit's submission, extension
 * or exemption in between. Deterministic: time comes from the workflow clock, every side effect is an activity.
 *
 * The parts: the unit's state and its effects (unit/year.ts), an obligation's run (unit/obligation.ts),
 * submissions (unit/submissions.ts), manual reminders (unit/remind.ts), the handlers (unit/handlers.ts).
 */
import { allHandlersFinished, condition } from '@temporalio/workflow';
import type { UnitWorkflowInput } from '../domain/workflow-io.js';
import type { UnitView } from './messages.js';
import { UnitYear } from './unit/year.js';
import { setUnitHandlers } from './unit/handlers.js';
import { runObligation } from './unit/obligation.js';

export async function unitWorkflow(input: UnitWorkflowInput): Promise<UnitView> {
  const year = new UnitYear(input);
  // Submissions, extensions, exemptions, removal, manual reminders, the cycle's close, the view.
  setUnitHandlers(year);
  year.publishSearchAttributes();
  // Receipts and notices answering the unit's actions, one after another.
  const mailer = year.sendOutbox();
  // Every obligation opens, reminds, escalates until it closes; the workflow lives until the cycle closes it,
  // even when every obligation is closed: a unit may still revise before a deadline, and the year's record
  // stays queryable in one place.
  await Promise.all([...year.obligations.map((o) => runObligation(year, o)), condition(() => year.closed)]);
  // Obligations that arose during the year (a make-up session).
  await Promise.all(year.running);
  await condition(allHandlersFinished);
  await mailer;
  await year.drainOutbox();
  return year.unitView();
}
