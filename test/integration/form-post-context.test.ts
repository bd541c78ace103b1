/**
 * A unit's form post reads its link's revocation, its cycle and unit, and an earlier send of its request id in one
 * query (db/form-post.ts), against real PostgreSQL: each part answers as the separate lookups did.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPool, type Db } from '../../db/pool.js';
import { registerCycle } from '../../db/cycles.js';
import { formPostContext } from '../../db/form-post.js';
import { revokeLinks, revokedBy } from '../../db/links.js';
import { storeSubmission } from '../../db/records.js';
import { loadCycleFile } from '../../config/cycle.js';
import { REAL_CLOCK } from '../../domain/clock.js';
import { writeFixture } from '../support/fixtures.js';

describe("a form post's context in one query", () => {
  const services = inject('services');
  let db: Db;
  // This run's own cycle, so a second run against the same services finds no old row.
  const cycleId = `ITPOST-${Date.now() % 1_000_000_000}`;
  const scope = (unitCode: string, phase = 'plan') => ({ cycleId, unitCode, phase });

  beforeAll(async () => {
    db = createPool(services.databaseUrl);
    const fx = writeFixture({ code: 'ITPOST', issuedOn: '2027-03-01', deadline: '2027-03-15', units: 3 });
    const loaded = loadCycleFile(fx.file);
    await registerCycle(db, { id: cycleId, definition: loaded.definition, units: loaded.units, clock: REAL_CLOCK });
    await storeSubmission(db, {
      key: `${cycleId}/U001/plan/req-one-0001`,
      cycleId,
      unitCode: 'U001',
      phase: 'plan',
      payload: { note: 'lần đầu' },
      actor: 'unit:U001',
      via: 'web',
      late: false,
      calendarAt: Date.now(),
    });
  });

  afterAll(async () => {
    await db?.end();
  });

  it('gives the cycle, the unit and no revocation for a unit in a running cycle', async () => {
    const ctx = await formPostContext(db, scope('U002'), 'never-used-0001');
    expect(ctx.cycle?.id).toBe(cycleId);
    expect(ctx.cycle?.definition.committee.code).toBe('ITPOST');
    expect(ctx.unit?.code).toBe('U002');
    expect(ctx.revokedBeforeSecond).toBeNull();
    expect(ctx.earlier).toBeUndefined();
  });

  it('gives no unit for a code the cycle does not have, and nothing for a cycle that does not exist', async () => {
    const noUnit = await formPostContext(db, scope('U999'), undefined);
    expect(noUnit.cycle?.id).toBe(cycleId);
    expect(noUnit.unit).toBeUndefined();
    const none = await formPostContext(db, { cycleId: `${cycleId}-X`, unitCode: 'U001', phase: 'plan' }, undefined);
    expect(none).toEqual({ revokedBeforeSecond: null });
  });

  it('finds what an earlier send of the same request id stored, for that unit and phase only', async () => {
    const found = await formPostContext(db, scope('U001'), 'req-one-0001');
    expect(found.earlier).toEqual({ version: 1, payload: { note: 'lần đầu' } });
    expect((await formPostContext(db, scope('U001'), 'req-two-0002')).earlier).toBeUndefined();
    expect((await formPostContext(db, scope('U001', 'study'), 'req-one-0001')).earlier).toBeUndefined();
    expect((await formPostContext(db, scope('U002'), 'req-one-0001')).earlier).toBeUndefined();
    // Only a whole id matches: its tail is not the id.
    expect((await formPostContext(db, scope('U001'), 'one-0001')).earlier).toBeUndefined();
    expect((await formPostContext(db, scope('U001'), undefined)).earlier).toBeUndefined();
  });

  it("gives the revocation's second: links issued in it or before are revoked, later ones are not", async () => {
    const at = Date.UTC(2030, 0, 1, 12, 0, 0, 400);
    await revokeLinks(db, { cycleId, unitCode: 'U003', reason: 'Lộ đường dẫn', actor: 'op:test', now: at });
    const ctx = await formPostContext(db, scope('U003'), undefined);
    expect(ctx.revokedBeforeSecond).toBe(Math.floor(at / 1000));
    expect(revokedBy(ctx.revokedBeforeSecond, at - 60_000)).toBe(true);
    expect(revokedBy(ctx.revokedBeforeSecond, Math.floor(at / 1000) * 1000)).toBe(true);
    expect(revokedBy(ctx.revokedBeforeSecond, (Math.floor(at / 1000) + 1) * 1000)).toBe(false);
    expect(revokedBy((await formPostContext(db, scope('U002'), undefined)).revokedBeforeSecond, at)).toBe(false);
  });
});
