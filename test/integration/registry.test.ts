/**
 * Units join and leave a running cycle, and a unit's links are revoked, on the real stack: Temporal dev server,
 * PostgreSQL, SMTP, the HTTP API and the `chuky` CLI as a separate process, on a compressed calendar (one day =
 * 3 s). The cycle starts with three units; an import adds a fourth (its year starts and its notice arrives),
 * changes one unit's contact (the next reminder goes to the new address) and removes one (its obligation
 * becomes 'removed'). A dry run and a bad file change nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { WorkflowNotFoundError } from '@temporalio/client';
import { startHarness, type Harness } from '../support/harness.js';
import { writeFixture, type Fixture } from '../support/fixtures.js';
import { chuky, waitFor } from '../support/processes.js';
import { startCycle } from '../../cli/commands/cycle.js';
import { startApi } from '../../api/server.js';
import { formUrl, REVOKED_LINK_MESSAGE, signLink } from '../../auth/links.js';
import { cycleWorkflowId, unitWorkflowId } from '../../domain/ids.js';
import { closeCycleSignal } from '../../workflows/messages.js';
import { localTimeToInstant } from '../../domain/calendar.js';
import { calendarToReal } from '../../domain/clock.js';
import { freePort } from '../../stack/ports.js';
import { fetchInbox, type StoredMail } from '../../stack/smtp-sink.js';
import { isAddressedTo } from '../../stack/stored-mail.js';
import type { ImportResult } from '../../registry/apply.js';

const QUEUE = 'it-registry';

describe('unit registry and revocable links on the real stack', () => {
  const services = inject('services');
  let h: Harness;
  let api: Awaited<ReturnType<typeof startApi>>;
  let fx: Fixture;
  let cycleId = '';
  let dir: string;
  let cliEnv: Record<string, string>;

  const inbox = async (): Promise<StoredMail[]> =>
    (await fetchInbox(services.inboxUrl)).filter((m) => [...m.to, ...m.cc].some((a) => a.endsWith(`@${fx.domain}`)));
  const linkIn = (m: StoredMail) => /Xác nhận và nộp tại: (\S+)/.exec(m.text)?.[1] ?? /Nộp tại: (\S+)/.exec(m.text)?.[1];
  const unitRow = async (code: string) =>
    (await h.db.query('SELECT * FROM units WHERE cycle_id = $1 AND code = $2', [cycleId, code])).rows[0];
  const unitCount = async () =>
    (await h.db.query('SELECT count(*)::int AS n FROM units WHERE cycle_id = $1', [cycleId])).rows[0].n as number;
  const importApi = (csv: string, query: string) =>
    fetch(`${api.url}/api/v1/cycles/${cycleId}/units/import?${query}`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv; charset=utf-8' },
      body: csv,
    });

  beforeAll(async () => {
    const port = await freePort();
    h = await startHarness({ taskQueue: QUEUE, publicBaseUrl: `http://127.0.0.1:${port}` });
    api = await startApi(
      { db: h.db, client: h.client, signingSecret: h.env.signingSecret, taskQueue: QUEUE, searchAttributes: true },
      port,
    );
    fx = writeFixture({
      code: 'ITREG',
      issuedOn: '2027-03-01',
      deadline: '2027-03-15',
      closesOn: '2027-12-31',
      units: 3,
      reminders: [3, 1],
      level2AfterDays: 2,
      level3AfterDays: 3,
    });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chuky-registry-'));
    cliEnv = {
      TEMPORAL_ADDRESS: services.temporalAddress,
      DATABASE_URL: services.databaseUrl,
      SMTP_URL: services.smtpUrl,
      CHUKY_TASK_QUEUE: QUEUE,
      CHUKY_SIGNING_SECRET: h.env.signingSecret,
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    };
  });

  afterAll(async () => {
    // Whatever happened above, leave nothing running on the shared dev server.
    if (h && cycleId) {
      for (const id of [cycleWorkflowId(cycleId), ...['U001', 'U002', 'U003', 'U004'].map((u) => unitWorkflowId(cycleId, u))]) {
        await h.client.workflow
          .getHandle(id)
          .terminate('test cleanup')
          .catch(() => undefined);
      }
    }
    await api?.close();
    await h?.close();
  });

  it('adds, changes and removes units of a running cycle; revoked links are refused, new ones work', async () => {
    const [u1, u2, u3] = fx.unitCodes as [string, string, string];
    const u4 = 'U004';
    const newContact = `moi.u002@${fx.domain}`;
    await h.run(async () => {
      const started = await startCycle({ db: h.db, client: h.client, taskQueue: QUEUE, configFile: fx.file, secondsPerDay: 3 });
      cycleId = started.cycleId;
      const notices = await waitFor(
        'the three notices',
        async () => {
          const found = (await inbox()).filter((m) => m.subject.includes('hạn 15/03/2027') && !m.subject.startsWith('Nhắc'));
          return found.length === 3 ? found : undefined;
        },
        60_000,
      );
      const noticeOf = (code: string) => notices.find((m) => isAddressedTo(m, fx.unitEmail(code, 'secretary')))!;

      // The new list: U001 as it was, U002 with a new contact email, U003 gone, U004 new.
      const original = fs
        .readFileSync(path.join(path.dirname(fx.file), 'units.csv'), 'utf8')
        .trim()
        .split('\n');
      const [header, row1, row2] = original as [string, string, string, string];
      const row4 =
        `${u4};Đảng bộ Sở Khoa học và Công nghệ;Đảng bộ cơ sở;55;Phạm Văn ` +
        `Mới;${fx.unitEmail(u4, 'secretary')};Lê Thị Mới;${fx.unitEmail(u4, 'contact')}`;
      const csv = [header, row1, row2.replace(fx.unitEmail(u2, 'contact'), newContact), row4].join('\n') + '\n';
      const file = path.join(dir, 'units-new.csv');
      fs.writeFileSync(file, csv);

      // A dry run, over the API and the CLI, reports the changes and changes nothing.
      const dry = await importApi(csv, 'dryRun=1');
      expect(dry.status).toBe(200);
      const dryJson = (await dry.json()) as ImportResult;
      expect(dryJson.dryRun).toBe(true);
      expect(dryJson.applied).toBeNull();
      expect(dryJson.added.map((u) => u.code)).toEqual([u4]);
      expect(dryJson.changed.map((c) => [c.code, c.fields])).toEqual([[u2, ['contactEmail']]]);
      expect(dryJson.unchanged).toEqual([u1]);
      expect(dryJson.missing.map((u) => u.code)).toEqual([u3]);
      const dryCli = await chuky(['units', 'import', '--cycle', cycleId, '--file', file, '--dry-run'], cliEnv);
      expect(dryCli.stderr).toBe('');
      expect(dryCli.code).toBe(0);
      expect(dryCli.stdout).toContain('Dry run (nothing changed)');
      expect(dryCli.stdout).toContain(`+ ${u4}  Đảng bộ Sở Khoa học và Công nghệ`);
      expect(dryCli.stdout).toContain(`~ ${u2}  contactEmail`);
      expect(dryCli.stdout).toContain(`contactEmail: ${fx.unitEmail(u2, 'contact')} → ${newContact}`);
      expect(dryCli.stdout).toContain(`- ${u3}`);
      expect(await unitCount()).toBe(3);
      expect((await unitRow(u2)).contact_email).toBe(fx.unitEmail(u2, 'contact'));
      await expect(h.client.workflow.getHandle(unitWorkflowId(cycleId, u4)).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);

      // A bad file is refused whole, with file, line and field, and nothing is applied.
      const badCsv = csv.replace(fx.unitEmail(u4, 'secretary'), 'bithu.u004(at)example');
      const badFile = path.join(dir, 'bad.csv');
      fs.writeFileSync(badFile, badCsv);
      const badCli = await chuky(
        ['units', 'import', '--cycle', cycleId, '--file', badFile, '--remove-missing', '--reason', 'Sáp nhập'],
        cliEnv,
      );
      expect(badCli.code).toBe(2);
      expect(badCli.stderr).toContain(`${badFile}:4: Email bí thư: địa chỉ email không hợp lệ: "bithu.u004(at)example"`);
      const badApi = await importApi(badCsv, 'file=bad.csv');
      expect(badApi.status).toBe(400);
      const badJson = (await badApi.json()) as { issues: { file: string; line: number; field: string; message: string }[] };
      expect(badJson.issues).toEqual([
        { file: 'bad.csv', line: 4, field: 'Email bí thư', message: 'địa chỉ email không hợp lệ: "bithu.u004(at)example"' },
      ]);
      expect(await unitCount()).toBe(3);
      expect((await unitRow(u3)).active).toBe(true);
      // Removing without a reason is refused before anything happens.
      expect((await importApi(csv, 'removeMissing=1')).status).toBe(400);

      // The real import, from the CLI: U004 joins, U002's contact changes, U003 leaves with a reason.
      const reason = 'Sáp nhập vào Đảng bộ Sở Y tế';
      const applied = await chuky(
        [
          'units',
          'import',
          '--cycle',
          cycleId,
          '--file',
          file,
          '--remove-missing',
          '--reason',
          reason,
          '--actor',
          'Nguyễn Thị Văn Thư',
          '--json',
        ],
        cliEnv,
      );
      expect(applied.stderr).toBe('');
      expect(applied.code).toBe(0);
      const result = JSON.parse(applied.stdout) as ImportResult;
      // The change must land before the first reminder (03/12 08:00 on the compressed calendar) for the check below.
      const reminderAt = calendarToReal(started.clock, localTimeToInstant('2027-03-12', 8, 'Asia/Ho_Chi_Minh'));
      expect(reminderAt - Date.now(), 'ms left before the first reminder when the import was applied').toBeGreaterThan(0);
      if (process.env.CHUKY_TEST_VERBOSE) console.log(`import applied ${reminderAt - Date.now()} ms before the first reminder`);
      expect(result.applied).toEqual({
        inserted: [u4],
        updated: [u2],
        started: [{ code: u4, workflow: 'started' }],
        removed: [{ code: u3, workflow: 'removed', obligations: [{ phase: 'plan', status: 'removed' }] }],
      });

      // The new unit's year has started: its notice arrives, to its own addresses.
      const newNotice = await waitFor(
        "the new unit's notice",
        async () => (await inbox()).find((m) => isAddressedTo(m, fx.unitEmail(u4, 'secretary')) && m.subject.includes('hạn 15/03/2027')),
        60_000,
      );
      expect(newNotice.to.sort()).toEqual([fx.unitEmail(u4, 'contact'), fx.unitEmail(u4, 'secretary')].sort());
      expect(newNotice.subject).toContain('Đảng bộ Sở Khoa học và Công nghệ');

      // The removed unit: inactive with time and reason, its obligation closed as 'removed' by its workflow.
      const removedRow = await unitRow(u3);
      expect(removedRow.active).toBe(false);
      expect(removedRow.removed_reason).toBe(reason);
      expect(removedRow.removed_at).toBeInstanceOf(Date);
      const { rows: obligations } = await h.db.query('SELECT unit_code, status FROM obligations WHERE cycle_id = $1 ORDER BY unit_code', [
        cycleId,
      ]);
      expect(obligations.find((o) => o.unit_code === u3)?.status).toBe('removed');
      const { rows: removal } = await h.db.query(
        "SELECT actor, reason FROM events WHERE cycle_id = $1 AND unit_code = $2 AND kind = 'unit_removed'",
        [cycleId, u3],
      );
      expect(removal).toEqual([{ actor: 'operator:Nguyễn Thị Văn Thư', reason }]);
      expect((await h.client.workflow.getHandle(unitWorkflowId(cycleId, u3)).describe()).status.name).toBe('COMPLETED');
      expect(new Date((await unitRow(u4)).added_at).getTime()).toBeGreaterThan(new Date((await unitRow(u1)).added_at).getTime());

      // Importing the same file again changes nothing and starts nothing.
      const again = await importApi(csv, '');
      const againJson = (await again.json()) as ImportResult;
      expect(againJson.added).toEqual([]);
      expect(againJson.changed).toEqual([]);
      expect(againJson.missing).toEqual([]);
      expect(againJson.unchanged).toEqual([u1, u2, u4]);

      const list = await chuky(['units', 'list', '--cycle', cycleId, '--json'], cliEnv);
      expect(list.code).toBe(0);
      const listed = JSON.parse(list.stdout) as {
        units: { code: string; active: boolean; removedReason: string | null; contactEmail: string }[];
      };
      expect(listed.units.map((u) => [u.code, u.active])).toEqual([
        [u1, true],
        [u2, true],
        [u3, false],
        [u4, true],
      ]);
      expect(listed.units.find((u) => u.code === u2)?.contactEmail).toBe(newContact);

      // Revoking U001's links: its old link is refused in Vietnamese; other units' links still work.
      const oldLink = linkIn(noticeOf(u1))!;
      expect((await fetch(oldLink)).status).toBe(200);
      const revoked = await chuky(
        ['link', 'revoke', '--cycle', cycleId, '--unit', u1, '--reason', 'Thư bị chuyển tiếp nhầm', '--json'],
        cliEnv,
      );
      expect(revoked.stderr).toBe('');
      expect(JSON.parse(revoked.stdout)).toMatchObject({ cycleId, unitCode: u1, reason: 'Thư bị chuyển tiếp nhầm' });
      const refused = await fetch(oldLink);
      expect(refused.status).toBe(403);
      expect(await refused.text()).toContain(REVOKED_LINK_MESSAGE);
      expect(
        (await fetch(oldLink, { method: 'POST', body: new URLSearchParams({ confirmedBy: 'Người lạ', requestId: 'form-revoked-0001' }) }))
          .status,
      ).toBe(403);
      expect((await fetch(linkIn(noticeOf(u2))!)).status).toBe(200);

      // An email sent after the revocation signs its link then: that link works.
      const fresh = formUrl(
        h.env.publicBaseUrl,
        await signLink({ cycleId, unitCode: u1, phase: 'plan' }, h.env.signingSecret, Date.now() + 86_400_000),
      );
      expect((await fetch(fresh)).status).toBe(200);
      // And so does a link issued by hand for the operator to send.
      const issued = await chuky(['link', 'issue', '--cycle', cycleId, '--unit', u1, '--phase', 'plan', '--days', '5', '--json'], cliEnv);
      expect(issued.stderr).toBe('');
      const { url } = JSON.parse(issued.stdout) as { url: string };
      expect(url.startsWith(`${cliEnv.PUBLIC_BASE_URL}/f/`)).toBe(true);
      expect((await fetch(url)).status).toBe(200);
      expect((await chuky(['link', 'issue', '--cycle', cycleId, '--unit', u3, '--phase', 'plan'], cliEnv)).stderr).toContain(
        'was removed from the cycle',
      );

      // The next email to U002 goes to its new contact; the removed unit gets nothing more.
      const reminder = await waitFor(
        'the reminder to the changed unit',
        async () => (await inbox()).find((m) => m.subject.startsWith('Nhắc hạn') && isAddressedTo(m, fx.unitEmail(u2, 'secretary'))),
        90_000,
      );
      expect(reminder.to.sort()).toEqual([newContact, fx.unitEmail(u2, 'secretary')].sort());
      await waitFor(
        'the other reminders',
        async () => (await inbox()).filter((m) => m.subject.startsWith('Nhắc hạn: còn 3 ngày')).length >= 3,
        30_000,
      );
      const { rows: u3Emails } = await h.db.query('SELECT kind FROM emails WHERE cycle_id = $1 AND unit_code = $2', [cycleId, u3]);
      expect(u3Emails.map((e) => e.kind)).toEqual(['notice']);

      // One unit removed by hand: a reason is required; repeating the removal is harmless.
      const noReason = await chuky(['units', 'remove', '--cycle', cycleId, '--unit', u4, '--reason', 'x'], cliEnv);
      expect(noReason.code).toBe(1);
      expect(noReason.stderr).toContain('Lý do: cần ghi rõ lý do');
      expect((await unitRow(u4)).active).toBe(true);
      const removedByHand = await chuky(
        ['units', 'remove', '--cycle', cycleId, '--unit', u4, '--reason', 'Giải thể theo quyết định của Tỉnh ủy', '--json'],
        cliEnv,
      );
      expect(removedByHand.stderr).toBe('');
      expect(JSON.parse(removedByHand.stdout)).toEqual({
        cycleId,
        code: u4,
        workflow: 'removed',
        obligations: [{ phase: 'plan', status: 'removed' }],
      });
      const removedAgain = await chuky(
        ['units', 'remove', '--cycle', cycleId, '--unit', u4, '--reason', 'Giải thể theo quyết định của Tỉnh ủy', '--json'],
        cliEnv,
      );
      // The same removal is the same update (its id derives from cycle and unit): the same answer, nothing more.
      expect(JSON.parse(removedAgain.stdout)).toEqual(JSON.parse(removedByHand.stdout));
      const { rows: removals } = await h.db.query(
        "SELECT count(*)::int AS n FROM events WHERE cycle_id = $1 AND unit_code = $2 AND kind = 'unit_removed'",
        [cycleId, u4],
      );
      expect(removals[0].n).toBe(1);
      expect((await unitRow(u4)).removed_reason).toBe('Giải thể theo quyết định của Tỉnh ủy');
      expect((await chuky(['units', 'remove', '--cycle', cycleId, '--unit', 'U999', '--reason', 'Không có'], cliEnv)).stderr).toContain(
        'no unit "U999"',
      );

      // Close the year: every unit workflow ends, the one added mid-year included.
      await h.client.workflow.getHandle(cycleWorkflowId(cycleId)).signal(closeCycleSignal, { reason: 'Kết thúc kiểm thử', actor: 'test' });
      await h.client.workflow.getHandle(cycleWorkflowId(cycleId)).result();
      for (const code of [u1, u2, u3, u4]) {
        await waitFor(
          `${code}'s workflow to end`,
          async () => (await h.client.workflow.getHandle(unitWorkflowId(cycleId, code)).describe()).status.name === 'COMPLETED',
          30_000,
        );
      }
    });

    // A closed cycle takes no more units.
    const closed = await chuky(['units', 'import', '--cycle', cycleId, '--file', path.join(dir, 'units-new.csv')], cliEnv);
    expect(closed.code).toBe(1);
    expect(closed.stderr).toContain('is closed');
  });
});
