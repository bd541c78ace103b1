/**
 * The API and console on `port`, wired to a harness's database, Temporal client and mailer as `chuky api` wires
 * them, with the harness's public address (give it to startHarness). `extra` adds what a test needs besides.
 */
import { startApi, type ApiDeps } from '../../api/server.js';
import type { Harness } from './harness.js';

export function startHarnessApi(h: Harness, port: number, extra: Partial<ApiDeps> = {}): ReturnType<typeof startApi> {
  const base = h.env.publicBaseUrl;
  return startApi(
    {
      db: h.db,
      client: h.client,
      signingSecret: h.env.signingSecret,
      taskQueue: h.env.taskQueue,
      publicBaseUrl: base,
      mail: { mailer: h.mailer, mailFrom: h.env.mailFrom, publicBaseUrl: base, signingSecret: h.env.signingSecret },
      ...extra,
    },
    port,
  );
}
