/**
 * The unit's forms in a real browser (headless Chromium through playwright-core) on a phone-sized screen, on
 * the real stack: Temporal dev server, PostgreSQL, SMTP, a worker and the API in this process, and a
 * compressed calendar (one day = 2 s). Units open the links in the emails they received, fill the forms, attach
 * a file, see per-field errors and receipts; the test reads back the emails, the database and the workflows.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startHarness, type Harness } from '../support/harness.js';
import { PHASE_TITLES, writeFixture, type Fixture } from '../support/fixtures.js';
import { waitFor } from '../support/processes.js';
import { launchBrowser, phoneContext } from '../support/browser.js';
import { startCycle } from '../../cli/commands/cycle.js';
import { startApi } from '../../api/server.js';
import { cycleWorkflowId, unitWorkflowId } from '../../domain/ids.js';
import { DERIVED_PHASES } from '../../config/phase-lookup.js';
import { closeCycleSignal } from '../../workflows/messages.js';
import { freePort } from '../../stack/ports.js';
import { fetchInbox, type StoredMail } from '../../stack/smtp-sink.js';

const QUEUE = 'it-browser-forms';
const SECONDS_PER_DAY = 2;
const MAKEUP_TITLE = DERIVED_PHASES['study-makeup']!.title;
const STUDIED_TOO_MANY = 'Số đảng viên đã học tập không được lớn hơn tổng số đảng viên';

/** A tiny but well-formed PDF. */
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
  'latin1',
);

describe('unit forms in a phone browser', () => {
  let h: Harness;
  let api: Awaited<ReturnType<typeof startApi>>;
  let fx: Fixture;
  let browser: Browser;
  let context: BrowserContext;
  let tmp: string;
  let cycleId = '';

  /** The emails of one kind for one unit and phase, as the SMTP server received them (oldest first). */
  async function mails(unit: string, phase: string, kind: string, count = 1, timeoutMs = 30_000): Promise<StoredMail[]> {
    return waitFor(
      `${count} ${kind} email(s) for ${unit}/${phase}`,
      async () => {
        const { rows } = await h.db.query<{ message_id: string }>(
          'SELECT message_id FROM emails WHERE cycle_id = $1 AND unit_code = $2 AND phase = $3 AND kind ' +
            "= $4 AND status = 'sent' ORDER BY id",
          [cycleId, unit, phase, kind],
        );
        if (rows.length < count) return undefined;
        const inbox = await fetchInbox(h.inboxUrl);
        const found = rows.map((r) => inbox.find((m) => m.messageId === r.message_id));
        return found.every((m): m is StoredMail => m !== undefined) ? found : undefined;
      },
      timeoutMs,
      200,
    );
  }
  const linkIn = (m: StoredMail, label: RegExp): string => {
    const link = label.exec(m.text)?.[1];
    if (!link) throw new Error(`no link in email "${m.subject}":\n${m.text}`);
    return link;
  };
  const noticeLink = async (unit: string, phase: string) => linkIn((await mails(unit, phase, 'notice'))[0]!, /Xác nhận và nộp tại: (\S+)/);

  const field = (page: Page, name: string) => page.locator(`#phase-form [name="${name}"]`);

  /** Submits the form as a user does (the button), and returns the HTTP status of the page that comes back. */
  async function submit(page: Page): Promise<number> {
    const [response] = await Promise.all([
      page.waitForNavigation({ waitUntil: 'domcontentloaded' }),
      page.locator('#phase-form button[type="submit"]').tap(),
    ]);
    return response?.status() ?? 0;
  }

  /** Opens a link in a fresh tab; the page must fit the phone's width. */
  async function open(link: string): Promise<{ page: Page; status: number }> {
    const page = await context.newPage();
    const response = await page.goto(link, { waitUntil: 'domcontentloaded' });
    await expectFitsPhone(page);
    return { page, status: response?.status() ?? 0 };
  }

  async function expectFitsPhone(page: Page): Promise<void> {
    // A string, evaluated in the page: this project's TypeScript has no DOM library.
    const m = await page.evaluate<{ scrollWidth: number; innerWidth: number }>(
      '({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })',
    );
    expect(m.innerWidth).toBe(390);
    expect(m.scrollWidth, `page ${page.url()} overflows the phone's width`).toBeLessThanOrEqual(m.innerWidth);
  }

  const text = async (page: Page, selector: string) => ((await page.locator(selector).textContent()) ?? '').replace(/\s+/g, ' ').trim();

  async function submissions(
    unit: string,
    phase: string,
  ): Promise<Array<{ version: number; payload: Record<string, unknown>; via: string; late: boolean }>> {
    const { rows } = await h.db.query(
      'SELECT version, payload, via, late FROM submissions WHERE cycle_id = $1 AND unit_code = $2 AND phase = $3 ORDER BY version',
      [cycleId, unit, phase],
    );
    return rows;
  }

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'chuky-browser-'));
    browser = await launchBrowser();
    context = await phoneContext(browser);
    const port = await freePort();
    h = await startHarness({ taskQueue: QUEUE, publicBaseUrl: `http://127.0.0.1:${port}` });
    api = await startApi({ db: h.db, client: h.client, signingSecret: h.env.signingSecret }, port);
    // Every phase opens on day one and is due on day 19 (≈ 40 s); the cycle would close itself on day 25.
    fx = writeFixture({
      code: 'ITBROWSER',
      issuedOn: '2027-03-01',
      deadline: '2027-03-19',
      closesOn: '2027-03-24',
      units: 3,
      reminders: [1],
      level2AfterDays: 2,
      level3AfterDays: 3,
      phases: [
        { id: 'plan', deadline: '2027-03-19' },
        { id: 'study', deadline: '2027-03-19', makeupDays: 3 },
        { id: 'pledge', deadline: '2027-03-19' },
      ],
    });
  });

  afterAll(async () => {
    // After a failure the workflows were left waiting: end them, so nothing of this test keeps running.
    if (cycleId) {
      for (const id of [cycleWorkflowId(cycleId), ...fx.unitCodes.map((u) => unitWorkflowId(cycleId, u))]) {
        const handle = h.client.workflow.getHandle(id);
        if ((await handle.describe().catch(() => undefined))?.status.name === 'RUNNING')
          await handle.terminate('browser-forms test ended early').catch(() => undefined);
      }
    }
    await context?.close();
    await browser?.close();
    await api?.close();
    await h?.close();
  });

  it('units fill, correct, revise and send their forms from the links in their emails', async () => {
    const [first, second, third] = fx.unitCodes as [string, string, string];
    const started = Date.now();
    await h.run(async () => {
      const cycle = await startCycle({ db: h.db, client: h.client, taskQueue: QUEUE, configFile: fx.file, secondsPerDay: SECONDS_PER_DAY });
      cycleId = cycle.cycleId;

      // --- Plan, with an attached file ------------------------------------------------------------------------
      const planLink = await noticeLink(first, 'plan');
      const { page: plan, status } = await open(planLink);
      expect(status).toBe(200);
      expect(await text(plan, 'h1')).toBe(PHASE_TITLES.plan);
      expect(await text(plan, '.deadline')).toBe('Hạn nộp: 19/03/2027');
      expect(await text(plan, '#status')).toBe('Chưa đến hạn');
      expect(await plan.locator('#phase-form').getAttribute('enctype')).toBe('multipart/form-data');
      await plan.getByLabel('Người xác nhận (họ tên, chức vụ)').fill('Nguyễn Văn An, Bí thư');
      await plan.getByLabel('Số, ngày kế hoạch thực hiện của đơn vị').fill('05-KH/ĐU, ngày 02/03/2027');
      await plan.getByLabel('Nội dung kế hoạch').fill('Tổ chức học tập chuyên đề cho toàn thể đảng viên trong quý I.');
      const pdfPath = path.join(tmp, 'Kế hoạch 05-KH.pdf');
      fs.writeFileSync(pdfPath, PDF);
      await field(plan, 'fileId').setInputFiles(pdfPath);
      // The filled form, as the unit sees it on a phone (kept outside the repository).
      const screenshot = path.join(tmp, 'plan-form-filled.png');
      await plan.screenshot({ path: screenshot, fullPage: true });
      expect(fs.statSync(screenshot).size).toBeGreaterThan(1000);
      console.log(`[browser-forms] screenshot of the filled plan form: ${screenshot}`);
      await expectFitsPhone(plan);

      expect(await submit(plan)).toBe(200);
      expect(await text(plan, '#notice')).toContain('Đã nhận (lần 1, đúng hạn)');
      // The header shows the state after the submission, not before it.
      expect(await text(plan, '#status')).toBe('Đã nộp đúng hạn');
      await expectFitsPhone(plan);
      const receipt = (await mails(first, 'plan', 'receipt'))[0]!;
      expect(receipt.subject).toContain('(lần 1)');
      expect(receipt.to.sort()).toEqual([fx.unitEmail(first, 'contact'), fx.unitEmail(first, 'secretary')].sort());
      expect(receipt.text).toContain('Bản nộp đúng hạn');
      expect(receipt.text).toContain('có tệp đính kèm');

      const { rows: files } = await h.db.query(
        'SELECT id, filename, content_type, size, content, phase, uploaded_by FROM files WHERE cycle_id = $1 AND unit_code = $2',
        [cycleId, first],
      );
      expect(files).toHaveLength(1);
      const file = files[0]!;
      expect(file).toMatchObject({
        filename: 'Kế hoạch 05-KH.pdf',
        content_type: 'application/pdf',
        size: PDF.length,
        phase: 'plan',
        uploaded_by: `unit:${first}`,
      });
      expect(Buffer.compare(file.content, PDF)).toBe(0);
      const planSubs = await submissions(first, 'plan');
      expect(planSubs).toHaveLength(1);
      expect(planSubs[0]).toMatchObject({ version: 1, via: 'web', late: false });
      expect(planSubs[0]!.payload).toMatchObject({
        confirmedBy: 'Nguyễn Văn An, Bí thư',
        unitPlanNumber: '05-KH/ĐU, ngày 02/03/2027',
        fileId: file.id,
      });
      // The page that came back keeps the stored file, so a second send without choosing again keeps it.
      // The unit sees the file's own name, not its stored id.
      expect(await text(plan, `#current-fileId`)).toContain('Đã có tệp: Kế hoạch 05-KH.pdf');

      // --- Study: a refused figure, then attendance under target ---------------------------------------------
      const { page: study } = await open(await noticeLink(first, 'study'));
      expect(await text(study, 'h1')).toBe(PHASE_TITLES.study);
      await field(study, 'members').fill('20');
      await field(study, 'studied').fill('25');
      await field(study, 'sessionDate').fill('2027-03-02');
      expect(await submit(study)).toBe(400);
      expect(await text(study, '#err-studied')).toBe(STUDIED_TOO_MANY);
      expect(await field(study, 'studied').getAttribute('aria-invalid')).toBe('true');
      expect(await field(study, 'studied').getAttribute('aria-describedby')).toContain('err-studied');
      expect(await text(study, '#form-errors')).toContain('vui lòng sửa 1 chỗ');
      expect(await study.locator('#notice').count()).toBe(0);
      // What the unit typed is still there.
      expect(await field(study, 'members').inputValue()).toBe('20');
      expect(await field(study, 'studied').inputValue()).toBe('25');
      expect(await field(study, 'sessionDate').inputValue()).toBe('2027-03-02');
      await expectFitsPhone(study);
      expect(await submissions(first, 'study')).toEqual([]);

      await field(study, 'studied').fill('18'); // 18/20 = 90% < 98%
      expect(await submit(study)).toBe(200);
      const studyNotice = await text(study, '#notice');
      expect(studyNotice).toContain('Đã nhận (lần 1, đúng hạn)');
      expect(studyNotice).toContain('cần tổ chức quán triệt bổ sung');
      expect(await study.locator('.err').count()).toBe(0);
      const studySubs = await submissions(first, 'study');
      expect(studySubs.map((s) => s.payload)).toEqual([{ members: 20, studied: 18, sessionDate: '2027-03-02' }]);
      expect((await mails(first, 'study', 'receipt'))[0]!.text).toContain('chưa đạt chỉ tiêu 98%');

      // The make-up obligation has its own notice, link and form.
      const makeupNotice = (await mails(first, 'study-makeup', 'notice'))[0]!;
      expect(makeupNotice.subject).toContain(MAKEUP_TITLE);
      const { page: makeup, status: makeupStatus } = await open(linkIn(makeupNotice, /Xác nhận và nộp tại: (\S+)/));
      expect(makeupStatus).toBe(200);
      expect(await text(makeup, 'h1')).toBe(MAKEUP_TITLE);
      await field(makeup, 'makeupDate').fill('2027-03-04');
      await field(makeup, 'studiedTotal').fill('20');
      await field(makeup, 'members').fill('20');
      await makeup.getByLabel('Ghi chú').fill('Hai đồng chí đi công tác đã học bù.');
      expect(await submit(makeup)).toBe(200);
      expect(await text(makeup, '#notice')).toMatch(/Đã nhận \(lần 1, (đúng hạn|nộp chậm)\)/);
      const makeupReceipt = (await mails(first, 'study-makeup', 'receipt'))[0]!;
      expect(makeupReceipt.subject).toContain(MAKEUP_TITLE);
      expect(makeupReceipt.text).toContain('20/20 đảng viên');
      expect((await submissions(first, 'study-makeup')).map((s) => s.payload)).toEqual([
        { makeupDate: '2027-03-04', studiedTotal: 20, members: 20, note: 'Hai đồng chí đi công tác đã học bù.' },
      ]);

      // --- A second unit revises its plan before the deadline --------------------------------------------------
      const { page: rev1 } = await open(await noticeLink(second, 'plan'));
      await field(rev1, 'confirmedBy').fill('Trần Thị Bình, Phó Bí thư');
      await field(rev1, 'unitPlanNumber').fill('07-KH/ĐU');
      await field(rev1, 'planText').fill('Kế hoạch thực hiện năm 2027 của đơn vị.');
      expect(await submit(rev1)).toBe(200);
      expect(await text(rev1, '#notice')).toContain('Đã nhận (lần 1, đúng hạn)');
      // The receipt's "Xem lại hoặc bổ sung" link opens the form with what was sent.
      const review = linkIn((await mails(second, 'plan', 'receipt'))[0]!, /Xem lại hoặc bổ sung: (\S+)/);
      const { page: rev2 } = await open(review);
      expect(await text(rev2, 'p:has(#status)')).toBe('Trạng thái: Đã nộp đúng hạn · đã nộp 1 lần');
      expect(await field(rev2, 'confirmedBy').inputValue()).toBe('Trần Thị Bình, Phó Bí thư');
      expect(await field(rev2, 'unitPlanNumber').inputValue()).toBe('07-KH/ĐU');
      expect(await field(rev2, 'planText').inputValue()).toBe('Kế hoạch thực hiện năm 2027 của đơn vị.');
      expect(await field(rev2, 'note').inputValue()).toBe('');
      await field(rev2, 'unitPlanNumber').fill('07-KH/ĐU, ngày 05/03/2027');
      expect(await submit(rev2)).toBe(200);
      expect(await text(rev2, '#notice')).toContain('Đã nhận (lần 2, đúng hạn)');
      const revisions = await submissions(second, 'plan');
      expect(revisions.map((s) => s.version)).toEqual([1, 2]);
      expect(revisions[1]!.payload).toEqual({
        confirmedBy: 'Trần Thị Bình, Phó Bí thư',
        unitPlanNumber: '07-KH/ĐU, ngày 05/03/2027',
        planText: 'Kế hoạch thực hiện năm 2027 của đơn vị.',
      });
      expect((await mails(second, 'plan', 'receipt', 2))[1]!.subject).toContain('(lần 2)');

      // --- A tampered link is refused ------------------------------------------------------------------------
      const thirdLink = await noticeLink(third, 'plan');
      const url = new URL(thirdLink);
      const token = url.pathname.split('/').pop()!;
      // One character inside the signature (not its last, whose low bits are padding) is changed.
      const at = token.lastIndexOf('.') + 10;
      const tampered = token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1);
      const { page: forged, status: forgedStatus } = await open(thirdLink.replace(token, tampered));
      expect(forgedStatus).toBe(403);
      expect(await text(forged, 'h1')).toBe('Không mở được biểu mẫu');
      expect(await text(forged, '[role="alert"]')).toBe('Đường dẫn không hợp lệ hoặc đã bị sửa đổi.');
      expect(await forged.locator('form').count()).toBe(0);
      // The genuine link still opens, and the pledge form (with its file input) fits the phone too.
      expect((await open(thirdLink)).status).toBe(200);
      const { page: pledge } = await open(await noticeLink(third, 'pledge'));
      expect(await pledge.locator('input[type="file"][name="memberListFileId"]').count()).toBe(1);

      // Everything above happened before the deadline (day 19 ≈ 40 s after the start).
      expect(Date.now() - started).toBeLessThan(38_000);

      // --- The year ends --------------------------------------------------------------------------------------
      await h.client.workflow
        .getHandle(cycleWorkflowId(cycleId))
        .signal(closeCycleSignal, { reason: 'Kết thúc kiểm thử trên trình duyệt', actor: 'test' });
      await h.client.workflow.getHandle(cycleWorkflowId(cycleId)).result();
      for (const unit of fx.unitCodes) await h.client.workflow.getHandle(unitWorkflowId(cycleId, unit)).result();
    });
    expect(Date.now() - started).toBeLessThan(60_000);

    // The first unit's mail, in order: one notice per phase, then the receipts and the make-up notice.
    const { rows } = await h.db.query(
      "SELECT phase, kind FROM emails WHERE cycle_id = $1 AND unit_code = $2 AND status = 'sent' ORDER BY id",
      [cycleId, first],
    );
    const sent = rows.map((r) => `${r.phase}/${r.kind}`);
    for (const e of [
      'plan/notice',
      'study/notice',
      'pledge/notice',
      'plan/receipt',
      'study/receipt',
      'study-makeup/notice',
      'study-makeup/receipt',
    ])
      expect(sent).toContain(e);
    const { rows: cycles } = await h.db.query('SELECT status FROM cycles WHERE id = $1', [cycleId]);
    expect(cycles[0]?.status).toBe('closed');
  });
});
