/** The test environment's client pings the Java test server no more often than the server allows (stack/test-server.ts). */
import { describe, expect, it } from 'vitest';
import { movesTestServerClock, TEST_SERVER_KEEPALIVE_MS, testServerClockCallsOnce, testServerKeepalive } from '../../stack/test-server.js';

// grpc-java's default allowance: one keepalive ping per five minutes, and none while no call is open.
const SERVER_ALLOWS_ONE_PING_PER_MS = 5 * 60_000;

describe('testServerKeepalive', () => {
  it('pings less often than the server allows, and only with calls open', () => {
    const out = testServerKeepalive.configureConnection!({ address: '127.0.0.1:1' });
    expect(out.channelArgs?.['grpc.keepalive_time_ms']).toBe(TEST_SERVER_KEEPALIVE_MS);
    expect(TEST_SERVER_KEEPALIVE_MS).toBeGreaterThanOrEqual(SERVER_ALLOWS_ONE_PING_PER_MS);
    expect(out.channelArgs?.['grpc.keepalive_permit_without_calls']).toBe(0);
  });

  it("overrides the client's 30 s default and keeps every other option", () => {
    const out = testServerKeepalive.configureConnection!({
      address: '127.0.0.1:1',
      channelArgs: { 'grpc.keepalive_time_ms': 30_000, 'grpc.keepalive_timeout_ms': 15_000 },
      metadata: { a: 'b' },
    });
    expect(out.address).toBe('127.0.0.1:1');
    expect(out.metadata).toEqual({ a: 'b' });
    expect(out.channelArgs).toEqual({
      'grpc.keepalive_time_ms': TEST_SERVER_KEEPALIVE_MS,
      'grpc.keepalive_timeout_ms': 15_000,
      'grpc.keepalive_permit_without_calls': 0,
    });
  });
});

describe('testServerClockCallsOnce', () => {
  it("names every test-service call but the clock's read as one that moves the clock", () => {
    const call = (m: string) => `/temporal.api.testservice.v1.TestService/${m}`;
    for (const m of ['LockTimeSkipping', 'UnlockTimeSkipping', 'UnlockTimeSkippingWithSleep', 'Sleep', 'SleepUntil'])
      expect(movesTestServerClock(call(m))).toBe(true);
    expect(movesTestServerClock(call('GetCurrentTime'))).toBe(false);
    expect(movesTestServerClock('/temporal.api.workflowservice.v1.WorkflowService/StartWorkflowExecution')).toBe(false);
  });

  it('replaces the connection interceptors with one that keeps the other options', () => {
    const out = testServerClockCallsOnce.configureConnection!({ address: '127.0.0.1:1', metadata: { a: 'b' } });
    expect(out.interceptors).toHaveLength(1);
    expect(out.address).toBe('127.0.0.1:1');
    expect(out.metadata).toEqual({ a: 'b' });
  });
});
