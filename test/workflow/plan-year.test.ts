/**
 * The plan obligation over a whole (skipped) year on the time-skipping test server, with real PostgreSQL and
 * real SMTP: units that acknowledge on time, late, never, after an extension, or are exempted. Every email is
 * read back from the SMTP sink and compared with what the configuration implies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';
import { writeFixture, type Fixture } from '../support/fixtures.js';
import { recordHistories } from '../support/histories.js';
import { startCycle } from '../../cli/commands/cycle.js';
import { cycleStatus } from '../../db/records.js';
import { acknowledgePlan, exempt, extendDeadline, ActionRefused } from '../../client/unit-actions.js';
import { cycleWorkflowId, unitWorkflowId } from '../../domain/ids.js';
import { localTimeToInstant } from '../../domain/calendar.js';
import { fetchInbox, type StoredMail } from '../../stack/smtp-sink.js';

const TZ = 'Asia/Ho_Chi_Minh';
const at = (date: string, hour: number) => localTimeToInstant(date, hour, TZ);
const operator = { id: 'operator:test', via: 'cli' as const };

describe('plan obligation over a year (time skipping)', () => {
  let h: Harness;
  let fx: Fixture;
  let cycleId: string;
  let mail: StoredMail[];
  let emailsByUnit: Map<string, { kind: string; key: string; message_id: string; to_addrs: string[]; cc_addrs: string[] }[]>;

  beforeAll(async () => {
    h = await startHarness({ taskQueue: 'ts-plan-year', timeSkipping: true });
    // 2027-02-15 is a Monday: reminders on 08/02, 12/02, 14/02; overdue 16/02; level 2 on 22/02; level 3 on 01/03.
    fx = writeFixture({ code: 'TSYEAR', issuedOn: '2027-01-11', deadline: '2027-02-15', units: 6 });
    const env = h.testEnv!;
    await h.run(async () => {
      const started = await startCycle({ db: h.db, client: h.client, taskQueue: 'ts-plan-year', configFile: fx.file });
      cycleId = started.cycleId;
      expect(started.started).toBe(true);
      // Starting twice finds the running cycle and starts nothing new.
      const again = await startCycle({ db: h.db, client: h.client, taskQueue: 'ts-plan-year', configFile: fx.file });
      expect(again.started).toBe(false);

      const sleepUntil = async (ms: number) => {
        const now = await env.currentTimeMs();
        if (ms > now) await env.sleep(ms - now);
      };
      const [onTime, late, never, extended, exempted, lateAfterLevel3] = fx.unitCodes as [string, string, string, string, string, string];

      await sleepUntil(at('2027-01-20', 10));
      const receipt = await acknowledgePlan(h.client, cycleId, onTime, {
        phase: 'plan',
        actor: { id: `unit:${onTime}`, via: 'web' },
        confirmedBy: 'Nguyễn Văn A, Bí thư',
        requestId: 'req-ontime-0001',
      });
      expect(receipt).toMatchObject({ version: 1, status: 'submitted', late: false });
      // The same request again is the same submission, not a second version.
      const retried = await acknowledgePlan(h.client, cycleId, onTime, {
        phase: 'plan',
        actor: { id: `unit:${onTime}`, via: 'web' },
        confirmedBy: 'Nguyễn Văn A, Bí thư',
        requestId: 'req-ontime-0001',
      });
      expect(retried.version).toBe(1);
      const view = await extendDeadline(h.client, cycleId, extended, {
        phase: 'plan',
        newDeadline: '2027-02-26',
        reason: 'Đơn vị đang kiện toàn cấp ủy',
        actor: operator,
        requestId: 'req-extend-0001',
      });
      expect(view.deadline).toBe('2027-02-26');
      await exempt(h.client, cycleId, exempted, {
        phase: 'plan',
        reason: 'Đơn vị đang giải thể, sáp nhập',
        actor: operator,
        requestId: 'req-exempt-0001',
      });

      // Bad requests are refused with their Vietnamese message and change nothing.
      await expect(
        acknowledgePlan(h.client, cycleId, never, { phase: 'plan', actor: operator, confirmedBy: '', requestId: 'req-bad-00001' }),
      ).rejects.toThrow(/Người xác nhận: không được để trống/);
      await expect(
        extendDeadline(h.client, cycleId, never, {
          phase: 'plan',
          newDeadline: '2027-02-01',
          reason: 'lùi hạn',
          actor: operator,
          requestId: 'req-bad-00002',
        }),
      ).rejects.toThrow(ActionRefused);
      // A deadline whose ladder could not finish before the cycle closes (31/12, ladder of 14 days) is refused.
      await expect(
        extendDeadline(h.client, cycleId, never, {
          phase: 'plan',
          newDeadline: '2027-12-20',
          reason: 'lùi hạn rất xa',
          actor: operator,
          requestId: 'req-bad-00005',
        }),
      ).rejects.toThrow(/quá muộn.*hạn chậm nhất là 16\/12\/2027/);
      await expect(
        exempt(h.client, cycleId, exempted, { phase: 'plan', reason: 'lần hai', actor: operator, requestId: 'req-bad-00003' }),
      ).rejects.toThrow(/đã đóng/);
      await expect(
        acknowledgePlan(h.client, cycleId, exempted, { phase: 'plan', actor: operator, confirmedBy: 'Ai đó', requestId: 'req-bad-00004' }),
      ).rejects.toThrow(/miễn/);

      await sleepUntil(at('2027-02-18', 9));
      const lateReceipt = await acknowledgePlan(h.client, cycleId, late, {
        phase: 'plan',
        actor: { id: `unit:${late}`, via: 'web' },
        confirmedBy: 'Trần Thị B',
        note: 'Xin lỗi vì nộp chậm',
        requestId: 'req-late-00001',
      });
      expect(lateReceipt).toMatchObject({ status: 'late', late: true });

      await sleepUntil(at('2027-03-03', 9));
      const afterLevel3 = await acknowledgePlan(h.client, cycleId, lateAfterLevel3, {
        phase: 'plan',
        actor: { id: `unit:${lateAfterLevel3}`, via: 'web' },
        confirmedBy: 'Lê Văn C',
        requestId: 'req-l3-000001',
      });
      expect(afterLevel3).toMatchObject({ status: 'late', late: true });

      // The year ends: the cycle closes every open unit workflow.
      await h.client.workflow.getHandle(cycleWorkflowId(cycleId)).result();
      for (const code of fx.unitCodes) {
        await h.client.workflow.getHandle(unitWorkflowId(cycleId, code)).result();
      }
      // With CHUKY_RECORD_HISTORIES=vN (the v1 files were recorded here by the first code).
      await recordHistories(h.client, {
        cycle: cycleWorkflowId(cycleId),
        'unit-plan-never': unitWorkflowId(cycleId, never),
        'unit-plan-extended': unitWorkflowId(cycleId, extended),
        'unit-plan-late': unitWorkflowId(cycleId, late),
      });
    });
    mail = (await fetchInbox(h.inboxUrl)).filter((m) => [...m.envelopeTo, ...m.to, ...m.cc].some((a) => a.endsWith(`@${fx.domain}`)));
    const { rows } = await h.db.query(
      'SELECT unit_code, kind, email_key AS key, message_id, to_addrs, cc_addrs FROM emails WHERE ' +
        "cycle_id = $1 AND status = 'sent' ORDER BY id",
      [cycleId],
    );
    emailsByUnit = new Map();
    for (const r of rows) emailsByUnit.set(r.unit_code, [...(emailsByUnit.get(r.unit_code) ?? []), r]);
  });

  afterAll(async () => {
    await h?.close();
  });

  const kinds = (unit: string) => (emailsByUnit.get(unit) ?? []).map((e) => e.key.split('/')[3]);

  it('sends each unit exactly the emails its behaviour implies', () => {
    const [onTime, late, never, extended, exempted, lateAfterLevel3] = fx.unitCodes as [string, string, string, string, string, string];
    expect(kinds(onTime)).toEqual(['notice@2027-02-15', 'receipt@2027-02-15#1']);
    expect(kinds(late)).toEqual([
      'notice@2027-02-15',
      'reminder-7d@2027-02-15',
      'reminder-3d@2027-02-15',
      'reminder-1d@2027-02-15',
      'overdue@2027-02-15',
      'receipt@2027-02-15#1',
    ]);
    const ladder = ['reminder-7d', 'reminder-3d', 'reminder-1d', 'overdue', 'escalation-2', 'escalation-3'];
    expect(kinds(never)).toEqual(['notice', ...ladder].map((k) => `${k}@2027-02-15`));
    expect(kinds(extended)).toEqual(['notice@2027-02-15', 'extension@2027-02-26', ...ladder.map((k) => `${k}@2027-02-26`)]);
    expect(kinds(exempted)).toEqual(['notice@2027-02-15', 'exemption@2027-02-15']);
    expect(kinds(lateAfterLevel3)).toEqual([...['notice', ...ladder].map((k) => `${k}@2027-02-15`), 'receipt@2027-02-15#1']);
  });

  it('delivers every recorded email exactly once over SMTP, to the right people', () => {
    const all = [...emailsByUnit.values()].flat();
    expect(all.length).toBeGreaterThan(20);
    for (const e of all) {
      const received = mail.filter((m) => m.messageId === e.message_id);
      expect(received, e.key).toHaveLength(1);
    }
    expect(mail).toHaveLength(all.length);
    const never = fx.unitCodes[2]!;
    const byKind = (k: string) => emailsByUnit.get(never)!.find((e) => e.kind === k)!;
    expect(byKind('overdue').to_addrs).toEqual([fx.unitEmail(never, 'secretary')]);
    expect(byKind('overdue').cc_addrs).toContain(fx.standingBodyEmail);
    expect(byKind('escalation2').to_addrs).toEqual(fx.leaderEmails);
    expect(byKind('escalation3').to_addrs).toEqual([fx.standingBodyEmail]);
    expect(byKind('reminder').to_addrs.sort()).toEqual([fx.unitEmail(never, 'contact'), fx.unitEmail(never, 'secretary')].sort());
  });

  it('writes correct Vietnamese, a one-tap link and a calendar attachment', () => {
    const never = fx.unitCodes[2]!;
    const reminder = mail.find((m) => m.messageId === emailsByUnit.get(never)!.find((e) => e.key.includes('reminder-3d'))!.message_id)!;
    expect(reminder.subject).toBe(reminder.subject.normalize('NFC'));
    expect(reminder.subject).toContain('Nhắc hạn: còn 3 ngày');
    expect(reminder.subject).toContain('15/02/2027');
    expect(reminder.text).toContain('Xác nhận và nộp tại: http');
    expect(reminder.html).toContain('Xác nhận và nộp ngay');
    const ics = reminder.attachments.find((a) => a.filename === 'han-nop.ics');
    expect(ics?.content).toMatch(/BEGIN:VEVENT[\s\S]*DTSTART;VALUE=DATE:20270215[\s\S]*END:VEVENT/);
  });

  it('records final statuses, escalation levels and every transition in PostgreSQL', async () => {
    const rows = await cycleStatus(h.db, cycleId);
    const status = Object.fromEntries(rows.map((r) => [r.unitCode, [r.status, r.escalationLevel]]));
    const [onTime, late, never, extended, exempted, lateAfterLevel3] = fx.unitCodes as [string, string, string, string, string, string];
    expect(status).toEqual({
      [onTime]: ['submitted', 0],
      [late]: ['late', 1],
      [never]: ['not_submitted', 3],
      [extended]: ['not_submitted', 3],
      [exempted]: ['exempted', 0],
      [lateAfterLevel3]: ['late', 3],
    });
    const { rows: events } = await h.db.query('SELECT kind, actor, reason FROM events WHERE cycle_id = $1 AND unit_code = $2 ORDER BY id', [
      cycleId,
      extended,
    ]);
    expect(events.map((e) => e.kind)).toEqual(['opened', 'extended', 'overdue', 'escalation2', 'escalation3', 'inspection_proposed']);
    expect(events[1]).toMatchObject({ actor: 'operator:test', reason: 'Đơn vị đang kiện toàn cấp ủy' });
    const { rows: subs } = await h.db.query('SELECT unit_code, version, late, payload FROM submissions WHERE cycle_id = $1 ORDER BY id', [
      cycleId,
    ]);
    expect(subs.map((s) => [s.unit_code, s.version, s.late])).toEqual([
      [onTime, 1, false],
      [late, 1, true],
      [lateAfterLevel3, 1, true],
    ]);
    expect(subs[1].payload.note).toBe('Xin lỗi vì nộp chậm');
  });
});
