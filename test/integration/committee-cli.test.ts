/**
 * The command line of a committee's operator (issue 17), on the real stack: `chuky` with CHUKY_API_URL and a
 * committee's token (and a database and Temporal address that lead nowhere, so nothing can go round the API) reads
 * and acts on its committee's cycles only — another committee's cycle is "no cycle", in every kind of command —
 * refuses the commands that need the deployment's keys, closes its own year, sends its report up, compiles its
 * review; an explanation of the superior's figure follows a committee's report down only for a token granted the
 * subtree.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startCycle } from '../../cli/commands/cycle.js';
import { submit } from '../../client/unit-actions.js';
import { getCycle } from '../../db/cycles.js';
import { unitWorkflowId } from '../../domain/ids.js';
import { freePort } from '../../stack/ports.js';
import { cliEnvOf } from '../support/cli-env.js';
import { writeFixture } from '../support/fixtures.js';
import type { Harness } from '../support/harness.js';
import { startHarnessApi, startHarnessWithApi, type HarnessWithApi } from '../support/harness-api.js';
import { chuky, waitFor } from '../support/processes.js';
import { yearEnd } from '../support/year-end.js';

const QUEUE = 'it-committee-cli';
const RUN = Date.now().toString(36).slice(-4).toUpperCase();
const YEAR = 2027;
const P = `ITCP${RUN}`;
const A = `ITCA${RUN}`;
const B = `ITCB${RUN}`;
const cycleOf = (code: string) => `${code}-${YEAR}`;
/** A calendar day lasts an hour: the year-end phase is open from day one, and no notice falls due during the test. */
const SECONDS_PER_DAY = 3600;

describe("the command line of a committee's operator, through the operator API", () => {
  const services = inject('services');
  const deploymentEnv = cliEnvOf(services, QUEUE);
  let h: Harness;
  let stack: HarnessWithApi | undefined;
  let tokenApi: Awaited<ReturnType<typeof startHarnessApi>> | undefined;
  let tokenBase = '';
  const workflows: string[] = [];
  const tokens: Record<'A' | 'P' | 'Psubtree', string> = { A: '', P: '', Psubtree: '' };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chuky-committee-cli-'));

  /** A committee's command line: the API and its token; the deployment's own addresses lead nowhere. */
  const as = (token: string, args: string[]) =>
    chuky(args, {
      CHUKY_API_URL: `${tokenBase}/`,
      CHUKY_COMMITTEE_TOKEN: token,
      DATABASE_URL: 'postgres://nobody:nothing@127.0.0.1:9/none',
      TEMPORAL_ADDRESS: '127.0.0.1:9',
      SMTP_URL: 'smtp://127.0.0.1:9',
      CHUKY_TASK_QUEUE: QUEUE,
    });
  const json = async <T>(token: string, args: string[]): Promise<T> => {
    const r = await as(token, [...args, '--json']);
    expect(r.code, `${args.join(' ')}: ${r.stderr}${r.stdout}`).toBe(0);
    return JSON.parse(r.stdout) as T;
  };
  const frozen = (cycleId: string) =>
    waitFor(
      `${cycleId} frozen`,
      async () => (await h.db.query('SELECT frozen_at FROM cycles WHERE id = $1', [cycleId])).rows[0]?.frozen_at,
      90_000,
    );

  beforeAll(async () => {
    stack = await startHarnessWithApi(QUEUE);
    h = stack.h;
    // The province P over two committees: A (its unit U001) and B (U002), each running its own cycle of two units.
    for (const [code, unit] of [
      [P, undefined],
      [A, 'U001'],
      [B, 'U002'],
    ] as const) {
      const deadline = `${YEAR}-11-${unit ? '20' : '30'}`;
      const fixture = writeFixture({
        code,
        year: YEAR,
        issuedOn: `${YEAR}-10-01`,
        deadline,
        units: 2,
        phases: [{ id: 'year-end-report', opensOn: `${YEAR}-10-01`, deadline }],
        ...(unit ? { parent: { committee: P, unit } } : {}),
      });
      // In the province's list its committee A (U001) has the 77 members of A's two units.
      if (!unit) {
        const csv = path.join(path.dirname(fixture.file), 'units.csv');
        fs.writeFileSync(csv, fs.readFileSync(csv, 'utf8').replace(/^U001;([^;]*);([^;]*);20;/m, 'U001;$1;$2;77;'));
      }
      const started = await startCycle({
        db: h.db,
        client: h.client,
        taskQueue: QUEUE,
        configFile: fixture.file,
        secondsPerDay: SECONDS_PER_DAY,
      });
      workflows.push(started.workflowId, unitWorkflowId(started.cycleId, 'U001'), unitWorkflowId(started.cycleId, 'U002'));
    }
    for (const code of [P, A, B]) {
      const clock = (await getCycle(h.db, cycleOf(code)))!.clock;
      const opens = clock.kind === 'compressed' ? clock.realOrigin : 0;
      await waitFor(`${code}'s day one`, async () => Date.now() > opens + 500);
    }
    // The operator API as production serves it: committee tokens, and the deployment's own.
    const port = await freePort();
    tokenBase = `http://127.0.0.1:${port}`;
    tokenApi = await startHarnessApi(h, port, { apiToken: `deployment-${RUN}-0123456789abcdef`, requireApiToken: true });
    const create = async (args: string[]) => {
      const r = await chuky(['api-token', 'create', '--name', 'Máy của văn phòng cấp ủy', '--json', ...args], deploymentEnv);
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as { token: string }).token;
    };
    tokens.A = await create(['--committee', A]);
    tokens.P = await create(['--committee', P]);
    tokens.Psubtree = await create(['--committee', P, '--subtree']);
  }, 180_000);

  afterAll(async () => {
    await tokenApi?.close();
    await stack?.stop(workflows, 'committee command line test done');
  });

  it("reads its own committee's cycles, and answers another committee's as one that does not exist", async () => {
    const list = await json<Array<{ cycleId: string }>>(tokens.A, ['cycle', 'list']);
    expect(list.map((c) => c.cycleId).filter((id) => id.includes(RUN))).toEqual([cycleOf(A)]);
    const status = await json<{ cycleId: string; parent: unknown; units: unknown[] }>(tokens.A, ['cycle', 'status', '--cycle', cycleOf(A)]);
    expect(status).toMatchObject({ cycleId: cycleOf(A), parent: { cycleId: cycleOf(P), unitCode: 'U001' } });
    expect(status.units).toHaveLength(2);
    const text = await as(tokens.A, ['cycle', 'status', '--cycle', cycleOf(A)]);
    expect(text.stdout).toContain(`A child cycle of ${cycleOf(P)} (unit U001)`);
    const show = await json<{ live: { obligations: Array<{ phase: string }> } }>(tokens.A, [
      'unit',
      'show',
      '--cycle',
      cycleOf(A),
      '--unit',
      'U001',
    ]);
    expect(show.live.obligations.map((o) => o.phase)).toEqual(['year-end-report']);
    expect((await json<{ units: unknown[] }>(tokens.A, ['units', 'list', '--cycle', cycleOf(A)])).units).toHaveLength(2);
    expect(await json<unknown[]>(tokens.A, ['inspection', 'list', '--cycle', cycleOf(A)])).toEqual([]);
    const overdue = await json<Array<{ cycleId: string }>>(tokens.A, ['overdue']);
    expect(overdue.every((r) => r.cycleId === cycleOf(A))).toBe(true);
    const stalled = await as(tokens.A, ['stalled', '--json']);
    expect(
      JSON.parse(stalled.stdout).stalls.every((s: { cycleId?: string }) => s.cycleId === cycleOf(A)),
      stalled.stderr,
    ).toBe(true);

    // A query that is not a whole number is the caller's error, named (api/routes/operator-views.ts).
    for (const [path, name] of [
      ['/api/v1/overdue?level=deux', 'level'],
      ['/api/v1/stalled?minAttempts=-1', 'minAttempts'],
    ] as const) {
      const res = await fetch(`${tokenBase}${path}`, { headers: { authorization: `Bearer ${tokens.A}` } });
      expect(res.status, path).toBe(400);
      expect(((await res.json()) as { error: string }).error, path).toMatch(new RegExp(`^${name} must be a whole number, not "`));
    }

    for (const other of [cycleOf(B), cycleOf(P)]) {
      for (const args of [
        ['cycle', 'status', '--cycle', other],
        ['cycle', 'export', '--cycle', other],
        ['unit', 'show', '--cycle', other, '--unit', 'U001'],
        ['units', 'list', '--cycle', other],
        ['records', 'list', '--cycle', other],
        ['inspection', 'list', '--cycle', other],
        ['overdue', '--cycle', other],
        ['stalled', '--cycle', other],
        ['report', 'figures', '--cycle', other],
        ['report', 'upward', 'draft', '--cycle', other],
      ]) {
        const r = await as(tokens.A, args);
        expect(r.code, args.join(' ')).toBe(1);
        expect(r.stderr, args.join(' ')).toMatch(new RegExp(`no (such )?cycle:? ${other}`));
      }
    }
  });

  it("acts on its own units through the API, audited under its committee, and on no one else's", async () => {
    const extended = await as(tokens.A, [
      ...['unit', 'extend', '--cycle', cycleOf(A), '--unit', 'U002', '--phase', 'year-end-report'],
      ...['--until', `${YEAR}-11-25`, '--reason', 'Đơn vị đang đại hội', '--actor', 'van-phong-a'],
    ]);
    expect(extended.code, extended.stderr).toBe(0);
    expect(extended.stdout).toContain(`Extended: U002 year-end-report now due ${YEAR}-11-25`);
    const { rows: audit } = await h.db.query(
      "SELECT committee_code, role, outcome FROM audit_log WHERE cycle_id = $1 AND action = 'extend'",
      [cycleOf(A)],
    );
    expect(audit).toEqual([{ committee_code: A, role: 'api', outcome: 'ok' }]);

    const refused = await as(tokens.A, [
      ...['unit', 'exempt', '--cycle', cycleOf(B), '--unit', 'U001', '--phase', 'year-end-report', '--reason', 'Thử vượt quyền'],
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`no cycle ${cycleOf(B)}`);
    expect((await h.db.query('SELECT count(*)::int AS n FROM audit_log WHERE cycle_id = $1', [cycleOf(B)])).rows[0].n).toBe(0);

    const record = JSON.stringify({ type: 'ke-hoach', number: '12-KH/ĐU', issuedOn: `${YEAR}-10-05`, title: 'Kế hoạch học tập' });
    const added = await as(tokens.A, [
      'records',
      'add',
      '--cycle',
      cycleOf(A),
      '--kind',
      'document',
      '--data',
      record,
      '--request-id',
      `rec-${RUN}-a`,
    ]);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/^Added: record \d+ \(document\)/);
    const listed = await json<{ records: Array<{ actor: string }> }>(tokens.A, ['records', 'list', '--cycle', cycleOf(A)]);
    expect(listed.records.map((r) => r.actor)).toEqual([`operator:${process.env.USER ?? 'operator'}`]);
    const intoB = await as(tokens.A, ['records', 'add', '--cycle', cycleOf(B), '--kind', 'document', '--data', record]);
    expect(intoB.code).toBe(1);
    expect((await h.db.query('SELECT count(*)::int AS n FROM committee_records WHERE cycle_id = $1', [cycleOf(B)])).rows[0].n).toBe(0);
  });

  it('repairs and re-links its own units only: a workflow of another committee named beside its own cycle is refused', async () => {
    const before = (await h.db.query('SELECT coalesce(max(id), 0)::int AS id FROM audit_log')).rows[0].id as number;
    const crossed = await as(tokens.A, [
      ...['cancel', '--cycle', cycleOf(A), '--workflow', unitWorkflowId(cycleOf(B), 'U001'), '--reason', 'Thử vượt quyền'],
    ]);
    expect(crossed.code).toBe(1);
    expect(crossed.stderr).toContain(`no cycle ${cycleOf(B)}`);
    expect((await h.db.query('SELECT count(*)::int AS n FROM audit_log WHERE id > $1', [before])).rows[0].n).toBe(0);
    expect((await h.client.workflow.getHandle(unitWorkflowId(cycleOf(B), 'U001')).describe()).status.name).toBe('RUNNING');

    // A bulk dry run lists what the deployment's own command lists, and does nothing.
    const dryRun = ['remind', '--cycle', cycleOf(A), '--all', '--phase', 'year-end-report', '--dry-run', '--json'];
    const preview = await json<{ units: Array<{ unitCode: string }> }>(tokens.A, dryRun.slice(0, -1));
    const local = await chuky(dryRun, deploymentEnv);
    expect(local.code, local.stderr).toBe(0);
    expect(preview).toEqual(JSON.parse(local.stdout));
    expect(preview.units.length).toBeGreaterThan(0);
    const extended = await json<{ ok: boolean; action: string }>(tokens.A, [
      ...['extend', '--cycle', cycleOf(A), '--unit', 'U001', '--phase', 'year-end-report', '--until', `${YEAR}-11-24`],
      ...['--reason', 'Đơn vị đề nghị', '--request-id', `ext-${RUN}-a1`],
    ]);
    expect(extended).toMatchObject({ ok: true, action: 'extend' });
    const { rows } = await h.db.query('SELECT committee_code, role FROM audit_log WHERE request_id = $1', [`ext-${RUN}-a1`]);
    expect(rows).toEqual([{ committee_code: A, role: 'api' }]);

    const revoked = await as(tokens.A, ['link', 'revoke', '--cycle', cycleOf(A), '--unit', 'U001', '--reason', 'Thư bị chuyển tiếp nhầm']);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toContain(`Revoked: links of U001 in ${cycleOf(A)}`);
    const issued = await json<{ url: string; unitCode: string }>(tokens.A, [
      'link',
      'issue',
      '--cycle',
      cycleOf(A),
      '--unit',
      'U001',
      '--phase',
      'year-end-report',
    ]);
    expect(issued.unitCode).toBe('U001');
    expect((await fetch(issued.url)).status).toBe(200);
    const other = await as(tokens.A, ['link', 'revoke', '--cycle', cycleOf(B), '--unit', 'U001', '--reason', 'Thử vượt quyền']);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain(`no cycle ${cycleOf(B)}`);
    expect((await h.db.query('SELECT count(*)::int AS n FROM link_revocations WHERE cycle_id = $1', [cycleOf(B)])).rows[0].n).toBe(0);
  });

  it("refuses what needs the deployment's keys, and a token that is not (or no longer) valid", async () => {
    for (const args of [['worker'], ['migrate'], ['api-token', 'list'], ['console', 'user', 'list'], ['doctor']]) {
      const r = await as(tokens.A, args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toContain(`\`chuky ${args.join(' ')}\` needs the deployment's own keys`);
    }
    const made = await as(`chuky_${'Z'.repeat(43)}`, ['cycle', 'list']);
    expect(made.code).toBe(1);
    expect(made.stderr).toContain("refused the committee's token (CHUKY_COMMITTEE_TOKEN)");
    const notAToken = await as('the-deployment-token', ['cycle', 'list']);
    expect(notAToken.code).toBe(2);
    expect(notAToken.stderr).toContain('CHUKY_COMMITTEE_TOKEN: not a committee token');
  });

  it('closes its own year, sends its report up, and compiles its review, all through the API', async () => {
    await submit(h.client, cycleOf(A), 'U001', {
      phase: 'year-end-report',
      payload: yearEnd(20, 19, 20, 'Một số đảng viên lớn tuổi chưa tham gia đầy đủ.'),
      actor: { id: 'unit:U001', via: 'api' },
      requestId: `ye-${RUN}-a1`,
    });
    await submit(h.client, cycleOf(A), 'U002', {
      phase: 'year-end-report',
      payload: yearEnd(57, 55, 56, 'Một số đảng viên lớn tuổi chưa tham gia đầy đủ.'),
      actor: { id: 'unit:U002', via: 'api' },
      requestId: `ye-${RUN}-a2`,
    });
    const closing = await as(tokens.A, ['cycle', 'close', '--cycle', cycleOf(A), '--reason', 'Kết thúc năm']);
    expect(closing.code, closing.stderr).toBe(0);
    expect(closing.stdout).toContain(`Closing cycle ${cycleOf(A)}`);
    await frozen(cycleOf(A));

    // A years' selection without a committee is the token's own committee's.
    const byYears = await json<Array<{ id: string; value: number }>>(tokens.A, ['report', 'figures', '--years', String(YEAR)]);
    const byCycle = await json<Array<{ id: string; value: number }>>(tokens.A, ['report', 'figures', '--cycle', cycleOf(A)]);
    expect(byYears).toEqual(byCycle);
    expect(byCycle.find((f) => f.id === 'unit.members')?.value).toBe(77);
    const otherYears = await as(tokens.A, ['report', 'figures', '--years', String(YEAR), '--committee', B]);
    expect(otherYears.code).toBe(1);
    expect(otherYears.stderr).toContain(`no committee ${B}`);

    const out = path.join(dir, 'bao-cao');
    const compiled = await as(tokens.A, ['report', 'compile', '--cycle', cycleOf(A), '--out', out]);
    expect(compiled.code, compiled.stderr).toBe(0);
    const docx = fs.readdirSync(out).find((f) => f.endsWith('.docx'));
    expect(docx).toBeDefined();
    expect(fs.readFileSync(path.join(out, docx!)).subarray(0, 2).toString()).toBe('PK');
    expect(compiled.stdout).toContain(path.join(out, docx!));

    const draftFile = path.join(dir, 'len-cap-tren.yaml');
    const drafted = await as(tokens.A, ['report', 'upward', 'draft', '--cycle', cycleOf(A), '--out', draftFile]);
    expect(drafted.code, drafted.stderr).toBe(0);
    const draft = fs.readFileSync(draftFile, 'utf8');
    expect(draft).toMatch(/\n {2}members: 77\n/);
    // Unconfirmed: refused at the file's line, as the local command does (exit 2), nothing stored.
    const unconfirmed = await as(tokens.A, ['report', 'upward', 'submit', '--cycle', cycleOf(A), '--file', draftFile]);
    expect(unconfirmed.code).toBe(2);
    const line = draft.split('\n').findIndex((l) => l.startsWith('confirmedBy:')) + 1;
    expect(unconfirmed.stderr).toContain(`${draftFile}:${line}: confirmedBy: Người xác nhận: chưa ghi`);
    fs.writeFileSync(draftFile, draft.replace(/^confirmedBy: .*$/m, 'confirmedBy: Lê Văn Bình, Phó Bí thư'));
    const sent = await json<{ parentCycleId: string; created: boolean }>(tokens.A, [
      ...['report', 'upward', 'submit', '--cycle', cycleOf(A), '--file', draftFile, '--actor', 'van-phong-a'],
    ]);
    expect(sent).toMatchObject({ parentCycleId: cycleOf(P), created: true });
    const { rows } = await h.db.query(
      "SELECT via FROM submissions WHERE cycle_id = $1 AND unit_code = 'U001' AND phase = 'year-end-report'",
      [cycleOf(P)],
    );
    expect(rows).toEqual([{ via: 'api' }]);
  });

  it("closes the province only as a recorded decision while a committee's cycle is open, and explains below only with the subtree", async () => {
    const refused = await as(tokens.P, ['cycle', 'close', '--cycle', cycleOf(P), '--reason', 'Kết thúc năm']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`child cycles still open: ${cycleOf(B)}`);
    const decided = await as(tokens.P, ['cycle', 'close', '--cycle', cycleOf(P), '--reason', 'Kết thúc năm', '--despite-open-children']);
    expect(decided.code, decided.stderr).toBe(0);
    await frozen(cycleOf(P));
    type Explained = { total: number; contributions: Array<{ unitCode?: string; below?: { childCycleId: string } }> };
    const own = await json<Explained>(tokens.P, ['report', 'explain', 'unit.members', '--cycle', cycleOf(P)]);
    const subtree = await json<Explained>(tokens.Psubtree, ['report', 'explain', 'unit.members', '--cycle', cycleOf(P)]);
    // The same figure for both; only the way down differs.
    expect(own.total).toBe(subtree.total);
    expect(own.contributions.length).toBe(subtree.contributions.length);
    expect(own.contributions.some((c) => c.below)).toBe(false);
    expect(subtree.contributions.flatMap((c) => (c.below ? [c.below.childCycleId] : []))).toEqual([cycleOf(A)]);
  });
});
