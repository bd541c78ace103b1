/**
 * Several `chuky` commands started at once each apply the migrations first: none may fail because another one
 * holds node-pg-migrate's lock.
 */
import { describe, expect, inject, it } from 'vitest';
import { migrate } from '../../db/migrate.js';

describe('migrations', () => {
  it('run from several processes at once without one of them failing', async () => {
    const { databaseUrl } = inject('services');
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => migrate(databaseUrl)));
    expect(results.map((r) => r.status)).toEqual(Array(6).fill('fulfilled'));
  });
});
