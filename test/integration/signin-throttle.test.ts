/**
 * The console's sign-in lock-out (console/throttle.ts) on the real PostgreSQL: two pools stand for two API
 * processes, and a lock counted by one holds in the other. Usernames and addresses carry a random suffix, the
 * database being shared with the other test files. The same lock-out through the console's pages:
 * test/integration/console-roles.test.ts and security-console.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createPool, type Db } from '../../db/pool.js';
import { DEFAULT_THROTTLE_POLICY, lockMessage, lockState, recordAttempt } from '../../console/throttle.js';

const a: Db = createPool(inject('services').databaseUrl, 2);
const b: Db = createPool(inject('services').databaseUrl, 2);
afterAll(async () => {
  await Promise.all([a.end(), b.end()]);
});

const policy = DEFAULT_THROTTLE_POLICY;

/** One failed sign-in as console/pages/signin.ts makes it: check, record, check again. */
async function fail(db: Db, username: string, ip: string) {
  const before = await lockState(db, username, ip, policy);
  if (before.locked) {
    await recordAttempt(db, username, ip, 'locked');
    return before;
  }
  await recordAttempt(db, username, ip, 'failed');
  return lockState(db, username, ip, policy);
}

describe('sign-in lock-out shared by API processes', () => {
  it('locks a username after 5 failures spread over two processes, for the rest of the 15-minute window', async () => {
    const s = randomUUID();
    const user = `lock-${s}`;
    const states = [];
    for (let i = 0; i < 5; i++) states.push(await fail(i % 2 ? a : b, user, `192.0.2.${i}-${s}`));
    expect(states.map((st) => st.locked)).toEqual([false, false, false, false, true]);
    for (const db of [a, b]) {
      const st = await lockState(db, user, `198.51.100.1-${s}`, policy);
      expect(st).toEqual({ locked: true, retryAfterMinutes: 15, by: 'username' });
      expect(lockMessage(st)).toBe(
        'Tài khoản tạm khóa do đăng nhập sai nhiều lần. Vui lòng thử lại sau 15 phút hoặc liên hệ quản trị viên.',
      );
    }
    // A locked attempt is recorded for review but not counted: the window ends when it would have.
    await fail(a, user, `192.0.2.9-${s}`);
    const { rows } = await a.query('SELECT outcome FROM console_signin_attempts WHERE username = $1 ORDER BY id', [user]);
    expect(rows.map((r) => r.outcome)).toEqual(['failed', 'failed', 'failed', 'failed', 'failed', 'locked']);
    const counted = await a.query('SELECT points, expire FROM rate_limits WHERE key = $1', [`signin-user:${user}`]);
    expect(counted.rows[0].points).toBe(5);
    // The window ends 15 minutes after the first failure: moved back, the username is free in both processes.
    await a.query('UPDATE rate_limits SET expire = expire - 15 * 60 * 1000 WHERE key = $1', [`signin-user:${user}`]);
    for (const db of [a, b]) expect((await lockState(db, user, `198.51.100.1-${s}`, policy)).locked).toBe(false);
  });

  it('clears a username’s failures at its next success, not its address’s', async () => {
    const s = randomUUID();
    const user = `reset-${s}`;
    const ip = `203.0.113.5-${s}`;
    for (let i = 0; i < 4; i++) await fail(a, user, ip);
    await recordAttempt(b, user, ip, 'ok');
    // Four more failures after the success do not lock it: the count started again.
    for (let i = 0; i < 4; i++) expect((await fail(b, user, ip)).locked).toBe(false);
    const address = await a.query('SELECT points FROM rate_limits WHERE key = $1', [`signin-ip:${ip}`]);
    expect(address.rows[0].points).toBe(8);
  });

  it('locks an address after 20 failures across usernames and processes, and no other address', async () => {
    const s = randomUUID();
    const ip = `203.0.113.7-${s}`;
    const states = [];
    for (let i = 0; i < 20; i++) states.push(await fail(i % 2 ? a : b, `guess-${i}-${s}`, ip));
    expect(states.map((st) => st.locked)).toEqual([...Array(19).fill(false), true]);
    const st = await lockState(b, `anyone-${s}`, ip, policy);
    expect(st).toMatchObject({ locked: true, by: 'ip' });
    expect(lockMessage(st)).toBe('Có quá nhiều lần đăng nhập sai từ địa chỉ này. Vui lòng thử lại sau 15 phút.');
    expect((await lockState(a, `anyone-${s}`, `198.51.100.9-${s}`, policy)).locked).toBe(false);
  });
});
