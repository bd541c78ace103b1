/**
 * The sentence an escalation email adds when the late unit is a committee running its own cycle (issue 17): where
 * in its own tree the delay sits — how many of its units have done the phase, and which have not, most escalated
 * first. Pure; the data comes from db/cycle-tree.ts childDelayOf.
 */
import type { ChildDelay } from '../db/cycle-tree.js';
import { statusLong } from '../domain/words.js';

/** Units named before "và N đơn vị khác": enough to act on, short enough for an email. */
export const NAMED_LATE_UNITS = 8;

export function childDelaySentence(d: ChildDelay | undefined): string {
  if (!d) return '';
  const head = `Trong chu kỳ riêng của ${d.committeeName} (${d.cycleId}): ${d.done}/${d.total} đơn vị trực thuộc đã hoàn thành`;
  if (!d.notDone.length) return `${head}; việc chậm nằm ở khâu tổng hợp của cấp ủy.`;
  const named = d.notDone
    .slice(0, NAMED_LATE_UNITS)
    .map((u) => `${u.name} (${statusLong(u.status).toLowerCase()}${u.level > 0 ? `, mức ${u.level}` : ''})`)
    .join(', ');
  const more = d.notDone.length > NAMED_LATE_UNITS ? ` và ${d.notDone.length - NAMED_LATE_UNITS} đơn vị khác` : '';
  return `${head}; chưa hoàn thành: ${named}${more}.`;
}
