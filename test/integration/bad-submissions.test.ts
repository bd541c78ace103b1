/**
 * Bad input thrown at the doors units and operators use (the JSON API and the web form): every refusal names the
 * field in Vietnamese, no refused update enters the workflow's history, no workflow task fails, and the good
 * submission that follows is stored as version 1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';
import { writeFixture, type Fixture } from '../support/fixtures.js';
import { openCycle, type OpenCycle } from '../support/open-cycle.js';
import { startApi } from '../../api/server.js';
import { formUrl, signLink } from '../../auth/links.js';
import { unitWorkflowId } from '../../domain/ids.js';
import { freePort } from '../../stack/ports.js';

const QUEUE = 'it-bad-input';

describe('bad submissions', () => {
  let h: Harness;
  let api: Awaited<ReturnType<typeof startApi>>;
  let fx: Fixture;
  let cycleId: string;
  let members: number;
  let cycle: OpenCycle | undefined;

  beforeAll(async () => {
    const port = await freePort();
    h = await startHarness({ taskQueue: QUEUE, publicBaseUrl: `http://127.0.0.1:${port}` });
    api = await startApi({ db: h.db, client: h.client, signingSecret: h.env.signingSecret, taskQueue: QUEUE }, port);
    // A slow compressed calendar (one day = 60 s): every phase is open and nothing falls due during the test.
    fx = writeFixture({
      code: 'ITBAD',
      issuedOn: '2027-03-01',
      deadline: '2027-03-20',
      units: 2,
      closesOn: '2027-04-30',
      phases: [
        { id: 'plan', deadline: '2027-03-20' },
        { id: 'study', deadline: '2027-03-20' },
        { id: 'year-end-report', deadline: '2027-03-20' },
      ],
    });
    cycle = await openCycle(h, { taskQueue: QUEUE, fixture: fx, opened: 6, timeoutMs: 90_000 });
    cycleId = cycle.cycleId;
    const { rows } = await h.db.query('SELECT members FROM units WHERE cycle_id = $1 AND code = $2', [cycleId, fx.unitCodes[0]]);
    members = rows[0].members;
  });

  afterAll(async () => {
    await cycle?.stop();
    await api?.close();
    await h?.close();
  });

  it('refuses each bad payload with its field and message, and accepts the good one as version 1', async () => {
    const unit = fx.unitCodes[0]!;
    const post = (phase: string, payload: unknown, requestId: string) =>
      fetch(`${api.url}/api/v1/cycles/${cycleId}/units/${unit}/submit`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ phase, payload, actor: { id: 'operator:test', via: 'api' }, requestId }),
      });
    const cases: [string, unknown, RegExp][] = [
      ['study', { members: 'nhiều', studied: 3 }, /members: .*số nguyên/],
      ['study', { members, studied: -1 }, /studied: .*âm/],
      ['study', { members, studied: members + 1 }, /studied: .*không được lớn hơn/],
      ['study', { members: members * 3, studied: 1 }, /members: /],
      ['study', { members, studied: members, discussionTopic: 'Tự soi, tự sửa' }, /discussionDate: /],
      ['plan', { confirmedBy: 'A'.repeat(201) }, /confirmedBy: .*quá dài/],
      ['plan', { confirmedBy: 42 }, /confirmedBy: /],
      [
        'year-end-report',
        { figures: { members, studied: 1, withPersonalPlan: 1, keptPledge: 2, violatedPledge: 0 }, narrative: {} },
        /figures\.keptPledge: /,
      ],
      ['no-such-phase', {}, /không có nghĩa vụ|Không có biểu mẫu/i],
    ];
    for (const [i, [phase, payload, message]] of cases.entries()) {
      const res = await post(phase, payload, `bad-request-${i}`);
      const body = (await res.json()) as { error: string };
      expect([400, 422], `${phase} ${JSON.stringify(payload)}`).toContain(res.status);
      expect(body.error, JSON.stringify(payload)).toMatch(message);
    }
    // Not JSON at all.
    const garbage = await fetch(`${api.url}/api/v1/cycles/${cycleId}/units/${unit}/submit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'studied=3',
    });
    expect(garbage.status).toBe(400);
    // Nor sent as JSON: refused for its type (api/request-guards.ts), before it is read.
    expect((await fetch(`${api.url}/api/v1/cycles/${cycleId}/units/${unit}/submit`, { method: 'POST', body: 'studied=3' })).status).toBe(
      415,
    );

    const good = await post(
      'study',
      { members, studied: members, discussionTopic: 'Tự soi, tự sửa', discussionDate: '2027-03-05' },
      'good-request-1',
    );
    expect(good.status).toBe(200);
    expect(await good.json()).toMatchObject({ phase: 'study', version: 1, status: 'submitted', underTarget: false });

    const { rows } = await h.db.query('SELECT phase, version FROM submissions WHERE cycle_id = $1 AND unit_code = $2', [cycleId, unit]);
    expect(rows).toEqual([{ phase: 'study', version: 1 }]);
    // Refused updates never entered the history, and no workflow task failed.
    const history = await h.client.workflow.getHandle(unitWorkflowId(cycleId, unit)).fetchHistory();
    const types = (history.events ?? []).map((e) => Number(e.eventType));
    const UPDATE_ACCEPTED = 41; // temporal.api.enums.v1.EventType
    const WORKFLOW_TASK_FAILED = 9;
    expect(types.filter((t) => t === UPDATE_ACCEPTED)).toHaveLength(1); // the good one only
    expect(types.filter((t) => t === WORKFLOW_TASK_FAILED)).toHaveLength(0);
    const description = await h.client.workflow.getHandle(unitWorkflowId(cycleId, unit)).describe();
    expect(description.status.name).toBe('RUNNING');
  });

  it('keeps each unit to its own link: a body naming another unit or phase changes nothing', async () => {
    const [a, b] = fx.unitCodes as [string, string];
    const link = formUrl(api.url, await signLink({ cycleId, unitCode: b, phase: 'plan' }, h.env.signingSecret, Date.now() + 3_600_000));
    const res = await fetch(link, {
      method: 'POST',
      body: new URLSearchParams({
        confirmedBy: 'Người của B',
        requestId: 'form-b-000001',
        unitCode: a,
        phase: 'study',
        cycleId: 'OTHER-2027',
      }),
    });
    expect(res.status).toBe(200);
    const { rows } = await h.db.query(
      "SELECT unit_code, phase FROM submissions WHERE cycle_id = $1 AND submission_key LIKE '%form-b-000001'",
      [cycleId],
    );
    expect(rows).toEqual([{ unit_code: b, phase: 'plan' }]);
    // A token for another cycle or a made-up one opens nothing.
    const forged = await fetch(`${api.url}/f/${'x'.repeat(40)}`);
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain('Đường dẫn không hợp lệ');
  });
});
