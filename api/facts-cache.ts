/**
 * The facts a unit's workflow checks its forms against (its member count and the cycle's margin), kept by the API
 * for a few minutes after the workflow told them. A form post needs them to parse at the edge, and asking the
 * workflow for them is a query: a task on the server and the worker for every post, about a fifth of a
 * submission's cost in the bench (bench/RESULTS.md, scenario 3). The unit usually opened the form just before it
 * posts, and that page asked already.
 *
 * The facts are fixed for a workflow's run (its input), so a cached copy is only stale when the unit's workflow
 * was started again with other facts; the TTL bounds that, and the validator stays the judge either way: what the
 * edge lets through with stale facts is refused by the workflow, under the same field.
 */
import type { UnitFacts } from '../domain/phases/types.js';

export const FACTS_TTL_MS = 10 * 60_000;
/** About 100 bytes each: 20,000 units, the largest committee's many times over, in a few MB. */
export const FACTS_CACHE_SIZE = 20_000;

export class FactsCache {
  private readonly entries = new Map<string, { facts: UnitFacts; until: number }>();

  constructor(
    private readonly ttlMs = FACTS_TTL_MS,
    private readonly size = FACTS_CACHE_SIZE,
    private readonly now: () => number = Date.now,
  ) {}

  get(cycleId: string, unitCode: string): UnitFacts | undefined {
    const key = `${cycleId}\u0000${unitCode}`;
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.until <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return hit.facts;
  }

  set(cycleId: string, unitCode: string, facts: UnitFacts): void {
    const key = `${cycleId}\u0000${unitCode}`;
    this.entries.delete(key); // re-inserted last: the Map's order is the eviction order
    this.entries.set(key, { facts, until: this.now() + this.ttlMs });
    if (this.entries.size > this.size) this.entries.delete(this.entries.keys().next().value!);
  }
}
