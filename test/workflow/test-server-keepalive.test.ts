// Why the test environment's client pings the test server only every ten minutes (stack/test-server.ts): the
// server, Java gRPC, cuts off a client that pings sooner than it allows. At the TypeScript client's default (every
// 30 s) that took about 90 s, and it stalled the 1,000-unit rehearsal; here a client pinging every second is cut
// off within seconds, and one configured by testServerKeepalive, over the same time, is not.
import * as grpc from '@grpc/grpc-js';
import type { ConnectionPlugin } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { testServerClockCallsOnce, testServerKeepalive } from '../../stack/test-server.js';

const pingEverySecond: ConnectionPlugin = {
  name: 'ping-every-second',
  configureConnection: (options) => ({
    ...options,
    channelArgs: { ...options.channelArgs, 'grpc.keepalive_time_ms': 1_000, 'grpc.keepalive_permit_without_calls': 1 },
  }),
};

/** What grpc-js logged while `plugin`'s client sat connected to a fresh test server for `forMs`. */
async function loggedWhileConnected(plugin: ConnectionPlugin, forMs: number, logged: string[]): Promise<string[]> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: inject('services').testServerPath } },
    plugins: [plugin],
  });
  try {
    const from = logged.length;
    await new Promise((r) => setTimeout(r, forMs));
    // The connection still answers either way (grpc-js reconnects): the cut shows only in what it logged.
    await env.currentTimeMs();
    return logged.slice(from);
  } finally {
    await env.teardown();
  }
}

describe("the test server's keepalive allowance", { timeout: 60_000 }, () => {
  const logged: string[] = [];
  beforeEach(() => {
    grpc.setLogger({ ...console, error: (...args: unknown[]) => logged.push(args.map(String).join(' ')) });
    grpc.setLogVerbosity(grpc.logVerbosity.ERROR);
  });
  afterEach(() => {
    grpc.setLogger(console);
  });

  it('cuts off a client that pings every second', async () => {
    const lines = await loggedWhileConnected(pingEverySecond, 8_000, logged);
    expect(lines.some((l) => l.includes('excess pings'))).toBe(true);
  });

  it('keeps a client that pings as testServerKeepalive says', async () => {
    const lines = await loggedWhileConnected(testServerKeepalive, 8_000, logged);
    expect(lines.filter((l) => l.includes('excess pings'))).toEqual([]);
  });
});

/**
 * How a time skip in flight ends when the server cuts its connection. The clock is held twice (the client's own hold
 * and one more), so the skip's release leaves it held and the skip waits in real time until the cut.
 */
async function skipAcrossACut(plugins: ConnectionPlugin[]): Promise<'finished' | 'failed' | 'still waiting'> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: inject('services').testServerPath } },
    plugins,
  });
  try {
    const testService = env.connection.testService;
    if (!testService) throw new Error('a time-skipping environment without its test service');
    await testService.lockTimeSkipping({});
    const skip = env.sleep(3_600_000).then(
      () => 'finished' as const,
      () => 'failed' as const,
    );
    return await Promise.race([skip, new Promise<'still waiting'>((r) => setTimeout(() => r('still waiting'), 30_000))]);
  } finally {
    await env.teardown();
  }
}

describe('a time skip whose connection is cut', { timeout: 90_000 }, () => {
  beforeEach(() => {
    grpc.setLogger({ ...console, error: () => undefined });
  });
  afterEach(() => {
    grpc.setLogger(console);
  });

  // The hazard: the client's retry sends the skip again, its second release frees the clock, and the skip
  // "finishes", having released the client's hold twice.
  it("is sent again by the client's default retries, and finishes as if nothing happened", async () => {
    expect(await skipAcrossACut([pingEverySecond])).toBe('finished');
  });

  it('fails at the cut when the connection sends clock calls once', async () => {
    expect(await skipAcrossACut([pingEverySecond, testServerClockCallsOnce])).toBe('failed');
  });
});
