/**
 * The console in a real browser (headless Chromium through playwright-core) on a phone-sized screen, on the real
 * stack: Temporal dev server, PostgreSQL, SMTP, a worker and the API in this process, a compressed calendar
 * (one day = 3 s). A clerk of Ban Tuyên giáo signs in, opens the cycle, filters the unit table, opens a unit,
 * extends a deadline with a reason and sees the next reminder move; a unit submits through the API and the open
 * cycle page updates by itself (server-sent events). Screenshots of the main pages go to test/artifacts/console/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startHarness, type Harness } from '../support/harness.js';
import { startHarnessApi } from '../support/harness-api.js';
import { writeFixture, type Fixture } from '../support/fixtures.js';
import { waitFor } from '../support/processes.js';
import { launchBrowser, phoneContext } from '../support/browser.js';
import { startCycle } from '../../cli/commands/cycle.js';
import { startApi } from '../../api/server.js';
import { acknowledgePlan, exempt, submit } from '../../client/unit-actions.js';
import { startInspection } from '../../client/inspection-actions.js';
import { cycleWorkflowId, unitWorkflowId } from '../../domain/ids.js';
import { addDays, localTimeToInstant } from '../../domain/calendar.js';
import { SEND_HOUR } from '../../domain/schedule.js';
import { freePort } from '../../stack/ports.js';
import { projectRoot } from '../../config/paths.js';
import { addUser } from '../../console/users.js';
import { viCalendarTime } from '../../console/format.js';

const QUEUE = 'it-console-browser';
const SECONDS_PER_DAY = 3;
const PASSWORD = 'mat-khau-can-bo-btg-2027';
const HOSTILE = '<script>alert("xss")</script><img src=x onerror=alert(1)>';
const SHOTS = path.join(projectRoot(), 'test', 'artifacts', 'console');
const TZ = 'Asia/Ho_Chi_Minh';

describe('the console in a phone browser', () => {
  let h: Harness;
  let api: Awaited<ReturnType<typeof startApi>>;
  let fx: Fixture;
  let browser: Browser;
  let context: BrowserContext;
  let desktop: BrowserContext;
  let worker: Promise<void> | undefined;
  let cycleId = '';
  const dialogs: string[] = [];
  /** What the browser refused under the pages' Content-Security-Policy (an inline style or script without the nonce). */
  const cspViolations: string[] = [];
  const username = `btg-${randomUUID().slice(0, 6)}`;

  const actor = (unit: string) => ({ id: `unit:${unit}`, via: 'api' as const });
  const rid = () => `test-${randomUUID()}`;
  const text = async (page: Page, selector: string) =>
    ((await page.locator(selector).first().textContent()) ?? '').replace(/\s+/g, ' ').trim();

  /** The unit codes of the rows the unit table shows. */
  async function shownUnits(page: Page): Promise<string[]> {
    const rows = page.locator('#unit-table tbody tr');
    const out: string[] = [];
    for (let i = 0; i < (await rows.count()); i++) out.push((await rows.nth(i).getAttribute('data-unit')) ?? '');
    return out;
  }

  async function expectFitsPhone(page: Page): Promise<void> {
    // A string, evaluated in the page: this project's TypeScript has no DOM library.
    const m = await page.evaluate<{ scrollWidth: number; innerWidth: number }>(
      '({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })',
    );
    expect(m.scrollWidth, `page ${page.url()} overflows the phone's width`).toBeLessThanOrEqual(m.innerWidth);
  }

  async function shoot(page: Page, name: string): Promise<void> {
    const file = path.join(SHOTS, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    expect(fs.statSync(file).size).toBeGreaterThan(5000);
  }

  /** The same page on a desktop screen (the same session), for the record. */
  async function shootDesktop(url: string, name: string): Promise<void> {
    await desktop.addCookies(await context.cookies());
    const page = await desktop.newPage();
    await page.goto(url, { waitUntil: 'load' });
    await shoot(page, name);
    await page.close();
  }

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    browser = await launchBrowser();
    context = await phoneContext(browser);
    desktop = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN', timezoneId: TZ });
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    h = await startHarness({ taskQueue: QUEUE, publicBaseUrl: base });
    api = await startHarnessApi(h, port, {
      temporalUiUrl: 'http://127.0.0.1:8233',
      // Live updates are checked every half second here (2 s in production).
      console: { livePollMs: 500 },
    });
    await addUser(h.db, { username, name: 'Trần Thị Cán Bộ', role: 'clerk', password: PASSWORD });
    worker = h.worker.run();
    // Plan due on day 5 (≈ 17 s), its ladder done by day 8; study and pledge due on 30 April (≈ 3 min).
    fx = writeFixture({
      code: 'ITCONBROWSER',
      issuedOn: '2027-03-01',
      deadline: '2027-04-30',
      closesOn: '2027-06-30',
      units: 7,
      reminders: [7, 3, 1],
      level2AfterDays: 2,
      level3AfterDays: 3,
      phases: [
        { id: 'plan', deadline: '2027-03-05' },
        { id: 'study', deadline: '2027-04-30', makeupDays: 20 },
        { id: 'pledge', deadline: '2027-04-30' },
      ],
    });
  });

  afterAll(async () => {
    // After a failure the workflows were left waiting: end them, so nothing of this test keeps running.
    if (cycleId) {
      const ids = [cycleWorkflowId(cycleId), ...fx.unitCodes.map((u) => unitWorkflowId(cycleId, u))];
      const { rows } = await h.db.query('SELECT id FROM inspections WHERE cycle_id = $1', [cycleId]);
      for (const id of [...ids, ...rows.map((r) => r.id as string)]) {
        const handle = h.client.workflow.getHandle(id);
        if ((await handle.describe().catch(() => undefined))?.status.name === 'RUNNING')
          await handle.terminate('console-browser test ended').catch(() => undefined);
      }
    }
    await context?.close();
    await desktop?.close();
    await browser?.close();
    await api?.close();
    h?.worker.shutdown();
    await worker?.catch(() => undefined);
    await h?.close();
  });

  it('a clerk follows the cycle, filters, extends a deadline and watches units submit live', async () => {
    const [u1, u2, u3, u4, u5, u6, u7] = fx.unitCodes as [string, string, string, string, string, string, string];
    const started = Date.now();
    const cycle = await startCycle({ db: h.db, client: h.client, taskQueue: QUEUE, configFile: fx.file, secondsPerDay: SECONDS_PER_DAY });
    cycleId = cycle.cycleId;
    await h.db.query('UPDATE units SET name = $3 WHERE cycle_id = $1 AND code = $2', [cycleId, u7, `${HOSTILE} Chi bộ Thử`]);

    // --- The year so far: some on time, one exempted, one late, two never ----------------------------------------
    await waitFor(
      'every unit to open its phases',
      async () => {
        const { rows } = await h.db.query('SELECT count(*)::int AS n FROM obligations WHERE cycle_id = $1', [cycleId]);
        return rows[0].n === fx.unitCodes.length * 3;
      },
      60_000,
      200,
    );
    // Member counts as the units list has them (20, 57, 94, … from the fixture): a count far from it needs a reason.
    for (const u of [u1, u2, u7])
      await acknowledgePlan(h.client, cycleId, u, { phase: 'plan', actor: actor(u), confirmedBy: 'Nguyễn Văn Bí Thư', requestId: rid() });
    await submit(h.client, cycleId, u1, {
      phase: 'study',
      payload: { members: 20, studied: 20, sessionDate: '2027-03-02' },
      actor: actor(u1),
      requestId: rid(),
    });
    await submit(h.client, cycleId, u1, {
      phase: 'pledge',
      payload: { members: 20, withPersonalPlan: 19 },
      actor: actor(u1),
      requestId: rid(),
    });
    await submit(h.client, cycleId, u2, {
      phase: 'study',
      payload: { members: 57, studied: 18, sessionDate: '2027-03-02' },
      actor: actor(u2),
      requestId: rid(),
    });
    await submit(h.client, cycleId, u7, {
      phase: 'pledge',
      payload: { members: 242, withPersonalPlan: 242 },
      actor: actor(u7),
      requestId: rid(),
    });
    await exempt(h.client, cycleId, u3, {
      phase: 'plan',
      reason: 'Đơn vị mới thành lập, đã có kế hoạch của cấp trên',
      actor: { id: 'operator:test', via: 'api' },
      requestId: rid(),
    });
    await startInspection({ db: h.db, client: h.client, taskQueue: QUEUE }, cycleId, {
      unitCode: u4,
      kind: 'kiem-tra',
      body: 'ubkt',
      origin: 'escalation',
      reason: 'Không nộp kế hoạch thực hiện',
      actor: { id: 'operator:test', via: 'api' },
    });
    // Day 6 has begun: the plan deadline (5 March) has passed; u5 sends its plan late.
    await waitFor(
      'the plan deadline to pass',
      async () => {
        const { rows } = await h.db.query("SELECT status FROM obligations WHERE cycle_id = $1 AND unit_code = $2 AND phase = 'plan'", [
          cycleId,
          u5,
        ]);
        return rows[0]?.status === 'overdue';
      },
      60_000,
      200,
    );
    await acknowledgePlan(h.client, cycleId, u5, { phase: 'plan', actor: actor(u5), confirmedBy: 'Lê Văn Chậm', requestId: rid() });
    // u4 and u6 never send it: recorded as not submitted (level 3) on day 8.
    await waitFor(
      'level 3 for the units that never sent their plan',
      async () => {
        const { rows } = await h.db.query(
          "SELECT count(*)::int AS n FROM obligations WHERE cycle_id = $1 AND phase = 'plan' AND status = 'not_submitted'",
          [cycleId],
        );
        return rows[0].n === 2;
      },
      60_000,
      200,
    );

    // --- Sign in ---------------------------------------------------------------------------------------------------
    const page = await context.newPage();
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    await page.goto(`${api.url}/console/`, { waitUntil: 'load' });
    expect(new URL(page.url()).pathname).toBe('/console/dang-nhap');
    await expectFitsPhone(page);
    await shoot(page, 'signin-phone');
    await page.getByLabel('Tên đăng nhập').fill(username);
    await page.getByLabel('Mật khẩu').fill(PASSWORD);
    await Promise.all([page.waitForURL(`${api.url}/console/`), page.getByRole('button', { name: 'Đăng nhập' }).tap()]);
    expect(await text(page, 'header.top form span')).toBe('Trần Thị Cán Bộ · Ban Tuyên giáo');
    await expectFitsPhone(page);
    await shoot(page, 'cycles-phone');
    await shootDesktop(page.url(), 'cycles');

    // --- The cycle, its standing and the unit table ---------------------------------------------------------------
    await Promise.all([page.waitForURL(`**/console/chu-ky/${cycleId}`), page.getByRole('link', { name: cycleId }).tap()]);
    const cell = (unit: string, phase: string) => page.locator(`#unit-table td.cell[data-unit="${unit}"][data-phase="${phase}"] .chip`);
    expect(await cell(u1, 'plan').textContent()).toBe('Đúng hạn');
    expect(await cell(u3, 'plan').textContent()).toBe('Được miễn');
    expect(await cell(u4, 'plan').textContent()).toBe('Không nộp');
    expect(await cell(u5, 'plan').textContent()).toBe('Nộp chậm');
    expect(await cell(u6, 'study').textContent()).toBe('Chưa đến hạn');
    // A make-up session is owed only by the unit under the attendance target.
    expect(await cell(u2, 'study-makeup').textContent()).toBe('Chưa đến hạn');
    expect(await cell(u1, 'study-makeup').textContent()).toBe('—');
    expect(await page.locator(`#unit-table td.cell[data-unit="${u4}"][data-phase="plan"] .lvl`).textContent()).toBe('M3');
    expect(await page.locator('#unit-table th').allTextContents()).toEqual([
      'Mã',
      'Đơn vị',
      'Kế hoạch',
      'Học tập',
      'Học bù',
      'Cam kết',
      'Khắc phục',
    ]);
    expect(await text(page, '#phase-summary [data-phase="plan"]')).toContain('Không nộp: 2 (28,6%)');
    await page.locator('#live-state', { hasText: 'đang theo dõi' }).waitFor();
    await expectFitsPhone(page);

    // Filters are GET parameters: plan, not submitted → the two units that never sent it.
    await page.locator('#filters select[name="phase"]').selectOption('plan');
    await page.locator('#filters select[name="status"]').selectOption('not_submitted');
    await Promise.all([page.waitForURL(/status=not_submitted/), page.locator('#filters button[type="submit"]').tap()]);
    expect(new URL(page.url()).searchParams.get('phase')).toBe('plan');
    expect(await shownUnits(page)).toEqual([u4, u6]);
    expect(await page.locator('#unit-table th').allTextContents()).toEqual(['Mã', 'Đơn vị', 'Kế hoạch']);
    expect(await text(page, '#shown')).toBe('Hiển thị 2 / 7 đơn vị');
    // Level 3 and a name search (without diacritics) narrow it further.
    await page.goto(`${api.url}/console/chu-ky/${cycleId}?level=3&q=${encodeURIComponent('so y te')}`, { waitUntil: 'load' });
    expect(await page.locator('#unit-table tbody tr').count()).toBe(0);
    await page.goto(`${api.url}/console/chu-ky/${cycleId}?q=${encodeURIComponent('tu phap')}`, { waitUntil: 'load' });
    expect(await shownUnits(page)).toEqual([u2]);
    // The hostile name is shown as text.
    await page.goto(`${api.url}/console/chu-ky/${cycleId}?q=Thu`, { waitUntil: 'load' });
    expect(await text(page, `#unit-table tr[data-unit="${u7}"] td:nth-child(2)`)).toBe(`${HOSTILE} Chi bộ Thử`);

    // --- A unit: extend the study deadline, and the next reminder moves with it -----------------------------------
    await page.goto(`${api.url}/console/chu-ky/${cycleId}?phase=study`, { waitUntil: 'load' });
    await Promise.all([page.waitForURL(`**/don-vi/${u6}`), page.locator(`#unit-table tr[data-unit="${u6}"] a`).tap()]);
    expect(await text(page, '#unit-name')).toBe('Đảng bộ Công ty Điện lực 6');
    const study = page.locator('section.obligation[data-phase="study"]');
    const reminderAt = (date: string) => viCalendarTime(localTimeToInstant(date, SEND_HOUR, TZ), TZ);
    // Reminders 7, 3 and 1 days before 30 April: today is in March, so the next is 23 April at 08:00.
    expect(await text(page, 'section.obligation[data-phase="study"] .next-reminder time')).toBe(reminderAt('2027-04-23'));
    expect(await text(page, 'section.obligation[data-phase="study"] .deadline')).toBe('30/04/2027');
    expect(await page.locator('a.temporal', { hasText: 'Workflow của đơn vị' }).getAttribute('href')).toBe(
      `http://127.0.0.1:8233/namespaces/default/workflows/${encodeURIComponent(unitWorkflowId(cycleId, u6))}`,
    );
    await expectFitsPhone(page);

    await study.locator('details[data-action="extend"] summary').tap();
    const form = study.locator('details[data-action="extend"] form');
    // The reason is required: the browser will not send the form without it.
    await form.locator('input[name="until"]').fill('2027-05-14');
    await form.getByRole('button', { name: 'Gia hạn' }).tap();
    expect(
      await form
        .locator('textarea[name="reason"]')
        .evaluate((el) => (el as unknown as { validity: { valueMissing: boolean } }).validity.valueMissing),
    ).toBe(true);
    expect(page.url()).not.toMatch(/ket-qua/);
    await form.locator('textarea[name="reason"]').fill('Đơn vị đang sắp xếp tổ chức bộ máy, xin lùi hạn báo cáo học tập');
    await Promise.all([page.waitForURL(/ket-qua=\d+/), form.getByRole('button', { name: 'Gia hạn' }).tap()]);
    expect(await text(page, '#repair-result')).toContain('Gia hạn: đã thực hiện.');
    expect(await text(page, '#repair-result')).toContain('Đơn vị đang sắp xếp tổ chức bộ máy');
    expect(await text(page, 'section.obligation[data-phase="study"] .deadline')).toBe('14/05/2027 (hạn ban đầu 30/04/2027)');
    expect(await text(page, 'section.obligation[data-phase="study"] .next-reminder time')).toBe(reminderAt(addDays('2027-05-14', -7)));
    // The timeline shows the extension with who made it and why.
    expect(await text(page, '#timeline')).toContain('Đơn vị đang sắp xếp tổ chức bộ máy');
    const { rows: ext } = await h.db.query(
      "SELECT actor, reason, to_char(deadline, 'YYYY-MM-DD') AS deadline FROM events WHERE cycle_id " +
        "= $1 AND unit_code = $2 AND kind = 'extended'",
      [cycleId, u6],
    );
    expect(ext).toEqual([
      { actor: `operator:${username}`, reason: 'Đơn vị đang sắp xếp tổ chức bộ máy, xin lùi hạn báo cáo học tập', deadline: '2027-05-14' },
    ]);
    await expectFitsPhone(page);
    await shoot(page, 'unit-phone');
    await shootDesktop(page.url(), 'unit');

    // --- The cycle page updates itself as units submit ---------------------------------------------------------------
    await page.goto(`${api.url}/console/chu-ky/${cycleId}`, { waitUntil: 'load' });
    await page.locator('#live-state', { hasText: 'đang theo dõi' }).waitFor();
    expect(await cell(u3, 'study').textContent()).toBe('Chưa đến hạn');
    expect(await page.locator('#live-banner').isHidden()).toBe(true);
    await submit(h.client, cycleId, u3, {
      phase: 'study',
      payload: { members: 94, studied: 94, sessionDate: '2027-03-10' },
      actor: actor(u3),
      requestId: rid(),
    });
    await page
      .locator(`#unit-table td.cell[data-unit="${u3}"][data-phase="study"] .chip`, { hasText: 'Đúng hạn' })
      .waitFor({ timeout: 15_000 });
    expect(await page.locator('#live-banner').isVisible()).toBe(true);
    expect(await text(page, '#live-banner')).toContain('Có cập nhật: Đảng bộ Sở Y tế 3 — Học tập: đã nộp (Đúng hạn).');
    expect(await page.locator(`#unit-table tr[data-unit="${u3}"]`).getAttribute('class')).toBe('flash');
    // And as the clerk's colleagues repair: an exemption made elsewhere shows up too.
    await exempt(h.client, cycleId, u6, {
      phase: 'pledge',
      reason: 'Đơn vị giải thể theo quyết định',
      actor: { id: 'operator:other', via: 'api' },
      requestId: rid(),
    });
    await page
      .locator(`#unit-table td.cell[data-unit="${u6}"][data-phase="pledge"] .chip`, { hasText: 'Được miễn' })
      .waitFor({ timeout: 15_000 });
    await shoot(page, 'cycle-phone');
    await shootDesktop(page.url(), 'cycle');

    // --- The other pages ------------------------------------------------------------------------------------------
    await page.goto(`${api.url}/console/bi-ket?chu-ky=${cycleId}`, { waitUntil: 'load' });
    expect(await page.locator(`section.stall[data-kind="overdue"][data-unit="${u4}"]`).count()).toBe(1);
    expect(await page.locator(`section.stall[data-unit="${u4}"] details[data-action="remind"]`).count()).toBe(1);
    await expectFitsPhone(page);
    await shoot(page, 'stalled-phone');
    await shootDesktop(page.url(), 'stalled');

    await page.goto(`${api.url}/console/qua-han?chu-ky=${cycleId}`, { waitUntil: 'load' });
    expect(await page.locator('#overdue tbody tr').count()).toBe(2);
    await expectFitsPhone(page);
    await shoot(page, 'overdue-phone');

    await page.goto(`${api.url}/console/nhat-ky`, { waitUntil: 'load' });
    expect(await text(page, '#audit tbody tr:first-child')).toContain('Đơn vị đang sắp xếp tổ chức bộ máy');
    await expectFitsPhone(page);
    await shoot(page, 'audit-phone');
    await shootDesktop(page.url(), 'audit');

    await page.goto(`${api.url}/console/chu-ky/${cycleId}/bieu-do`, { waitUntil: 'load' });
    expect(await page.locator('figure.chart svg').count()).toBe(3);
    await expectFitsPhone(page);
    await shoot(page, 'charts-phone');
    await shootDesktop(page.url(), 'charts');

    await page.goto(`${api.url}/console/chu-ky/${cycleId}/don-vi/${u4}`, { waitUntil: 'load' });
    expect(await page.locator('#inspections a.temporal').getAttribute('href')).toContain(
      encodeURIComponent(`chuky/inspection/${cycleId}/${u4}`),
    );
    await shootDesktop(page.url(), 'unit-inspected');

    // Nothing of the hostile name ever ran, and the console's own style and script were never refused.
    expect(dialogs).toEqual([]);
    expect(cspViolations).toEqual([]);
    // Everything above happened before the study reminders (23 April, day 54 ≈ 2'40").
    expect(Date.now() - started).toBeLessThan(150_000);
  });
});
