/**
 * A busy engine seen from the console and the operator API, for real: the unit workflows run, then their worker
 * stops, so an extension's Update times out at the Updates' limit (3 s here, set as a program sets it from its
 * Env). The console's repair post answers 503 with Retry-After and a Vietnamese page in its own layout that holds
 * the same fields and request id behind a button (no script); the attempt is in the audit log as 'failed' without
 * taking the request id, so the button pressed once a worker runs again extends once, under that id. The API's
 * audited extension leaves its 'failed' row too. Real dev server, PostgreSQL and SMTP.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Worker } from '@temporalio/worker';
import { startHarness, type Harness } from '../support/harness.js';
import { startHarnessApi } from '../support/harness-api.js';
import { writeFixture, type Fixture } from '../support/fixtures.js';
import { waitFor } from '../support/processes.js';
import { startApi } from '../../api/server.js';
import { startCycle } from '../../cli/commands/cycle.js';
import { configureUpdateTimeout } from '../../client/unit-actions.js';
import { cycleWorkflowId } from '../../domain/ids.js';
import { listAudit } from '../../ops/audit.js';
import { closeCycleSignal } from '../../workflows/messages.js';
import { createWorker } from '../../workers/worker.js';
import { freePort } from '../../stack/ports.js';
import { hiddenInputs } from '../support/hidden-inputs.js';
import { signInToConsole } from '../support/console-session.js';

const QUEUE = 'it-console-busy';
const PASSWORD = 'mat-khau-du-dai-2027';

describe('a busy engine in the console and the audited API: 503, the attempt recorded, the same request applied once', () => {
  let h: Harness;
  let api: Awaited<ReturnType<typeof startApi>>;
  let base = '';
  let fx: Fixture;
  let cycleId = '';
  let worker: Worker;
  let running: Promise<void> | undefined;
  let cookie = '';
  let csrf = '';

  const startWorker = async () => {
    worker = await createWorker({ connection: h.nativeConnection, namespace: 'default', deps: h.deps });
    running = worker.run();
  };
  const stopWorker = async () => {
    worker.shutdown();
    await running;
    running = undefined;
  };
  const consolePost = (path: string, form: Record<string, string>) =>
    fetch(base + path, { method: 'POST', headers: { cookie, origin: base }, body: new URLSearchParams(form), redirect: 'manual' });
  const deadline = async (unit: string) =>
    (
      await h.db.query<{ deadline: string }>(
        "SELECT to_char(deadline, 'YYYY-MM-DD') AS deadline FROM obligations WHERE cycle_id = $1 AND unit_code = $2 AND phase = 'plan'",
        [cycleId, unit],
      )
    ).rows[0]?.deadline;
  const extensions = async (unit: string) =>
    (await h.db.query("SELECT 1 FROM events WHERE cycle_id = $1 AND unit_code = $2 AND kind = 'extended'", [cycleId, unit])).rows.length;

  beforeAll(async () => {
    // As a program does once it has loaded its Env (CHUKY_UPDATE_TIMEOUT_MS=3000).
    configureUpdateTimeout({ updateTimeoutMs: 3_000 });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    h = await startHarness({ taskQueue: QUEUE, publicBaseUrl: base });
    api = await startHarnessApi(h, port);
    // A slow calendar (one day = 60 s): the plan phase is open and nothing falls due during the test.
    fx = writeFixture({ code: 'ITCONBUSY', issuedOn: '2027-03-01', deadline: '2027-03-20', closesOn: '2027-04-30', units: 2 });
    worker = h.worker;
    running = worker.run();
    cycleId = (await startCycle({ db: h.db, client: h.client, taskQueue: QUEUE, configFile: fx.file, secondsPerDay: 60 })).cycleId;
    await waitFor(
      'the units to open their plan phase',
      async () => {
        const { rows } = await h.db.query("SELECT count(*)::int AS n FROM obligations WHERE cycle_id = $1 AND phase = 'plan'", [cycleId]);
        return rows[0].n === 2;
      },
      120_000,
    );
    const session = await signInToConsole(base, h.db, { role: 'clerk', password: PASSWORD, prefix: 'busy-clerk' });
    cookie = session.cookie;
    csrf = /name="_csrf" value="([^"]+)"/.exec(await (await fetch(`${base}/console/`, { headers: { cookie } })).text())?.[1] ?? '';
    expect(csrf).not.toBe('');
  });

  afterAll(async () => {
    configureUpdateTimeout(undefined);
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

  it('answers a console repair 503 with its own fields to send again, records the attempt, and applies the resend once', async () => {
    const unit = fx.unitCodes[0]!;
    const requestId = `console-${randomUUID()}`;
    const back = `/console/chu-ky/${cycleId}/don-vi/${unit}`;
    const form = {
      _csrf: csrf,
      requestId,
      back,
      cycleId,
      unitCode: unit,
      phase: 'plan',
      until: '2027-03-25',
      reason: 'Đơn vị xin thêm thời gian (thử bận)',
    };
    const before = await deadline(unit);
    expect(before).toMatch(/^2027-03-2[0-2]$/);

    await stopWorker();
    const started = Date.now();
    const busy = await consolePost('/console/sua-chua/extend', form);
    const page = await busy.text();
    expect(busy.status, page).toBe(503);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(busy.headers.get('retry-after')).toBe('5');
    expect(busy.headers.get('content-type')).toMatch(/^text\/html/);
    // The console's own layout and policy: its headers, its navigation, no resend script.
    expect(busy.headers.get('content-security-policy')).toMatch(/script-src 'nonce-[^']+'/);
    expect(page).toContain('<html lang="vi">');
    expect(page).toContain('Hệ thống đang bận'.normalize('NFC'));
    expect(page).toContain('Chưa biết thao tác đã được thực hiện hay chưa'.normalize('NFC'));
    expect(page).not.toContain('Có lỗi xảy ra'.normalize('NFC'));
    expect(page).not.toMatch(/<script[^>]*>[^<]*busy-resend/);
    expect(page).toContain(`href="${back}"`);
    expect(hiddenInputs(page, 'busy-resend')).toEqual({ ...form, reason: form.reason.normalize('NFC') });

    // The attempt is in the audit log, failed, with the busy line; the request id is in its details only.
    const [row] = await listAudit(h.db, { cycleId, unitCode: unit, action: 'extend' });
    expect(row).toMatchObject({ outcome: 'failed', requestId: null, actor: expect.stringContaining('busy-clerk-') });
    expect(row!.details.engineBusy).toEqual({ requestId, timeoutMs: 3_000 });
    expect(row!.message).toContain('Temporal did not answer within 3 s');
    expect(row!.message).toContain('Temporal không trả lời trong 3 giây'.normalize('NFC'));

    // The button pressed once a worker runs: the same request id, applied, recorded under it.
    await startWorker();
    const again = await consolePost('/console/sua-chua/extend', hiddenInputs(page, 'busy-resend'));
    expect(again.status, await again.text()).toBe(303);
    const auditId = new URL(again.headers.get('location')!, base).searchParams.get('ket-qua');
    expect(Number(auditId)).toBeGreaterThan(row!.id);
    const rows = await listAudit(h.db, { cycleId, unitCode: unit, action: 'extend' });
    expect(rows.map((r) => [r.outcome, r.requestId])).toEqual([
      ['ok', requestId],
      ['failed', null],
    ]);
    await waitFor('the new deadline in the projection', async () => (await deadline(unit)) === '2027-03-25');
    // Pressed again: the first result, nothing done again.
    const twice = await consolePost('/console/sua-chua/extend', hiddenInputs(page, 'busy-resend'));
    expect(twice.status).toBe(303);
    expect(new URL(twice.headers.get('location')!, base).searchParams.get('ket-qua')).toBe(auditId);
    expect(await extensions(unit)).toBe(1);
  });

  it("records the API's busy extension as failed, and the same request applied once afterwards", async () => {
    const unit = fx.unitCodes[1]!;
    const extension = {
      phase: 'plan',
      newDeadline: '2027-03-26',
      reason: 'Đơn vị xin thêm thời gian qua API',
      actor: { id: 'operator:busy-api', via: 'api' },
      requestId: `busy-api-extend-${randomUUID().slice(0, 8)}`,
    };
    const post = () =>
      fetch(`${api.url}/api/v1/cycles/${cycleId}/units/${unit}/extend`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(extension),
      });
    await stopWorker();
    const res = await post();
    expect(res.status, await res.clone().text()).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    const [row] = await listAudit(h.db, { cycleId, unitCode: unit, action: 'extend' });
    expect(row).toMatchObject({ outcome: 'failed', requestId: null, actor: 'operator:busy-api', role: 'api', phase: 'plan' });
    expect(row!.details).toMatchObject({ via: 'api', until: '2027-03-26', engineBusy: { requestId: extension.requestId } });
    expect(row!.message).toMatch(/^busy, not confirmed/);

    await startWorker();
    const ok = await post();
    expect(ok.status, await ok.clone().text()).toBe(200);
    expect(((await ok.json()) as { deadline: string }).deadline).toBe('2027-03-26');
    const rows = await listAudit(h.db, { cycleId, unitCode: unit, action: 'extend' });
    expect(rows.map((r) => [r.outcome, r.requestId])).toEqual([
      ['ok', `api/extend/${extension.requestId}`],
      ['failed', null],
    ]);
    expect(await extensions(unit)).toBe(1);
  });
});
