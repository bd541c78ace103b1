/**
 * A fresh signed form link for one unit's phase, for an operator to send by hand: from the command line with the
 * deployment's keys (`chuky link issue`), or through the operator API with a committee's token. Refused for a
 * removed unit, an unknown phase, or while the unit's links are revoked until a time still to come.
 */
import { formUrl, signLink } from '../auth/links.js';
import { getCycle } from '../db/cycles.js';
import { isRevoked } from '../db/links.js';
import type { Db } from '../db/pool.js';
import { getRegisteredUnit } from '../db/units.js';

const DAY_MS = 86_400_000;

export class LinkIssueRefused extends Error {}

export interface IssuedLink {
  cycleId: string;
  unitCode: string;
  phase: string;
  url: string;
  issuedAt: string;
  expiresAt: string;
}

export async function issueLink(
  db: Db,
  keys: { signingSecret: string; publicBaseUrl: string },
  o: { cycleId: string; unitCode: string; phase: string; days: number },
): Promise<IssuedLink> {
  if (!Number.isFinite(o.days) || o.days <= 0 || o.days > 400)
    throw new LinkIssueRefused(`days must be a number of days between 1 and 400, got ${String(o.days)}`);
  const cycle = await getCycle(db, o.cycleId);
  if (!cycle) throw new LinkIssueRefused(`no cycle "${o.cycleId}" in the database`);
  const unit = await getRegisteredUnit(db, o.cycleId, o.unitCode);
  if (!unit) throw new LinkIssueRefused(`no unit "${o.unitCode}" in cycle "${o.cycleId}"`);
  if (!unit.active)
    throw new LinkIssueRefused(`unit "${o.unitCode}" was removed from the cycle (${unit.removedReason ?? ''}); it has nothing to submit`);
  const phases = cycle.definition.phases.map((p) => p.id as string);
  if (!phases.includes(o.phase))
    throw new LinkIssueRefused(`no phase "${o.phase}" in cycle "${o.cycleId}"; its phases: ${phases.join(', ')}`);
  const scope = { cycleId: cycle.id, unitCode: unit.code, phase: o.phase };
  // A revocation made in this very second also refuses links signed in it: wait for the next second.
  for (let i = 0; i < 3 && (await isRevoked(db, scope, Math.floor(Date.now() / 1000) * 1000)); i += 1) {
    await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 5));
  }
  const issuedAt = Date.now();
  if (await isRevoked(db, scope, Math.floor(issuedAt / 1000) * 1000))
    throw new LinkIssueRefused(
      "the unit's links are revoked until a time in the future; check the clocks of this machine and the database",
    );
  const expiresAt = issuedAt + o.days * DAY_MS;
  const token = await signLink(scope, keys.signingSecret, expiresAt, issuedAt);
  return {
    ...scope,
    url: formUrl(keys.publicBaseUrl, token),
    issuedAt: new Date(issuedAt).toISOString(),
    expiresAt: new Date(expiresAt).toISOString(),
  };
}
