/**
 * Property-based tests of the workflows' Update arguments (workflows/messages.ts), sent straight to running
 * workflows on the real dev server, past the API: arbitrary values and one-field mutations of valid arguments for
 * a unit workflow's submit, acknowledgePlan, extendDeadline, exempt and removeUnit, and an inspection workflow's
 * schedule, findings, conclude, close and reportRemedy. Properties: each is refused by its validator with a clear
 * message (naming the field for a mutation), nothing enters the history, no workflow task fails, and the
 * workflows still accept a valid update afterwards.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { startHarness, type Harness } from '../support/harness.js';
import { writeFixture, type Fixture } from '../support/fixtures.js';
import { openCycle, type OpenCycle } from '../support/open-cycle.js';
import { waitFor } from '../support/processes.js';
import { startInspection } from '../../client/inspection-actions.js';
import { unitWorkflowId } from '../../domain/ids.js';

const QUEUE = 'it-update-properties';
const UPDATE_ACCEPTED = 41; // temporal.api.enums.v1.EventType
const WORKFLOW_TASK_FAILED = 9;
const RUNS = { numRuns: 40 } as const;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const actor = { id: 'operator:kiem-thu', via: 'cli' };
let seq = 0;
const rid = (what: string) => `${what}-${(seq++).toString().padStart(6, '0')}`;

/** The outcome of an update: its result, or the refusal's message; a hang fails the test. */
async function send(
  handle: WorkflowHandle,
  update: string,
  args: unknown[],
): Promise<{ ok: true; result: unknown } | { ok: false; message: string }> {
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`update ${update} did not answer in 30 s: ${JSON.stringify(args).slice(0, 200)}`)), 30_000),
  );
  try {
    // Any number of arguments, as a client could send (the SDK's types ask for at least one).
    return {
      ok: true,
      result: await Promise.race([handle.executeUpdate(update, { args: args as [unknown], updateId: rid('upd') }), timeout]),
    };
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) return { ok: false, message: err.cause?.message ?? err.message };
    throw err;
  }
}

/** A valid argument and its fields, each with values that break it. */
interface Template {
  update: string;
  valid: () => Record<string, Json>;
  broken: Record<string, Json[]>;
}

const TEXT_BROKEN: Json[] = [42, null, [], { x: 1 }, 'a\u0000b', 'b\ud800'];
const REQUEST_BROKEN: Json[] = ['short', 'x'.repeat(101), 7, null];
const ACTOR_BROKEN: Json[] = ['operator:x', null, [], { id: '', via: 'cli' }, { id: 'x', via: 'fax' }, { id: 'x\u0000', via: 'cli' }];

describe('workflow updates under arbitrary arguments', () => {
  let h: Harness;
  let fx: Fixture;
  let cycleId = '';
  let cycle: OpenCycle | undefined;
  let unit: WorkflowHandle;
  let inspection: WorkflowHandle;
  let members = 0;

  beforeAll(async () => {
    h = await startHarness({ taskQueue: QUEUE });
    // One day = 60 s: the phases are open and nothing falls due while the properties run.
    fx = writeFixture({
      code: 'ITUPDPROP',
      issuedOn: '2027-03-01',
      deadline: '2027-03-20',
      units: 2,
      closesOn: '2027-05-31',
      phases: [
        { id: 'plan', deadline: '2027-03-20' },
        { id: 'study', deadline: '2027-03-20' },
        { id: 'pledge', opensOn: '2027-04-20', deadline: '2027-04-30' },
      ],
    });
    cycle = await openCycle(h, { taskQueue: QUEUE, fixture: fx, opened: 4 });
    cycleId = cycle.cycleId;
    const [a, b] = fx.unitCodes as [string, string];
    members = (await h.db.query('SELECT members FROM units WHERE cycle_id = $1 AND code = $2', [cycleId, a])).rows[0].members;
    unit = h.client.workflow.getHandle(unitWorkflowId(cycleId, a));
    const started = await startInspection({ db: h.db, client: h.client, taskQueue: QUEUE }, cycleId, {
      unitCode: b,
      kind: 'kiem-tra',
      body: 'ubkt',
      reason: 'Theo chương trình kiểm tra năm',
      actor,
    });
    inspection = h.client.workflow.getHandle(started.inspectionId);
    await waitFor(
      'the inspection to open',
      async () => (await h.db.query("SELECT 1 FROM events WHERE cycle_id = $1 AND kind = 'inspection_opened'", [cycleId])).rows.length > 0,
      60_000,
    );
  }, 300_000);

  afterAll(async () => {
    await cycle?.stop();
    await h?.close();
  });

  const unitTemplates = (): Template[] => [
    {
      update: 'submit',
      valid: () => ({
        phase: 'study',
        payload: { members, studied: members, discussionTopic: 'Tự soi, tự sửa', discussionDate: '2027-03-05', note: 'Học trực tuyến' },
        actor,
        requestId: rid('submit'),
      }),
      broken: {
        phase: ['', 'khong-co', 'pledge', 'x'.repeat(51), 5, null],
        payload: [null, 'báo cáo', 42, [], true],
        'payload.members': [0, -1, 1.5, '12', 'nhiều', members * 3, null],
        'payload.studied': [-1, members + 1, '1', 2.5],
        'payload.discussionDate': ['2027-02-30', '05/03/2027', 20270305, 'mai'],
        'payload.discussionTopic': [42, 'x'.repeat(501), 'a\u0000b', { t: 1 }],
        'payload.note': ['x'.repeat(5001), 'c\u0000', 'd\udfff', 1],
        actor: ACTOR_BROKEN,
        requestId: REQUEST_BROKEN,
      },
    },
    {
      update: 'acknowledgePlan',
      valid: () => ({
        phase: 'plan',
        confirmedBy: 'Nguyễn Văn A, Bí thư',
        unitPlanNumber: '05-KH/ĐU',
        note: 'Đã nhận',
        actor,
        requestId: rid('ack'),
      }),
      broken: {
        phase: ['study', '', null],
        confirmedBy: ['', '   ', 'x'.repeat(201), ...TEXT_BROKEN],
        unitPlanNumber: ['x'.repeat(101), ...TEXT_BROKEN],
        note: ['x'.repeat(5001), ...TEXT_BROKEN],
        actor: ACTOR_BROKEN,
        requestId: REQUEST_BROKEN,
      },
    },
    {
      update: 'extendDeadline',
      valid: () => ({ phase: 'study', newDeadline: '2027-04-01', reason: 'Đơn vị đang kiện toàn cấp ủy', actor, requestId: rid('extend') }),
      broken: {
        phase: ['', 'khong-co', null],
        newDeadline: ['2027-02-30', '2027-03-01', '2027-05-30', '2030-01-01', '1/4/2027', 1, null],
        reason: ['', 'ab', 'x'.repeat(1001), ...TEXT_BROKEN],
        actor: ACTOR_BROKEN,
        requestId: REQUEST_BROKEN,
      },
    },
    {
      update: 'exempt',
      valid: () => ({ phase: 'plan', reason: 'Đơn vị mới thành lập', actor, requestId: rid('exempt') }),
      broken: {
        phase: ['', 'khong-co', null, 3],
        reason: ['', 'ab', 'x'.repeat(1001), ...TEXT_BROKEN],
        actor: ACTOR_BROKEN,
        requestId: REQUEST_BROKEN,
      },
    },
    {
      update: 'removeUnit',
      valid: () => ({ reason: 'Sáp nhập vào đơn vị khác', actor, requestId: rid('remove') }),
      broken: { reason: ['', 'ab', 'x'.repeat(1001), ...TEXT_BROKEN], actor: ACTOR_BROKEN, requestId: REQUEST_BROKEN },
    },
  ];

  const inspectionTemplates = (): Template[] => [
    {
      update: 'scheduleInspection',
      valid: () => ({ date: '2027-03-12', actor, requestId: rid('schedule') }),
      broken: { date: ['2027-02-30', '12/03/2027', '', 5, null], actor: ACTOR_BROKEN, requestId: REQUEST_BROKEN },
    },
    {
      update: 'recordFindings',
      valid: () => ({ findings: 'Đơn vị thực hiện đầy đủ các nội dung', actor, requestId: rid('findings') }),
      broken: { findings: ['', 'ngắn', 'x'.repeat(20_001), ...TEXT_BROKEN], actor: ACTOR_BROKEN, requestId: REQUEST_BROKEN },
    },
    {
      update: 'concludeInspection',
      valid: () => ({
        conclusion: 'Đơn vị cần khắc phục hạn chế',
        remedies: ['Tổ chức lại buổi sinh hoạt'],
        remedyDeadline: '2027-04-10',
        actor,
        requestId: rid('conclude'),
      }),
      broken: {
        conclusion: ['', 'ngắn', ...TEXT_BROKEN],
        remedies: ['một việc', [''], [1], ['a\u0000']],
        remedyDeadline: ['2027-04-31', 'sau', null],
        actor: ACTOR_BROKEN,
        requestId: REQUEST_BROKEN,
      },
    },
    {
      update: 'closeInspection',
      valid: () => ({ note: 'Đơn vị đã khắc phục', actor, requestId: rid('close') }),
      broken: { note: ['', 'x'.repeat(2001), ...TEXT_BROKEN], actor: ACTOR_BROKEN, requestId: REQUEST_BROKEN },
    },
    // Before a conclusion, a remedy report is refused whatever it says; its envelope is checked first.
    {
      update: 'reportRemedy',
      valid: () => ({
        phase: 'inspection-remedy',
        payload: { summary: 'Đã tổ chức lại buổi sinh hoạt chuyên đề' },
        actor,
        requestId: rid('remedy'),
      }),
      broken: { phase: [null, 5], actor: ACTOR_BROKEN, requestId: REQUEST_BROKEN },
    },
  ];

  function setPath(obj: Record<string, Json>, path: string, value: Json): void {
    const keys = path.split('.');
    // Every key but the last names an object of the valid argument (the templates' broken fields say which).
    let node = obj;
    for (const k of keys.slice(0, -1)) node = node[k] as Record<string, Json>;
    node[keys[keys.length - 1]!] = value;
  }

  /** Arbitrary arguments: any JSON, any number of them, or a valid argument with one field broken. */
  function argsFor(templates: () => Template[]) {
    const mutated = fc
      .constantFrom(...templates())
      .chain((t) =>
        fc
          .constantFrom(...Object.keys(t.broken))
          .chain((field) => fc.constantFrom(...t.broken[field]!).map((value) => ({ update: t.update, field, value, valid: t.valid }))),
      )
      .map(({ update, field, value, valid }) => {
        const arg = structuredClone(valid());
        setPath(arg, field, value);
        return { update, args: [arg] as unknown[], field: field.split('.').pop()! };
      });
    const arbitrary = fc
      .tuple(fc.constantFrom(...templates().map((t) => t.update)), fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 2 }))
      .map(([update, args]) => ({ update, args, field: undefined as string | undefined }));
    return fc.oneof(mutated, arbitrary);
  }

  async function countEvents(handle: WorkflowHandle, type: number): Promise<number> {
    const history = await handle.fetchHistory();
    return (history.events ?? []).filter((e) => Number(e.eventType) === type).length;
  }

  it('a unit workflow refuses every bad update in its validator, with a message naming the field', async () => {
    await fc.assert(
      fc.asyncProperty(argsFor(unitTemplates), async ({ update, args, field }) => {
        const r = await send(unit, update, args);
        const what = `${update}(${JSON.stringify(args).slice(0, 300)})`;
        expect(r.ok, `${what} was accepted`).toBe(false);
        if (r.ok) return;
        expect(r.message.length, what).toBeGreaterThan(5);
        // A payload that is not an object at all is refused by the phase's schema as a whole ("expected object").
        if (field !== undefined)
          expect(r.message, what).toMatch(
            new RegExp(`${field}|không có nghĩa vụ|Không có biểu mẫu|chưa mở|Hạn mới${field === 'payload' ? '|expected object' : ''}`),
          );
      }),
      {
        ...RUNS,
        // Text PostgreSQL cannot store: accepted, it would make the storing activity fail on every retry.
        examples: [
          [
            {
              update: 'submit',
              args: [{ ...unitTemplates()[0]!.valid(), payload: { members, studied: members, note: 'x\u0000y' } }],
              field: 'note',
            },
          ],
          [{ update: 'acknowledgePlan', args: [{ ...unitTemplates()[1]!.valid(), confirmedBy: 'Nguyễn\ud800' }], field: 'confirmedBy' }],
          [{ update: 'exempt', args: [{ ...unitTemplates()[3]!.valid(), reason: 'Sáp nhập\u0000' }], field: 'reason' }],
        ],
      },
    );
    expect(await countEvents(unit, UPDATE_ACCEPTED)).toBe(0);
  });

  it('an inspection workflow refuses every bad update in its validator', async () => {
    await fc.assert(
      fc.asyncProperty(argsFor(inspectionTemplates), async ({ update, args, field }) => {
        const r = await send(inspection, update, args);
        const what = `${update}(${JSON.stringify(args).slice(0, 300)})`;
        expect(r.ok, `${what} was accepted`).toBe(false);
        if (r.ok) return;
        expect(r.message.length, what).toBeGreaterThan(5);
        if (field !== undefined && update !== 'reportRemedy') expect(r.message, what).toContain(field);
      }),
      RUNS,
    );
    expect(await countEvents(inspection, UPDATE_ACCEPTED)).toBe(0);
  });

  it('afterwards both workflows accept valid updates, and neither failed a task', async () => {
    const submitted = await send(unit, 'submit', [unitTemplates()[0]!.valid()]);
    expect(submitted).toMatchObject({ ok: true, result: { phase: 'study', version: 1 } });
    const acknowledged = await send(unit, 'acknowledgePlan', [unitTemplates()[1]!.valid()]);
    expect(acknowledged).toMatchObject({ ok: true, result: { phase: 'plan', version: 1 } });
    const scheduled = await send(inspection, 'scheduleInspection', [inspectionTemplates()[0]!.valid()]);
    expect(scheduled).toMatchObject({ ok: true, result: { status: 'scheduled', scheduledOn: '2027-03-12' } });
    const { rows } = await h.db.query('SELECT phase, version FROM submissions WHERE cycle_id = $1 ORDER BY phase', [cycleId]);
    expect(rows).toEqual([
      { phase: 'plan', version: 1 },
      { phase: 'study', version: 1 },
    ]);
    for (const handle of [unit, inspection]) {
      expect(await countEvents(handle, WORKFLOW_TASK_FAILED)).toBe(0);
      expect((await handle.describe()).status.name).toBe('RUNNING');
    }
  });
});
