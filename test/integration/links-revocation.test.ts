/**
 * Link revocation in PostgreSQL: links carry their issue time in whole seconds, so a link issued in the same
 * second as a revocation counts as revoked, and `revokeLinks` returns only when that second is over, so a link
 * signed after it returns (an email sent later) works.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createPool, type Db } from '../../db/pool.js';
import { registerCycle } from '../../db/cycles.js';
import { getRevocation, isRevoked, revokeLinks, RevocationError } from '../../db/links.js';
import { checkLink, LinkError, signLink } from '../../auth/links.js';
import { loadCycleFile } from '../../config/cycle.js';
import { REAL_CLOCK } from '../../domain/clock.js';
import { writeFixture } from '../support/fixtures.js';

describe('link revocation', () => {
  const services = inject('services');
  let db: Db;
  const cycleId = 'ITLINK-2027';
  const secret = 'r'.repeat(40);

  beforeAll(async () => {
    db = createPool(services.databaseUrl);
    const fx = writeFixture({ code: 'ITLINK', issuedOn: '2027-03-01', deadline: '2027-03-15', units: 2 });
    const loaded = loadCycleFile(fx.file);
    await registerCycle(db, { id: cycleId, definition: loaded.definition, units: loaded.units, clock: REAL_CLOCK });
  });

  afterAll(async () => {
    await db?.end();
  });

  it("counts a link issued in the revocation's second as revoked, and one from the next second as valid", async () => {
    const at = Date.UTC(2030, 0, 1, 12, 0, 0, 400);
    const r = await revokeLinks(db, {
      cycleId,
      unitCode: 'U001',
      reason: 'Thư bị chuyển tiếp',
      actor: 'operator:test',
      now: at,
      wait: false,
    });
    expect(r.revokedBefore).toBe('2030-01-01T12:00:00.400Z');
    expect(r.validFrom).toBe('2030-01-01T12:00:01.000Z');
    const scope = { cycleId, unitCode: 'U001' };
    expect(await isRevoked(db, scope, Date.UTC(2030, 0, 1, 11, 59, 59))).toBe(true);
    // Issued in the same second (even 500 ms after the revocation): iat cannot tell, so it is refused.
    expect(await isRevoked(db, scope, Date.UTC(2030, 0, 1, 12, 0, 0))).toBe(true);
    expect(await isRevoked(db, scope, Date.UTC(2030, 0, 1, 12, 0, 1))).toBe(false);
    // Another unit, another cycle: untouched.
    expect(await isRevoked(db, { cycleId, unitCode: 'U002' }, 0)).toBe(false);
    expect(await isRevoked(db, { cycleId: 'OTHER-2027', unitCode: 'U001' }, 0)).toBe(false);

    // A later revocation moves the bound forward; an earlier one never moves it back.
    await revokeLinks(db, { cycleId, unitCode: 'U001', reason: 'Lần hai', actor: 'operator:test', now: at + 10_000, wait: false });
    expect(await isRevoked(db, scope, Date.UTC(2030, 0, 1, 12, 0, 5))).toBe(true);
    await revokeLinks(db, { cycleId, unitCode: 'U001', reason: 'Lần ba', actor: 'operator:test', now: at - 60_000, wait: false });
    expect(await isRevoked(db, scope, Date.UTC(2030, 0, 1, 12, 0, 10))).toBe(true);
    expect(await getRevocation(db, cycleId, 'U001')).toMatchObject({ revokedBefore: '2030-01-01T12:00:10.400Z', reason: 'Lần ba' });
  });

  it('refuses links signed before a revocation, and accepts links signed after it returns', async () => {
    const scope = { cycleId, unitCode: 'U002', phase: 'plan' };
    const check = (token: string) => checkLink(token, secret, (s, issuedAt) => isRevoked(db, s, issuedAt));
    const before = await signLink(scope, secret, Date.now() + 60_000);
    expect(await check(before)).toEqual(scope);
    await revokeLinks(db, { cycleId, unitCode: 'U002', reason: 'Lộ đường dẫn', actor: 'operator:test' });
    await expect(check(before)).rejects.toThrow(
      new LinkError('Đường dẫn này đã bị thu hồi. Xin liên hệ Ban Tuyên giáo để nhận đường dẫn mới.'),
    );
    // What an email sent now carries: a link signed at send time.
    const after = await signLink(scope, secret, Date.now() + 60_000);
    expect(await check(after)).toEqual(scope);
  });

  it('refuses an unknown unit and a missing reason', async () => {
    await expect(revokeLinks(db, { cycleId, unitCode: 'NOPE', reason: 'Lý do đủ dài', actor: 'operator:test' })).rejects.toThrow(
      RevocationError,
    );
    await expect(revokeLinks(db, { cycleId, unitCode: 'U001', reason: ' ', actor: 'operator:test' })).rejects.toThrow(
      'Lý do: cần ghi rõ lý do thu hồi',
    );
  });
});
