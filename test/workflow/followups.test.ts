/**
 * What follows from a submission or its absence, over a skipped year with real PostgreSQL and SMTP: attendance
 * under target opens a make-up obligation; a pledge under target and a unit that never submits are proposed
 * for inspection; the committee inspects, concludes with a remedy deadline, the unit is reminded and escalated
 * until it reports; closing the year freezes the data for the report compiler.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';
import { writeFixture, type Fixture } from '../support/fixtures.js';
import { recordHistories } from '../support/histories.js';
import { startCycle } from '../../cli/commands/cycle.js';
import { submit, ActionRefused } from '../../client/unit-actions.js';
import { actOnInspection, reportRemedy, startInspection } from '../../client/inspection-actions.js';
import { inspectionProposals, listInspections } from '../../db/inspections.js';
import { frozenDataset, loadFrozenSnapshot } from '../../db/frozen.js';
import { cycleWorkflowId } from '../../domain/ids.js';
import { localTimeToInstant } from '../../domain/calendar.js';
import { fetchInbox } from '../../stack/smtp-sink.js';

const QUEUE = 'ts-followups';
const at = (date: string, hour = 10) => localTimeToInstant(date, hour, 'Asia/Ho_Chi_Minh');
const op = { id: 'operator:btg', via: 'cli' as const };

describe('follow-ups: make-up sessions, proposals, inspections, freeze (time skipping)', () => {
  let h: Harness;
  let fx: Fixture;
  let cycleId: string;
  let inspectionId: string;
  const members: Record<string, number> = {};

  beforeAll(async () => {
    h = await startHarness({ taskQueue: QUEUE, timeSkipping: true });
    fx = writeFixture({
      code: 'TSFOLLOW',
      issuedOn: '2027-01-11',
      deadline: '2027-02-15',
      units: 3,
      closesOn: '2027-06-30',
      phases: [
        { id: 'plan', deadline: '2027-02-15' },
        { id: 'study', opensOn: '2027-03-01', deadline: '2027-03-31', makeupDays: 10 },
        { id: 'pledge', opensOn: '2027-03-01', deadline: '2027-03-31' },
      ],
    });
    const env = h.testEnv!;
    const sleepUntil = async (ms: number) => {
      const now = await env.currentTimeMs();
      if (ms > now) await env.sleep(ms - now);
    };
    await h.run(async () => {
      cycleId = (await startCycle({ db: h.db, client: h.client, taskQueue: QUEUE, configFile: fx.file })).cycleId;
      const { rows } = await h.db.query('SELECT code, members FROM units WHERE cycle_id = $1', [cycleId]);
      for (const r of rows) members[r.code] = r.members;
      const [a, b, c] = fx.unitCodes as [string, string, string];
      const send = (unit: string, phase: string, payload: unknown, requestId: string) =>
        submit(h.client, cycleId, unit, { phase, payload, actor: { id: `unit:${unit}`, via: 'web' }, requestId });

      await sleepUntil(at('2027-01-20'));
      for (const u of [a, b]) await send(u, 'plan', { confirmedBy: 'Bí thư đơn vị' }, `plan-${u}-0001`);

      await sleepUntil(at('2027-03-10'));
      // Unit A: 90% studied, under the 98% target: it owes a make-up session within 10 days.
      const study = await send(a, 'study', { members: members[a], studied: Math.floor(members[a]! * 0.9) }, 'study-a-00001');
      expect(study.underTarget).toBe(true);
      // Studied more than members is refused with its field and changes nothing.
      await expect(send(b, 'study', { members: 10, studied: 11 }, 'study-b-bad01')).rejects.toThrow(/studied/);
      await send(b, 'study', { members: members[b], studied: members[b] }, 'study-b-00001');
      // Unit B: pledges under 100%: proposed for inspection.
      const pledge = await send(b, 'pledge', { members: members[b], withPersonalPlan: members[b]! - 1 }, 'pledge-b-0001');
      expect(pledge.underTarget).toBe(true);
      await send(a, 'pledge', { members: members[a], withPersonalPlan: members[a] }, 'pledge-a-0001');

      await sleepUntil(at('2027-03-15'));
      await send(a, 'study-makeup', { makeupDate: '2027-03-14', members: members[a], studiedTotal: members[a] }, 'makeup-a-0001');

      // Unit C never submitted anything: after level 3 it is proposed; the UBKT inspects it.
      await sleepUntil(at('2027-04-20'));
      const proposals = await inspectionProposals(h.db, cycleId);
      expect(new Set(proposals.map((p) => p.unitCode))).toEqual(new Set([b, c]));
      const started = await startInspection({ db: h.db, client: h.client, taskQueue: QUEUE }, cycleId, {
        unitCode: c,
        kind: 'kiem-tra',
        body: 'ubkt',
        origin: 'escalation',
        reason: 'Kiểm tra việc thực hiện Kế hoạch 64-KH/ĐUK do đơn vị không nộp báo cáo',
        actor: op,
      });
      inspectionId = started.inspectionId;
      const again = await startInspection({ db: h.db, client: h.client, taskQueue: QUEUE }, cycleId, {
        unitCode: c,
        kind: 'kiem-tra',
        body: 'ubkt',
        reason: 'lần hai',
        actor: op,
      });
      expect(again).toEqual({ inspectionId, started: false });
      await actOnInspection(h.client, inspectionId, 'schedule', { date: '2027-05-05', actor: op, requestId: 'insp-sched-01' });
      await expect(
        reportRemedy(h.client, inspectionId, {
          phase: 'inspection-remedy',
          payload: { report: 'Đơn vị đã khắc phục toàn bộ các nội dung.' },
          actor: { id: `unit:${c}`, via: 'web' },
          requestId: 'remedy-early-1',
        }),
      ).rejects.toThrow(/Chưa có kết luận/);
      await sleepUntil(at('2027-05-06'));
      await actOnInspection(h.client, inspectionId, 'findings', {
        findings: 'Đơn vị chưa xây dựng kế hoạch thực hiện, chưa tổ chức học tập chuyên đề.',
        actor: op,
        requestId: 'insp-find-001',
      });
      const concluded = await actOnInspection(h.client, inspectionId, 'conclude', {
        conclusion: 'Cấp ủy đơn vị chưa quan tâm lãnh đạo thực hiện Kết luận 01-KL/TW.',
        remedies: ['Xây dựng kế hoạch thực hiện năm 2027', 'Tổ chức học tập chuyên đề cho toàn thể đảng viên'],
        remedyDeadline: '2027-05-20',
        actor: op,
        requestId: 'insp-concl-01',
      });
      expect(concluded.status).toBe('concluded');

      await sleepUntil(at('2027-05-23'));
      const remedy = await reportRemedy(h.client, inspectionId, {
        phase: 'inspection-remedy',
        payload: { report: 'Đơn vị đã ban hành kế hoạch và tổ chức học tập chuyên đề ngày 22/5.' },
        actor: { id: `unit:${c}`, via: 'web' },
        requestId: 'remedy-c-0001',
      });
      expect(remedy).toMatchObject({ late: true, status: 'late' });

      await h.client.workflow.getHandle(cycleWorkflowId(cycleId)).result();
      // With CHUKY_RECORD_HISTORIES=vN: the inspection's full run (notice, visit, findings, conclusion, remedy
      // reminders and overdue, the late remedy report, its close) for replay.test.ts.
      await recordHistories(h.client, { 'inspection-full-year': inspectionId });
    });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('opens a make-up obligation for attendance under target, and closes it when reported', async () => {
    const a = fx.unitCodes[0]!;
    const { rows } = await h.db.query(
      "SELECT phase, status, to_char(deadline, 'YYYY-MM-DD') AS deadline FROM obligations WHERE " +
        'cycle_id = $1 AND unit_code = $2 ORDER BY phase',
      [cycleId, a],
    );
    // Ten days from 10/03 (the fixture does not roll weekends forward).
    expect(rows).toContainEqual({ phase: 'study-makeup', status: 'submitted', deadline: '2027-03-20' });
    const mail = (await fetchInbox(h.inboxUrl)).filter((m) => m.to.includes(fx.unitEmail(a, 'secretary')));
    expect(mail.some((m) => m.subject.includes('Quán triệt bổ sung'))).toBe(true);
  });

  it('proposes inspection for a pledge under target and for a unit that never submitted', async () => {
    const { rows } = await h.db.query(
      "SELECT unit_code, phase FROM events WHERE cycle_id = $1 AND kind = 'inspection_proposed' ORDER BY id",
      [cycleId],
    );
    const [, b, c] = fx.unitCodes as [string, string, string];
    expect(rows).toContainEqual({ unit_code: b, phase: 'pledge' });
    expect(
      rows
        .filter((r) => r.unit_code === c)
        .map((r) => r.phase)
        .sort(),
    ).toEqual(['plan', 'pledge', 'study']);
  });

  it('runs the inspection: notice, visit, conclusion with remedies, reminders and overdue, remedy report', async () => {
    const c = fx.unitCodes[2]!;
    const [row] = await listInspections(h.db, cycleId, c);
    expect(row).toMatchObject({
      id: inspectionId,
      status: 'remedied',
      scheduledOn: '2027-05-05',
      remedyDeadline: '2027-05-20',
      escalationLevel: 1,
      origin: 'escalation',
    });
    const { rows } = await h.db.query(
      "SELECT kind, email_key FROM emails WHERE cycle_id = $1 AND unit_code = $2 AND phase = 'inspection-remedy' ORDER BY id",
      [cycleId, c],
    );
    // The receipt for the remedy report came with the 'remedy-receipt' patch (docs/DEPLOYS.md).
    expect(rows.map((r) => r.kind)).toEqual([
      'inspection-notice',
      'inspection-scheduled',
      'inspection-conclusion',
      'reminder',
      'reminder',
      'reminder',
      'overdue',
      'receipt',
    ]);
    const inbox = await fetchInbox(h.inboxUrl);
    const receipt = inbox.find((m) => m.subject.startsWith('Đã nhận: Báo cáo khắc phục') && m.to.includes(fx.unitEmail(c, 'secretary')))!;
    expect(receipt.text).toContain('nộp chậm so với hạn 20/05/2027');
    expect(receipt.text).toContain('Đã báo cáo khắc phục');
    const conclusion = inbox.find((m) => m.subject.startsWith('Kết luận kiểm tra') && m.to.includes(fx.unitEmail(c, 'secretary')))!;
    expect(conclusion.text).toContain('- Xây dựng kế hoạch thực hiện năm 2027');
    expect(conclusion.text).toContain('Hạn báo cáo khắc phục: 20/05/2027');
    expect(conclusion.attachments.some((a) => a.filename === 'han-nop.ics')).toBe(true);
  });

  it('freezes the year on close and hands the data to the compiler with every submission traceable', async () => {
    const data = (await frozenDataset(h.db, cycleId))!;
    expect(data.frozenAt).not.toBeNull();
    const [a, , c] = fx.unitCodes as [string, string, string];
    const unitA = data.units.find((u) => u.code === a)!;
    expect(unitA.phases.study!.submission!.payload).toMatchObject({ studied: Math.floor(members[a]! * 0.9) });
    expect(unitA.phases['study-makeup']!.status).toBe('submitted');
    expect(data.units.find((u) => u.code === c)!.phases.plan).toMatchObject({
      status: 'not_submitted',
      escalationLevel: 3,
      submission: null,
    });
    const { rows } = await h.db.query('SELECT id FROM submissions WHERE cycle_id = $1', [cycleId]);
    const ids = new Set(rows.map((r) => Number(r.id)));
    for (const u of data.units) for (const p of Object.values(u.phases)) if (p.submission) expect(ids.has(p.submission.id)).toBe(true);
    // The freeze wrote the snapshot the report compiler reads: the same data, kept whatever happens to the tables.
    const snapshot = (await loadFrozenSnapshot(h.db, cycleId))!;
    expect(snapshot.data).toEqual(JSON.parse(JSON.stringify(data)));
    expect(snapshot.sha256).toMatch(/^[0-9a-f]{64}$/);
    // After the close nothing more is accepted.
    await expect(
      submit(h.client, cycleId, a, { phase: 'plan', payload: { confirmedBy: 'x' }, actor: op, requestId: 'after-close-1' }),
    ).rejects.toThrow(ActionRefused);
  });
});
