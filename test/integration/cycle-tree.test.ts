/**
 * Cycles nest (issue 17), on the real stack: a committee that is a unit of its superior's cycle starts its own
 * cycle as a child. `cycle start` refuses a child whose deadlines break the cascade (each at least
 * `parent.marginDays` before the superior's deadline for the same phase), naming the file, the line and both
 * dates; a superior's extension for that committee moves what it may set, and nothing for the others; and the
 * superior's cycle cannot be closed while a child is open, unless the closing is a recorded decision.
 */
import { cliEnvOf } from '../support/cli-env.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startCycle } from '../../cli/commands/cycle.js';
import { extendDeadline } from '../../client/unit-actions.js';
import { ConfigError } from '../../config/errors.js';
import { childCycles } from '../../db/cycle-tree.js';
import { getCycle } from '../../db/cycles.js';
import { unitWorkflowId } from '../../domain/ids.js';
import { signInToConsole } from '../support/console-session.js';
import type { Harness } from '../support/harness.js';
import { startHarnessWithApi, type HarnessWithApi } from '../support/harness-api.js';
import { writeFixture, type Fixture } from '../support/fixtures.js';
import { chuky, waitFor } from '../support/processes.js';
import { fetchInbox } from '../../stack/smtp-sink.js';

const QUEUE = 'it-cycle-tree';
const RUN = Date.now().toString(36).slice(-4).toUpperCase();
const YEAR = 2027;

describe('cycles nest: the cascade of deadlines, checked at start, and the close of a superior', () => {
  const services = inject('services');
  const cliEnv = cliEnvOf(services, QUEUE);
  let h: Harness;
  let stack: HarnessWithApi | undefined;
  let base = '';
  let parent: Fixture;
  let parentId: string;
  const cleanup: string[] = [];

  /** A committee under the superior: unit `unit` of its cycle, with its own plan and year-end deadlines. */
  const child = (code: string, o: { plan: string; yearEnd: string; unit?: string; committee?: string; marginDays?: number }) =>
    writeFixture({
      code,
      year: YEAR,
      issuedOn: `${YEAR}-02-20`,
      deadline: o.plan,
      units: 2,
      phases: [
        { id: 'plan', deadline: o.plan },
        { id: 'year-end-report', opensOn: `${YEAR}-10-01`, deadline: o.yearEnd },
      ],
      parent: {
        committee: o.committee ?? `ITTP${RUN}`,
        unit: o.unit ?? 'U001',
        ...(o.marginDays !== undefined ? { marginDays: o.marginDays } : {}),
      },
    });
  const refusal = async (file: string): Promise<ConfigError> => {
    const err = await startCycle({ db: h.db, client: h.client, taskQueue: QUEUE, configFile: file }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  };
  const start = async (file: string) => {
    const started = await startCycle({ db: h.db, client: h.client, taskQueue: QUEUE, configFile: file });
    cleanup.push(started.workflowId);
    return started;
  };

  beforeAll(async () => {
    stack = await startHarnessWithApi(QUEUE);
    h = stack.h;
    base = stack.base;
    // The superior: three units, a plan due 20 March and a year-end report due 30 November. A compressed calendar
    // (a day in 3 s) opens its plan phase at once, so its units' obligations are in the database to be extended.
    parent = writeFixture({
      code: `ITTP${RUN}`,
      year: YEAR,
      issuedOn: `${YEAR}-03-01`,
      deadline: `${YEAR}-03-20`,
      units: 3,
      closesOn: `${YEAR}-12-31`,
      phases: [
        { id: 'plan', deadline: `${YEAR}-03-20` },
        { id: 'year-end-report', opensOn: `${YEAR}-10-01`, deadline: `${YEAR}-11-30` },
      ],
    });
    const started = await startCycle({ db: h.db, client: h.client, taskQueue: QUEUE, configFile: parent.file, secondsPerDay: 3 });
    parentId = started.cycleId;
    cleanup.push(started.workflowId, ...parent.unitCodes.map((u) => unitWorkflowId(parentId, u)));
    await waitFor(
      "the superior's plan obligations",
      async () => {
        const { rows } = await h.db.query("SELECT count(*)::int AS n FROM obligations WHERE cycle_id = $1 AND phase = 'plan'", [parentId]);
        return rows[0].n === parent.unitCodes.length;
      },
      60_000,
    );
  });

  afterAll(async () => {
    await stack?.stop(cleanup, 'cycle tree test done');
  });

  it('refuses a child whose deadline is too close to the superior’s, naming the file, the line and both dates', async () => {
    // Plan due 18 March: the superior wants it by 20 March, less the default margin of 5 days → 15 March at the latest.
    const late = child(`ITTC${RUN}A`, { plan: `${YEAR}-03-18`, yearEnd: `${YEAR}-11-20` });
    const err = await refusal(late.file);
    expect(err.issues).toHaveLength(1);
    const issue = err.issues[0]!;
    expect(issue).toMatchObject({ file: late.file, field: 'phases[0].deadline' });
    expect(issue.line).toBeGreaterThan(1);
    expect(issue.message).toBe(
      `${YEAR}-03-18 is after ${YEAR}-03-15, the latest this cycle may set for plan: ${parentId} asks U001 for it by ` +
        `${YEAR}-03-20 (its obligation's deadline), less parent.marginDays 5`,
    );
    expect(err.message).toContain(`${late.file}:${issue.line}: phases[0].deadline: `);
    // Nothing of it was registered.
    expect(await getCycle(h.db, `ITTC${RUN}A-${YEAR}`)).toBeUndefined();

    // Both deadlines too close: both reported at once; a margin of 0 lets the same dates through.
    const both = child(`ITTC${RUN}B`, { plan: `${YEAR}-03-20`, yearEnd: `${YEAR}-11-28` });
    expect((await refusal(both.file)).issues.map((i) => i.field)).toEqual(['phases[0].deadline', 'phases[1].deadline']);
    const noMargin = child(`ITTC${RUN}B`, { plan: `${YEAR}-03-20`, yearEnd: `${YEAR}-11-28`, marginDays: 0 });
    expect((await start(noMargin.file)).registered).toBe(true);
  });

  it('refuses a child of a cycle chuky does not run, or of a unit its superior does not have', async () => {
    const orphan = child(`ITTC${RUN}C`, { plan: `${YEAR}-03-10`, yearEnd: `${YEAR}-11-20`, committee: `NOPE${RUN}` });
    expect((await refusal(orphan.file)).issues[0]).toMatchObject({
      field: 'parent.committee',
      message: expect.stringContaining(`the superior's cycle NOPE${RUN}-${YEAR} is not in chuky`),
    });
    const stranger = child(`ITTC${RUN}C`, { plan: `${YEAR}-03-10`, yearEnd: `${YEAR}-11-20`, unit: 'U099' });
    expect((await refusal(stranger.file)).issues[0]).toMatchObject({
      field: 'parent.unit',
      message: `${parentId} has no unit "U099" in its units list`,
    });
  });

  it("follows the superior's extension for that committee, and only for it", async () => {
    // The superior gives U002 until 31 March for its plan; U003 keeps 20 March.
    await extendDeadline(h.client, parentId, 'U002', {
      phase: 'plan',
      newDeadline: `${YEAR}-03-31`,
      reason: 'Đảng bộ đang kiện toàn cấp ủy, đề nghị gia hạn',
      actor: { id: 'operator:test', via: 'cli' },
      requestId: `cycle-tree-extend-${RUN}`,
    });
    await waitFor('the extension in the database', async () => {
      const { rows } = await h.db.query(
        "SELECT to_char(deadline, 'YYYY-MM-DD') AS d FROM obligations WHERE cycle_id = $1 AND unit_code = 'U002' AND phase = 'plan'",
        [parentId],
      );
      return rows[0]?.d === `${YEAR}-03-31`;
    });
    const underU003 = child(`ITTC${RUN}D`, { plan: `${YEAR}-03-24`, yearEnd: `${YEAR}-11-20`, unit: 'U003' });
    expect((await refusal(underU003.file)).issues[0]!.message).toContain(`asks U003 for it by ${YEAR}-03-20`);
    const underU002 = child(`ITTC${RUN}E`, { plan: `${YEAR}-03-24`, yearEnd: `${YEAR}-11-20`, unit: 'U002' });
    const started = await start(underU002.file);
    expect((await getCycle(h.db, started.cycleId))?.parent).toEqual({ cycleId: parentId, unitCode: 'U002' });
    // A second start of the same child refreshes its units; it is not checked again.
    expect((await start(underU002.file)).registered).toBe(false);
  });

  it("shows each child's units' progress beside its own obligation, in cycle status and the console", async () => {
    const status = await chuky(['cycle', 'status', '--cycle', parentId, '--json'], cliEnv);
    expect(status.code, status.stderr).toBe(0);
    const parsed = JSON.parse(status.stdout) as {
      children: {
        cycleId: string;
        unitCode: string;
        phases: { phase: string; done: number; total: number; towardParent?: { deadline: string } }[];
      }[];
    };
    expect(parsed.children.map((c) => [c.cycleId, c.unitCode])).toEqual([
      [`ITTC${RUN}B-${YEAR}`, 'U001'],
      [`ITTC${RUN}E-${YEAR}`, 'U002'],
    ]);
    const e = parsed.children[1]!;
    // Its two units have done nothing yet (its calendar is real: 2027); its own plan toward the superior is due 31 March.
    expect(e.phases.map((p) => [p.phase, p.done, p.total, p.towardParent?.deadline])).toEqual([
      ['plan', 0, 2, `${YEAR}-03-31`],
      ['year-end-report', 0, 2, undefined],
    ]);
    const childStatus = JSON.parse((await chuky(['cycle', 'status', '--cycle', e.cycleId, '--json'], cliEnv)).stdout) as {
      parent: unknown;
    };
    expect(childStatus.parent).toEqual({ cycleId: parentId, unitCode: 'U002' });

    const session = await signInToConsole(base, h.db, { role: 'clerk', prefix: 'tree-clerk' });
    const page = await (await session.get(`/console/chu-ky/${encodeURIComponent(parentId)}`)).text();
    expect(page).toContain('Các cấp ủy trực thuộc chạy chu kỳ riêng');
    expect(page).toContain(`ITTC${RUN}E-${YEAR}`);
    expect(page).toContain('0/2 (0,0%)');
    expect(page).toContain('hạn 31/03/2027');
    const childPage = await (await session.get(`/console/chu-ky/${encodeURIComponent(e.cycleId)}`)).text();
    expect(childPage).toContain(`Chu kỳ con của <a href="/console/chu-ky/${parentId}">${parentId}</a>`);
    expect(childPage).not.toContain('Các cấp ủy trực thuộc chạy chu kỳ riêng');
  });

  it("names where in the late committee's own tree the delay sits, in its overdue notice", async () => {
    // The superior's plan was due 20 March; on its calendar (a day in 3 s) U001 and U003 are overdue the next morning.
    const sentOverdue = async (unit: string) =>
      (
        await h.db.query<{ message_id: string }>(
          "SELECT message_id FROM emails WHERE cycle_id = $1 AND unit_code = $2 AND kind = 'overdue' AND status = 'sent'",
          [parentId, unit],
        )
      ).rows[0]?.message_id;
    const [u001, u003] = await waitFor<[string, string]>(
      'the overdue notices of U001 and U003',
      async () => {
        const ids = [await sentOverdue('U001'), await sentOverdue('U003')];
        return ids[0] && ids[1] ? ([ids[0], ids[1]] as [string, string]) : undefined;
      },
      150_000,
      1_000,
    );
    const inbox = await fetchInbox(services.inboxUrl);
    const text = (id: string) => inbox.find((m) => m.messageId === id)?.text ?? '';
    // U001 runs ITTC…B, whose two units have not sent their plans yet (its calendar is real).
    expect(text(u001)).toContain(
      `Trong chu kỳ riêng của ĐẢNG ỦY KHỐI THỬ NGHIỆM ITTC${RUN}B (ITTC${RUN}B-${YEAR}): 0/2 đơn vị trực thuộc đã hoàn thành; ` +
        'chưa hoàn thành: Đảng bộ Sở Tài chính 1 (chưa đến hạn), Đảng bộ Sở Tư pháp 2 (chưa đến hạn).',
    );
    // U003 runs no cycle of its own: its notice is as any unit's.
    expect(text(u003)).toContain('chưa nhận được');
    expect(text(u003)).not.toContain('Trong chu kỳ riêng');
    // U002's plan was extended to 31 March: no overdue notice yet.
    expect(await sentOverdue('U002')).toBeUndefined();
  });

  it('refuses to close the superior while a child is open, unless the closing is a decision, recorded', async () => {
    const children = await childCycles(h.db, parentId);
    expect(children.map((c) => [c.id, c.unitCode])).toEqual([
      [`ITTC${RUN}B-${YEAR}`, 'U001'],
      [`ITTC${RUN}E-${YEAR}`, 'U002'],
    ]);
    const refused = await chuky(['cycle', 'close', '--cycle', parentId, '--reason', 'Kết thúc sớm'], cliEnv);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(`cycle ${parentId} has child cycles still open: ITTC${RUN}B-${YEAR} (unit U001, `);
    expect(refused.stderr).toContain('--despite-open-children');
    const { rows: before } = await h.db.query('SELECT count(*)::int AS n FROM audit_log WHERE cycle_id = $1', [parentId]);
    expect(before[0].n).toBe(0);

    const closed = await chuky(
      ['cycle', 'close', '--cycle', parentId, '--reason', 'Ban Thường vụ quyết định kết thúc năm', '--despite-open-children', '--json'],
      cliEnv,
    );
    expect(closed.code, closed.stderr).toBe(0);
    expect(JSON.parse(closed.stdout)).toEqual({
      cycleId: parentId,
      closing: true,
      openChildren: [`ITTC${RUN}B-${YEAR}`, `ITTC${RUN}E-${YEAR}`],
    });
    const { rows: audit } = await h.db.query('SELECT action, reason, details FROM audit_log WHERE cycle_id = $1', [parentId]);
    expect(audit).toEqual([
      {
        action: 'close-cycle-despite-open-children',
        reason: 'Ban Thường vụ quyết định kết thúc năm',
        details: {
          openChildren: [
            { cycleId: `ITTC${RUN}B-${YEAR}`, unitCode: 'U001', status: expect.any(String) },
            { cycleId: `ITTC${RUN}E-${YEAR}`, unitCode: 'U002', status: expect.any(String) },
          ],
        },
      },
    ]);
    await waitFor('the superior closed', async () => (await getCycle(h.db, parentId))?.status === 'closed', 60_000);
  });
});
