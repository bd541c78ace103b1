/**
 * CHUKY_UPDATE_TIMEOUT_MS: checked by the environment's schema like every other variable (a bad value names it),
 * carried in Env, and the one source of the Updates' time limit in client/unit-actions.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_UPDATE_TIMEOUT_MS, UPDATE_TIMEOUT_ENV, loadEnv, loadUpdateTimeoutMs } from '../../config/env.js';
import { isConfigError } from '../../config/errors.js';
import { configureUpdateTimeout, updateTimeoutMs } from '../../client/unit-actions.js';

function configError(fn: () => unknown): { field: string; message: string }[] {
  try {
    fn();
  } catch (err) {
    if (isConfigError(err)) return err.issues.map((i) => ({ field: i.field, message: i.message }));
    throw err;
  }
  throw new Error('no ConfigError');
}

const BAD = ['abc', '-1', '1.5', '0', '99', '600001', '99999999', '3e3', '30 s'];

describe('CHUKY_UPDATE_TIMEOUT_MS in the environment', () => {
  it('defaults to 30 s: unset, empty or blank', () => {
    expect(DEFAULT_UPDATE_TIMEOUT_MS).toBe(30_000);
    expect(UPDATE_TIMEOUT_ENV).toBe('CHUKY_UPDATE_TIMEOUT_MS');
    for (const v of [undefined, '', '   ']) {
      expect(loadEnv({ CHUKY_UPDATE_TIMEOUT_MS: v }).updateTimeoutMs, String(v)).toBeUndefined();
      expect(loadUpdateTimeoutMs({ CHUKY_UPDATE_TIMEOUT_MS: v }), String(v)).toBe(30_000);
    }
  });

  it('reads whole milliseconds from 100 to 600000', () => {
    expect(loadEnv({ CHUKY_UPDATE_TIMEOUT_MS: '3000' }).updateTimeoutMs).toBe(3000);
    expect(loadEnv({ CHUKY_UPDATE_TIMEOUT_MS: ' 45000 ' }).updateTimeoutMs).toBe(45_000);
    expect(loadUpdateTimeoutMs({ CHUKY_UPDATE_TIMEOUT_MS: '100' })).toBe(100);
    expect(loadUpdateTimeoutMs({ CHUKY_UPDATE_TIMEOUT_MS: '600000' })).toBe(600_000);
  });

  it('refuses anything else, naming the variable and what it takes', () => {
    for (const bad of BAD) {
      const fromEnv = configError(() => loadEnv({ CHUKY_UPDATE_TIMEOUT_MS: bad }));
      expect(fromEnv, bad).toEqual([
        { field: 'CHUKY_UPDATE_TIMEOUT_MS', message: expect.stringMatching(/whole number between 100 and 600000/) },
      ]);
      expect(fromEnv[0]!.message).toContain('milliseconds');
      expect(
        configError(() => loadUpdateTimeoutMs({ CHUKY_UPDATE_TIMEOUT_MS: bad })),
        bad,
      ).toEqual(fromEnv);
    }
    // Among other bad variables, each is named once.
    const issues = configError(() => loadEnv({ API_PORT: 'x', CHUKY_UPDATE_TIMEOUT_MS: '0' }));
    expect(issues.map((i) => i.field)).toEqual(['API_PORT', 'CHUKY_UPDATE_TIMEOUT_MS']);
  });

  it('reads only its own variable for the Updates: an unrelated bad one does not fail them', () => {
    expect(loadUpdateTimeoutMs({ API_PORT: 'not a port', CHUKY_UPDATE_TIMEOUT_MS: '5000' })).toBe(5000);
  });
});

describe("the Updates' time limit (client/unit-actions.ts)", () => {
  const previous = process.env[UPDATE_TIMEOUT_ENV];
  afterEach(() => {
    configureUpdateTimeout(undefined);
    if (previous === undefined) delete process.env[UPDATE_TIMEOUT_ENV];
    else process.env[UPDATE_TIMEOUT_ENV] = previous;
  });

  it('is the loaded Env’s value once a program configures it, whatever the environment says later', () => {
    configureUpdateTimeout(loadEnv({ CHUKY_UPDATE_TIMEOUT_MS: '7000' }));
    process.env[UPDATE_TIMEOUT_ENV] = '9000';
    expect(updateTimeoutMs()).toBe(7000);
    configureUpdateTimeout(loadEnv({}));
    expect(updateTimeoutMs()).toBe(DEFAULT_UPDATE_TIMEOUT_MS);
  });

  it('reads the environment through its schema until then', () => {
    configureUpdateTimeout(undefined);
    delete process.env[UPDATE_TIMEOUT_ENV];
    expect(updateTimeoutMs()).toBe(30_000);
    process.env[UPDATE_TIMEOUT_ENV] = '3000';
    expect(updateTimeoutMs()).toBe(3000);
    process.env[UPDATE_TIMEOUT_ENV] = 'soon';
    expect(configError(() => updateTimeoutMs())).toEqual([expect.objectContaining({ field: 'CHUKY_UPDATE_TIMEOUT_MS' })]);
  });
});
