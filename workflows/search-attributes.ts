/**
 * The search attributes every unit workflow keeps current, so the server's list queries answer
 * "who is overdue in phase plan" without asking each workflow. The dev server registers them at start
 * (stack/temporal-dev-server.ts); a production namespace registers them with `temporal operator`.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const SA_CYCLE = defineSearchAttributeKey('ChukyCycle', SearchAttributeType.KEYWORD);
export const SA_YEAR = defineSearchAttributeKey('ChukyYear', SearchAttributeType.INT);
export const SA_COMMITTEE = defineSearchAttributeKey('ChukyCommittee', SearchAttributeType.KEYWORD);
export const SA_UNIT = defineSearchAttributeKey('ChukyUnit', SearchAttributeType.KEYWORD);
export const SA_PHASE = defineSearchAttributeKey('ChukyPhase', SearchAttributeType.KEYWORD);
export const SA_STATUS = defineSearchAttributeKey('ChukyStatus', SearchAttributeType.KEYWORD);
export const SA_ESCALATION = defineSearchAttributeKey('ChukyEscalation', SearchAttributeType.INT);
/** Every phase the unit is overdue in (escalation level ≥ 1, not closed): "who is overdue in phase pledge". */
export const SA_OVERDUE_PHASES = defineSearchAttributeKey('ChukyOverduePhases', SearchAttributeType.KEYWORD_LIST);
