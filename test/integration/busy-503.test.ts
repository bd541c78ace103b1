/**
 * A busy engine, for real: the unit workflows run, then their worker stops, so an Update times out at the API's
 * deadline (CHUKY_UPDATE_TIMEOUT_MS, 3 s here) with the SDK's WorkflowUpdateRPCTimeoutOrCancelledError. The unit's
 * form answers 503 with Retry-After and a Vietnamese page that carries the same data and request id; the operator
 * API answers 503 JSON. With a worker again, the same request id sent again (by hand, by the page's own script in
 * Chromium) is stored once and gets one receipt email. Real dev server, PostgreSQL and SMTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Worker } from '@temporalio/worker';
import type { Browser } from 'playwright-core';
import { startHarness, type Harness } from '../support/harness.js';
import { writeFixture, type Fixture } from '../support/fixtures.js';
import { waitFor } from '../support/processes.js';
import { launchBrowser, phoneContext } from '../support/browser.js';
import { startApi } from '../../api/server.js';
import { formUrl, signLink } from '../../auth/links.js';
import { startCycle } from '../../cli/commands/cycle.js';
import { cycleWorkflowId } from '../../domain/ids.js';
import { closeCycleSignal } from '../../workflows/messages.js';
import { createWorker } from '../../workers/worker.js';
import { freePort } from '../../stack/ports.js';
import { fetchInbox } from '../../stack/inbox-client.js';
import { UPDATE_TIMEOUT_ENV } from '../../client/unit-actions.js';
import { hiddenInputs } from '../support/hidden-inputs.js';

const QUEUE = 'it-busy-503';
const UPDATE_TIMEOUT_MS = 3_000;

describe('a busy engine: 503 with Retry-After, and the same request id stored once', () => {
  let h: Harness;
  let api: Awaited<ReturnType<typeof startApi>>;
  let fx: Fixture;
  let browser: Browser | undefined;
  let cycleId = '';
  let worker: Worker;
  let running: Promise<void> | undefined;
  const previousTimeout = process.env[UPDATE_TIMEOUT_ENV];

  const startWorker = async () => {
    worker = await createWorker({ connection: h.nativeConnection, namespace: 'default', deps: h.deps });
    running = worker.run();
  };
  const stopWorker = async () => {
    worker.shutdown();
    await running;
    running = undefined;
  };
  const link = async (unit: string) =>
    formUrl(api.url, await signLink({ cycleId, unitCode: unit, phase: 'plan' }, h.env.signingSecret, Date.now() + 3_600_000));
  const submissions = async (unit: string) =>
    (
      await h.db.query<{ version: number; submission_key: string }>(
        "SELECT version, submission_key FROM submissions WHERE cycle_id = $1 AND unit_code = $2 AND phase = 'plan' ORDER BY version",
        [cycleId, unit],
      )
    ).rows;
  /** The unit's plan receipts: recorded as sent, and as the SMTP server received them. */
  async function oneReceipt(unit: string): Promise<void> {
    const rows = await waitFor('the receipt email', async () => {
      const { rows } = await h.db.query<{ message_id: string; subject: string; status: string }>(
        "SELECT message_id, subject, status FROM emails WHERE cycle_id = $1 AND unit_code = $2 AND phase = 'plan' AND kind = 'receipt'",
        [cycleId, unit],
      );
      return rows.length > 0 && rows.every((r) => r.status === 'sent') ? rows : undefined;
    });
    // A second receipt would follow within moments of a second submission: give it the time to show.
    await new Promise((r) => setTimeout(r, 3_000));
    const again = await h.db.query("SELECT 1 FROM emails WHERE cycle_id = $1 AND unit_code = $2 AND phase = 'plan' AND kind = 'receipt'", [
      cycleId,
      unit,
    ]);
    expect(again.rows).toHaveLength(1);
    const inbox = await fetchInbox(h.inboxUrl, { to: fx.unitEmail(unit, 'secretary') });
    expect(inbox.filter((m) => m.subject === rows[0]!.subject)).toHaveLength(1);
  }

  beforeAll(async () => {
    process.env[UPDATE_TIMEOUT_ENV] = String(UPDATE_TIMEOUT_MS);
    const port = await freePort();
    h = await startHarness({ taskQueue: QUEUE, publicBaseUrl: `http://127.0.0.1:${port}` });
    api = await startApi({ db: h.db, client: h.client, signingSecret: h.env.signingSecret, taskQueue: QUEUE }, port);
    // A slow calendar (one day = 60 s): the plan phase is open and nothing falls due during the test.
    fx = writeFixture({ code: 'ITBUSY', issuedOn: '2027-03-01', deadline: '2027-03-20', closesOn: '2027-04-30', units: 3 });
    worker = h.worker;
    running = worker.run();
    cycleId = (await startCycle({ db: h.db, client: h.client, taskQueue: QUEUE, configFile: fx.file, secondsPerDay: 60 })).cycleId;
    await waitFor(
      'the units to open their plan phase',
      async () => {
        const { rows } = await h.db.query("SELECT count(*)::int AS n FROM events WHERE cycle_id = $1 AND kind = 'opened'", [cycleId]);
        return rows[0].n === 3;
      },
      120_000,
    );
  });

  afterAll(async () => {
    if (previousTimeout === undefined) delete process.env[UPDATE_TIMEOUT_ENV];
    else process.env[UPDATE_TIMEOUT_ENV] = previousTimeout;
    await browser?.close();
    if (!running && h) await startWorker().catch(() => undefined);
    if (cycleId)
      await h.client.workflow
        .getHandle(cycleWorkflowId(cycleId))
        .signal(closeCycleSignal, { reason: 'test done', actor: 'operator:test' })
        .catch(() => undefined);
    if (running) {
      worker.shutdown();
      await running.catch(() => undefined);
    }
    await api?.close();
    await h?.close();
  });

  it("answers the unit's form 503 with its data and request id, and stores the repeat once", async () => {
    const unit = fx.unitCodes[0]!;
    const url = await link(unit);
    const form = await (await fetch(url)).text();
    const requestId = hiddenInputs(form, 'phase-form').requestId!;
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);

    await stopWorker();
    const started = Date.now();
    const busy = await fetch(url, { method: 'POST', body: new URLSearchParams({ confirmedBy: 'Nguyễn Văn Bận, Bí thư', requestId }) });
    const page = await busy.text();
    expect(busy.status, page).toBe(503);
    // The view's query and the Update each wait at most the 3 s deadline.
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(busy.headers.get('retry-after')).toBe('5');
    expect(busy.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page).toContain('Hệ thống đang bận'.normalize('NFC'));
    expect(page).toContain('Chưa biết lần gửi vừa rồi đã được ghi nhận hay chưa'.normalize('NFC'));
    expect(page).toContain('cùng mã yêu cầu'.normalize('NFC'));
    expect(page).not.toContain('internal error');
    const resend = hiddenInputs(page, 'busy-resend');
    expect(resend).toEqual({ confirmedBy: 'Nguyễn Văn Bận, Bí thư'.normalize('NFC'), requestId, resendAttempt: '1' });
    // The page's one script runs by the nonce its own policy names; the policy allows no other script.
    const csp = busy.headers.get('content-security-policy') ?? '';
    const nonce = /<script nonce="([^"]+)">/.exec(page)?.[1];
    expect(nonce).toBeTruthy();
    expect(csp).toContain(`script-src 'nonce-${nonce}'`);
    expect(csp).toContain("default-src 'none'");
    expect(page).toMatch(/getElementById\('busy-resend'\)[\s\S]*submit\(\)/);
    expect(await submissions(unit)).toEqual([]);

    // The page's form sent again, once the engine answers: stored once, as version 1, under the same request id.
    await startWorker();
    const again = await fetch(url, { method: 'POST', body: new URLSearchParams(resend) });
    const accepted = await again.text();
    expect(again.status, accepted).toBe(200);
    expect(accepted).toContain('Đã nhận (lần 1'.normalize('NFC'));
    // The button pressed too, or the page's own resend after the unit's: the same receipt, nothing more.
    const twice = await fetch(url, { method: 'POST', body: new URLSearchParams(resend) });
    expect(twice.status).toBe(200);
    expect(await twice.text()).toContain('Đã nhận (lần 1'.normalize('NFC'));
    const stored = await submissions(unit);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.version).toBe(1);
    expect(stored[0]!.submission_key.endsWith(`/${requestId}`)).toBe(true);
    await oneReceipt(unit);
  });

  it('answers the operator API 503 JSON with Retry-After, for a submission and an extension', async () => {
    const unit = fx.unitCodes[1]!;
    const post = (action: string, body: unknown) =>
      fetch(`${api.url}/api/v1/cycles/${cycleId}/units/${unit}/${action}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const submission = {
      phase: 'plan',
      payload: { confirmedBy: 'Trần Thị API, Bí thư' },
      actor: { id: `unit:${unit}`, via: 'api' },
      requestId: 'busy-api-submit-1',
    };
    const extension = {
      phase: 'plan',
      newDeadline: '2027-03-27',
      reason: 'Đơn vị xin thêm thời gian',
      actor: { id: 'operator:test', via: 'api' },
      requestId: 'busy-api-extend-1',
    };
    await stopWorker();
    for (const [action, body] of [
      ['submit', submission],
      ['extend', extension],
    ] as const) {
      const res = await post(action, body);
      const json = (await res.json()) as { error: string; retryAfterSeconds: number };
      expect(res.status, `${action}: ${JSON.stringify(json)}`).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(json.retryAfterSeconds).toBe(5);
      expect(json.error).toMatch(/not known whether it was applied/);
    }
    await startWorker();
    const ok = await post('submit', submission);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ phase: 'plan', version: 1 });
    expect((await post('submit', submission)).status).toBe(200);
    expect(await submissions(unit)).toHaveLength(1);
    await oneReceipt(unit);
  });

  it("resends by itself in a phone's browser: the busy page's script runs under its policy", async () => {
    const unit = fx.unitCodes[2]!;
    browser = await launchBrowser();
    const context = await phoneContext(browser);
    const tab = await context.newPage();
    const refusedByPolicy: string[] = [];
    tab.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) refusedByPolicy.push(m.text());
    });
    await tab.goto(await link(unit), { waitUntil: 'domcontentloaded' });
    const requestId = await tab.locator('#phase-form [name="requestId"]').inputValue();
    await stopWorker();
    await tab.locator('#phase-form [name="confirmedBy"]').fill('Lê Văn Trình Duyệt, Bí thư');
    const [busy] = await Promise.all([
      tab.waitForNavigation({ waitUntil: 'domcontentloaded' }),
      tab.locator('#phase-form button[type="submit"]').tap(),
    ]);
    expect(busy?.status()).toBe(503);
    expect(busy?.headers()['retry-after']).toBe('5');
    expect(await tab.locator('#busy-resend [name="requestId"]').inputValue()).toBe(requestId);
    await expect(tab.locator('#busy').textContent()).resolves.toContain('Hệ thống đang bận'.normalize('NFC'));
    // Nobody taps: the page sends itself again once the engine answers (each busy answer waits longer, 5 s first).
    await startWorker();
    await tab.waitForSelector('#notice.ok', { timeout: 90_000 });
    expect(await tab.locator('#notice').textContent()).toContain('Đã nhận (lần 1'.normalize('NFC'));
    expect(refusedByPolicy).toEqual([]);
    const stored = await submissions(unit);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.submission_key.endsWith(`/${requestId}`)).toBe(true);
    await oneReceipt(unit);
  });
});
