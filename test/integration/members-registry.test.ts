/**
 * Figures a clerk can trust (issue 15), on the real stack (Temporal dev server, PostgreSQL, SMTP, a worker and the
 * API with its console in this process): a unit whose units list says 95 members opens its study form with 95
 * filled in; "5 of 5 studied" is refused without a reason, in Vietnamese, under the reason's field, by the form and
 * by the unit workflow's validator alike; with a reason it is accepted, and the clerk sees both counts and the
 * reason in the console's unit table and unit page, and in the compiled report's working notes. The form checks
 * against the count the workflow was launched with, not a registry row changed since. An empty models report is
 * accepted on time and shown as "nộp, không có mô hình".
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';
import { startHarnessApi } from '../support/harness-api.js';
import { writeFixture, type Fixture } from '../support/fixtures.js';
import { openCycle, type OpenCycle } from '../support/open-cycle.js';
import { waitFor } from '../support/processes.js';
import { startApi } from '../../api/server.js';
import { formUrl, signLink } from '../../auth/links.js';
import { addUser } from '../../console/users.js';
import { closeCycleSignal } from '../../workflows/messages.js';
import { cycleWorkflowId } from '../../domain/ids.js';
import { MEMBERS_REASON_LABEL } from '../../domain/phases/common.js';
import { loadReportConfig } from '../../config/report.js';
import { compileReport } from '../../report/compile.js';
import { NOTES_HEADING } from '../../report/discrepancies.js';
import { projectRoot } from '../../config/paths.js';
import { freePort } from '../../stack/ports.js';

const QUEUE = 'it-members-registry';
const PASSWORD = 'mat-khau-du-dai-2027';
const REASON = 'Chi bộ mới tách khỏi đảng bộ, danh sách chưa cập nhật';

/** Decodes the few entities hono's html escapes, so page text can be compared with plain strings. */
const text = (html: string) =>
  html
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

describe('member counts against the units list', () => {
  let h: Harness;
  let api: Awaited<ReturnType<typeof startApi>>;
  let fx: Fixture;
  let cycle: OpenCycle | undefined;
  let cycleId = '';
  let base = '';
  const unit = 'U001';

  const link = async (phase: string) =>
    formUrl(base, await signLink({ cycleId, unitCode: unit, phase }, h.env.signingSecret, Date.now() + 3_600_000));
  const postForm = async (phase: string, fields: Record<string, string>) => {
    const res = await fetch(await link(phase), { method: 'POST', body: new URLSearchParams({ requestId: randomUUID(), ...fields }) });
    return { status: res.status, html: text(await res.text()) };
  };
  const stored = async (phase: string) =>
    (
      await h.db.query('SELECT version, payload FROM submissions WHERE cycle_id = $1 AND unit_code = $2 AND phase = $3 ORDER BY version', [
        cycleId,
        unit,
        phase,
      ])
    ).rows;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    h = await startHarness({ taskQueue: QUEUE, publicBaseUrl: base });
    api = await startHarnessApi(h, port);
    fx = writeFixture({
      code: 'ITMEMBERS',
      issuedOn: '2027-03-01',
      deadline: '2027-03-20',
      units: 2,
      closesOn: '2027-04-30',
      phases: [
        { id: 'study', deadline: '2027-03-20' },
        { id: 'pledge', deadline: '2027-03-20' },
        { id: 'models', deadline: '2027-03-20' },
        { id: 'year-end-report', deadline: '2027-03-20' },
      ],
    });
    // The units list says 95 members for U001.
    const csv = path.join(path.dirname(fx.file), 'units.csv');
    const lines = fs.readFileSync(csv, 'utf8').split('\n');
    fs.writeFileSync(
      csv,
      lines
        .map((l) =>
          l.startsWith(`${unit};`)
            ? l
                .split(';')
                .map((v, i) => (i === 3 ? '95' : v))
                .join(';')
            : l,
        )
        .join('\n'),
    );
    cycle = await openCycle(h, { taskQueue: QUEUE, fixture: fx, opened: 8, timeoutMs: 90_000 });
    cycleId = cycle.cycleId;
  }, 180_000);

  afterAll(async () => {
    await cycle?.stop();
    await api?.close();
    await h?.close();
  });

  it('opens the study and pledge forms with the units list count filled in', async () => {
    for (const phase of ['study', 'pledge']) {
      const html = text(await (await fetch(await link(phase))).text());
      expect(html, phase).toMatch(/<input[^>]*name="members"[^>]*value="95"/);
      expect(html).toContain(MEMBERS_REASON_LABEL);
    }
    // The year-end report states it among its figures: the same count, the same reason field.
    const yearEnd = text(await (await fetch(await link('year-end-report'))).text());
    expect(yearEnd).toMatch(/<input[^>]*name="figures\.members"[^>]*value="95"/);
    expect(yearEnd).toContain(MEMBERS_REASON_LABEL);
  });

  it('refuses 5 of 5 without a reason, on the form and at the workflow, and accepts it with one', async () => {
    const refused = await postForm('study', { members: '5', studied: '5', sessionDate: '2027-03-05' });
    expect(refused.status).toBe(400);
    expect(refused.html).toContain(
      `${MEMBERS_REASON_LABEL}: cần ghi rõ vì tổng số đảng viên đơn vị báo cáo (5) khác số trong danh sách đơn vị (95 đảng viên) quá 10%`,
    );
    // The message sits under the reason's own field, and the count the unit typed is kept.
    expect(refused.html).toMatch(/<input[^>]*name="members"[^>]*value="5"/);
    // The workflow's validator refuses it too (the operator API has no form of its own), and nothing is stored.
    const viaApi = await fetch(`${api.url}/api/v1/cycles/${cycleId}/units/${unit}/submit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        phase: 'study',
        payload: { members: 5, studied: 5 },
        actor: { id: 'operator:test', via: 'api' },
        requestId: randomUUID(),
      }),
    });
    expect([400, 422]).toContain(viaApi.status);
    expect(((await viaApi.json()) as { error: string }).error).toContain(`${MEMBERS_REASON_LABEL}: cần ghi rõ`);
    expect(await stored('study')).toEqual([]);

    const accepted = await postForm('study', { members: '5', studied: '5', sessionDate: '2027-03-05', membersReason: REASON });
    expect(accepted.status).toBe(200);
    expect(accepted.html).toContain('Đã nhận (lần 1, đúng hạn)');
    expect(await stored('study')).toEqual([
      { version: 1, payload: { members: 5, studied: 5, sessionDate: '2027-03-05', membersReason: REASON } },
    ]);
    // The receipt's summary names the list's count and the reason.
    const { rows } = await h.db.query(
      "SELECT data FROM events WHERE cycle_id = $1 AND unit_code = $2 AND phase = 'study' AND kind = 'submitted'",
      [cycleId, unit],
    );
    expect(String(rows[0]?.data?.summary)).toContain(`danh sách đơn vị: 95 đảng viên, lý do chênh lệch: ${REASON}`);
  });

  it('checks against the count the workflow was launched with, not a registry row changed since', async () => {
    // A mid-year edit of the row (as `units import` does) does not move the workflow's count: form and workflow agree.
    await h.db.query('UPDATE units SET members = 5 WHERE cycle_id = $1 AND code = $2', [cycleId, unit]);
    try {
      const refused = await postForm('pledge', { members: '5', withPersonalPlan: '5' });
      expect(refused.status).toBe(400);
      expect(refused.html).toContain('(95 đảng viên)');
      const html = text(await (await fetch(await link('pledge'))).text());
      expect(html).toMatch(/<input[^>]*name="members"[^>]*value="95"/);
    } finally {
      await h.db.query('UPDATE units SET members = 95 WHERE cycle_id = $1 AND code = $2', [cycleId, unit]);
    }
    const within = await postForm('pledge', { members: '90', withPersonalPlan: '90' });
    expect(within.status).toBe(200);
  });

  it('accepts an empty models report on time', async () => {
    const res = await postForm('models', { models: '', proposals: '' });
    expect(res.status).toBe(200);
    expect(res.html).toContain('đúng hạn');
    expect(await stored('models')).toEqual([{ version: 1, payload: { models: [], proposals: [] } }]);
  });

  it('shows the clerk both counts and the reason, and the empty models report, in the console', async () => {
    const username = `clerk-members-${randomUUID().slice(0, 6)}`;
    await addUser(h.db, { username, name: 'Nguyễn Thị Lan', role: 'clerk', password: PASSWORD });
    const cookies = new Map<string, string>();
    const get = async (p: string, init: RequestInit = {}) => {
      const res = await fetch(base + p, {
        ...init,
        redirect: 'manual',
        headers: { ...(init.headers as Record<string, string>), cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
      });
      for (const c of res.headers.getSetCookie()) {
        const [name, ...rest] = c.split(';')[0]!.split('=');
        cookies.set(name!.trim(), rest.join('='));
      }
      return res;
    };
    const signInPage = await (await get('/console/dang-nhap')).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(signInPage)?.[1] ?? '';
    const signedIn = await get('/console/dang-nhap', {
      method: 'POST',
      headers: { origin: base },
      body: new URLSearchParams({ _csrf: csrf, username, password: PASSWORD, tiep: '/console/' }),
    });
    expect(signedIn.status).toBe(303);

    const table = text(await (await get(`/console/chu-ky/${cycleId}`)).text());
    const row = /<tr data-unit="U001">[\s\S]*?<\/tr>/.exec(table)?.[0] ?? '';
    expect(row).toContain(`Số đảng viên: báo cáo 5, danh sách 95 — lý do: ${REASON}`);
    expect(row).toContain('nộp, không có mô hình');
    // The other unit, which sent nothing, has no marks; the pledge within the margin has none either.
    expect(table).not.toMatch(/<tr data-unit="U002">[\s\S]*?mark[\s\S]*?<\/tr>/);
    expect(row.match(/mark-members/g)).toHaveLength(1);

    const page = text(await (await get(`/console/chu-ky/${cycleId}/don-vi/${unit}`)).text());
    expect(page).toContain(
      `Đơn vị báo cáo 5 đảng viên, danh sách đơn vị có 95 đảng viên (chênh lệch quá 10% thì cần lý do). Lý do đơn vị ghi: ${REASON}.`,
    );
    expect(page).toContain('Đã nộp, không có mô hình');
  });

  it("lists the count in the compiled report's working notes", async () => {
    await h.client.workflow
      .getHandle(cycleWorkflowId(cycleId))
      .signal(closeCycleSignal, { reason: 'test: compile the year', actor: 'operator:test' });
    await waitFor(
      'the year to be frozen',
      async () => (await h.db.query('SELECT frozen_at FROM cycles WHERE id = $1', [cycleId])).rows[0]?.frozen_at ?? undefined,
      90_000,
      500,
    );
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'chuky-members-report-'));
    const config = { ...loadReportConfig(path.join(projectRoot(), 'config', 'demo', 'report.yaml')), date: '2027-05-15' };
    const result = await compileReport(h.db, { selection: { cycleIds: [cycleId] }, config, outDir: out, actor: 'test' });
    const html = text(fs.readFileSync(result.files.html, 'utf8'));
    expect(html).toContain(NOTES_HEADING);
    const note =
      `(U001), báo cáo học tập, quán triệt: đơn vị báo cáo 5 đảng viên, danh sách đơn vị có 95 đảng ` +
      `viên (chênh lệch quá 10%); lý do đơn vị ghi: “${REASON}”.`;
    expect(html).toContain(note);
    // Highlighted as a draft, so it cannot be signed unread.
    expect(html).toMatch(new RegExp(`<p class="[^"]*draft[^"]*"[^>]*>[^<]*${note.slice(0, 30).replace(/[()]/g, '\\$&')}`));
  }, 150_000);
});
