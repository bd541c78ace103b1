/**
 * Issue 14, "One schema per boundary": the unit's member count has one source, the count its workflow was launched
 * with. On the real stack (Temporal dev server, PostgreSQL, SMTP, a worker, two APIs in this process), a study report
 * of 5 members when the units list says 95 is refused without a reason the same way (the same message under the same
 * field) whether the form's own parse refused it, with the facts the workflow's view gives, or the workflow's update
 * validator did, because the form could not ask the workflow (the second API's client has its queries refused, as
 * when no worker answers them: the edge then checks no member count at all and shows the validator's refusal).
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { startHarness, type Harness } from '../support/harness.js';
import { writeFixture, type Fixture } from '../support/fixtures.js';
import { openCycle, type OpenCycle } from '../support/open-cycle.js';
import { startApi } from '../../api/server.js';
import { formUrl, signLink } from '../../auth/links.js';
import { MEMBERS_REASON_LABEL } from '../../domain/phases/common.js';
import { freePort } from '../../stack/ports.js';

const QUEUE = 'it-members-edge';
const UNIT = 'U001';

/** A method of `target` bound to it (Temporal's client classes read their own fields). */
const bound = (target: object, key: PropertyKey): unknown => {
  const value: unknown = Reflect.get(target, key, target);
  return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
};

/**
 * The real client, except that a workflow handle's query is refused (Temporal's own error when no worker polls the
 * queue is the same for the route: unitView answers undefined). Updates go to the real workflow.
 */
function withoutQueries(client: Client): Client {
  const workflow = new Proxy(client.workflow, {
    get(target, key) {
      if (key !== 'getHandle') return bound(target, key);
      return (...args: Parameters<Client['workflow']['getHandle']>) =>
        new Proxy(target.getHandle(...args), {
          get(handle, k) {
            if (k === 'query') return async () => Promise.reject(new Error('test: the workflow does not answer queries'));
            return bound(handle, k);
          },
        });
    },
  });
  return new Proxy(client, { get: (target, key) => (key === 'workflow' ? workflow : bound(target, key)) });
}

const reasonError = (html: string) => /<div class="err" id="err-membersReason" role="alert">([^<]*)<\/div>/.exec(html)?.[1];

describe('a member count beyond the margin, whichever side refuses it', () => {
  let h: Harness;
  let asking: Awaited<ReturnType<typeof startApi>>;
  let blind: Awaited<ReturnType<typeof startApi>>;
  let fx: Fixture;
  let cycle: OpenCycle | undefined;
  let cycleId = '';
  const ports = { asking: 0, blind: 0 };

  const link = async (api: 'asking' | 'blind', phase: string) =>
    formUrl(
      `http://127.0.0.1:${ports[api]}`,
      await signLink({ cycleId, unitCode: UNIT, phase }, h.env.signingSecret, Date.now() + 3_600_000),
    );
  const post = async (api: 'asking' | 'blind', phase: string, fields: Record<string, string>) => {
    const res = await fetch(await link(api, phase), { method: 'POST', body: new URLSearchParams({ requestId: randomUUID(), ...fields }) });
    return { status: res.status, html: await res.text() };
  };
  const stored = async (phase: string) =>
    (
      await h.db.query('SELECT version, payload FROM submissions WHERE cycle_id = $1 AND unit_code = $2 AND phase = $3 ORDER BY version', [
        cycleId,
        UNIT,
        phase,
      ])
    ).rows;

  beforeAll(async () => {
    ports.asking = await freePort();
    ports.blind = await freePort();
    h = await startHarness({ taskQueue: QUEUE, publicBaseUrl: `http://127.0.0.1:${ports.asking}` });
    const deps = { db: h.db, signingSecret: h.env.signingSecret, taskQueue: QUEUE };
    asking = await startApi({ ...deps, client: h.client }, ports.asking);
    blind = await startApi({ ...deps, client: withoutQueries(h.client) }, ports.blind);
    fx = writeFixture({
      code: 'ITMEMBEREDGE',
      issuedOn: '2027-03-01',
      deadline: '2027-03-20',
      units: 2,
      closesOn: '2027-04-30',
      phases: [
        { id: 'study', deadline: '2027-03-20' },
        { id: 'pledge', deadline: '2027-03-20' },
      ],
    });
    // The units list says 95 members for U001.
    const csv = path.join(path.dirname(fx.file), 'units.csv');
    const lines = fs.readFileSync(csv, 'utf8').split('\n');
    fs.writeFileSync(
      csv,
      lines
        .map((l) =>
          l.startsWith(`${UNIT};`)
            ? l
                .split(';')
                .map((v, i) => (i === 3 ? '95' : v))
                .join(';')
            : l,
        )
        .join('\n'),
    );
    cycle = await openCycle(h, { taskQueue: QUEUE, fixture: fx, opened: 4, timeoutMs: 90_000 });
    cycleId = cycle.cycleId;
  }, 180_000);

  afterAll(async () => {
    await cycle?.stop();
    await asking?.close();
    await blind?.close();
    await h?.close();
  });

  it("is refused under the reason field in the same words by the form (with the workflow's facts) and by the validator", async () => {
    for (const [phase, part] of [
      ['study', 'studied'],
      ['pledge', 'withPersonalPlan'],
    ] as const) {
      const fields = { members: '5', [part]: '5' };
      const byForm = await post('asking', phase, fields);
      const byValidator = await post('blind', phase, fields);
      expect(byForm.status, phase).toBe(400);
      expect(byValidator.status, phase).toBe(400);
      const message = reasonError(byForm.html);
      expect(message, phase).toContain(
        `${MEMBERS_REASON_LABEL}: cần ghi rõ vì tổng số đảng viên đơn vị báo cáo (5) khác số trong danh sách đơn vị (95 đảng viên) quá 10%`,
      );
      expect(reasonError(byValidator.html), phase).toBe(message);
      // Both pages say so in their summary, name no field id, and keep what the unit typed.
      for (const html of [byForm.html, byValidator.html]) {
        expect(html).toContain('vui lòng sửa 1 chỗ');
        expect(html).not.toContain('id="notice"');
        expect(html).toMatch(/<input[^>]*name="members"[^>]*value="5"/);
      }
      expect(await stored(phase), phase).toEqual([]);
    }
    // The blind API did not check the count itself: it has no count to offer either (no prefill from the units table).
    const blindPage = await (await fetch(await link('blind', 'pledge'))).text();
    expect(blindPage).toMatch(/<input[^>]*name="members"[^>]*value=""/);
    const askingPage = await (await fetch(await link('asking', 'pledge'))).text();
    expect(askingPage).toMatch(/<input[^>]*name="members"[^>]*value="95"/);
  });

  it('is accepted with a reason through either, as the validator judges it', async () => {
    const reason = 'Chi bộ mới tách khỏi đảng bộ, danh sách chưa cập nhật';
    const viaBlind = await post('blind', 'study', { members: '5', studied: '5', membersReason: reason });
    expect(viaBlind.status).toBe(200);
    expect(viaBlind.html).toContain('Đã nhận (lần 1, đúng hạn)');
    const viaAsking = await post('asking', 'pledge', { members: '5', withPersonalPlan: '5', membersReason: reason });
    expect(viaAsking.status).toBe(200);
    expect(await stored('study')).toEqual([{ version: 1, payload: { members: 5, studied: 5, membersReason: reason } }]);
    expect(await stored('pledge')).toEqual([{ version: 1, payload: { members: 5, withPersonalPlan: 5, membersReason: reason } }]);
  });
});
