/**
 * One deployment, many committees (issue 17), over real HTTP on the real stack. The console: a user scoped to a
 * committee sees and acts on that committee only, on every declared route — a cycle of another committee is
 * answered 404 as one that does not exist, a repair naming one is refused before it runs (and leaves no audit
 * row), the lists (cycles, overdue, stalled, audit log, users) show only its own; a user granted the subtree sees
 * the committees under it too; the audit log records the committee. The route table is checked to be covered
 * whole, so a route added later without a scope rule fails here. The operator API: a committee's token
 * (`chuky api-token create`) gets 404 on every route naming another committee's cycle — every route the API has,
 * read from its route table — and lists its own cycles only; a revoked token and a wrong one get 401.
 */
import { cliEnvOf } from '../support/cli-env.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createConsole } from '../../console/app.js';
import { ROUTE_SCOPE } from '../../console/scope.js';
import { startCycle } from '../../cli/commands/cycle.js';
import { insertAuditEntry } from '../../db/audit-log.js';
import { getCycle } from '../../db/cycles.js';
import { cycleWorkflowId, unitWorkflowId } from '../../domain/ids.js';
import { freePort } from '../../stack/ports.js';
import { signInToConsole, type ConsoleSession } from '../support/console-session.js';
import { writeFixture } from '../support/fixtures.js';
import type { Harness } from '../support/harness.js';
import { startHarnessApi, startHarnessWithApi, type HarnessWithApi } from '../support/harness-api.js';
import { chuky, waitFor } from '../support/processes.js';

const QUEUE = 'it-console-scope';
const RUN = Date.now().toString(36).slice(-4).toUpperCase();
const YEAR = 2027;
const P = `ITSP${RUN}`;
const A = `ITSA${RUN}`;
const B = `ITSB${RUN}`;
const cycleOf = (code: string) => `${code}-${YEAR}`;

describe('console: each committee sees only its own', () => {
  const services = inject('services');
  let h: Harness;
  let stack: HarnessWithApi | undefined;
  let base = '';
  const workflows: string[] = [];
  let clerkA: ConsoleSession;
  let adminA: ConsoleSession;
  let province: ConsoleSession;
  let tokenApi: Awaited<ReturnType<typeof startHarnessApi>> | undefined;
  let tokenBase = '';
  const DEPLOYMENT_TOKEN = `deployment-token-${RUN}-0123456789abcdef`;

  const committee = (code: string, parentUnit?: string) =>
    writeFixture({
      code,
      year: YEAR,
      issuedOn: `${YEAR}-03-01`,
      deadline: `${YEAR}-03-${parentUnit ? '10' : '31'}`,
      units: 2,
      ...(parentUnit ? { parent: { committee: P, unit: parentUnit } } : {}),
    });

  beforeAll(async () => {
    stack = await startHarnessWithApi(QUEUE);
    h = stack.h;
    base = stack.base;
    // The province P, and two committees under it, A (its unit U001) and B (U002). A day lasts 30 s: each unit's
    // plan obligation is written within seconds, and its first reminder is minutes away.
    for (const [code, unit] of [
      [P, undefined],
      [A, 'U001'],
      [B, 'U002'],
    ] as const) {
      const started = await startCycle({
        db: h.db,
        client: h.client,
        taskQueue: QUEUE,
        configFile: committee(code, unit).file,
        secondsPerDay: 30,
      });
      workflows.push(started.workflowId, unitWorkflowId(started.cycleId, 'U001'), unitWorkflowId(started.cycleId, 'U002'));
    }
    expect((await getCycle(h.db, cycleOf(B)))?.parent).toEqual({ cycleId: cycleOf(P), unitCode: 'U002' });
    await waitFor(
      'the plan obligations of A and B',
      async () => {
        const { rows } = await h.db.query('SELECT count(*)::int AS n FROM obligations WHERE cycle_id = ANY($1)', [
          [cycleOf(A), cycleOf(B)],
        ]);
        return rows[0].n === 4;
      },
      60_000,
    );
    clerkA = await signInToConsole(base, h.db, { role: 'clerk', prefix: 'scope-clerk-a', committeeCode: A });
    adminA = await signInToConsole(base, h.db, { role: 'admin', prefix: 'scope-admin-a', committeeCode: A });
    province = await signInToConsole(base, h.db, { role: 'leader', prefix: 'scope-province', committeeCode: P, subtree: true });
    // The operator API as production serves it: closed without a token, CHUKY_API_TOKEN the deployment's.
    const tokenPort = await freePort();
    tokenBase = `http://127.0.0.1:${tokenPort}`;
    tokenApi = await startHarnessApi(h, tokenPort, { apiToken: DEPLOYMENT_TOKEN, requireApiToken: true });
  }, 120_000);

  afterAll(async () => {
    await tokenApi?.close();
    await stack?.stop(workflows, 'console scope test done');
  });

  it('has a scope rule for every declared route, and refuses to declare one without', () => {
    const console = createConsole({ db: h.db, client: h.client, namespace: 'default', taskQueue: QUEUE });
    const declared = console.router.routes.map((r) => `${r.method} ${r.path}`).sort();
    expect(declared).toEqual(Object.keys(ROUTE_SCOPE).sort());
    expect(() => console.router.get('/moi', 'cycle.view', (c) => c.text(''))).toThrow(/not in the scope table/);
  });

  const cyclePaths = (cycle: string) => [
    `/console/chu-ky/${cycle}`,
    `/console/chu-ky/${cycle}/bieu-do`,
    `/console/chu-ky/${cycle}/don-vi/U001`,
    `/console/chu-ky/${cycle}/don-vi/U001/ghi-nhan/plan`,
    `/console/chu-ky/${cycle}/bao-cao-len`,
  ];

  it("answers another committee's cycle as one that does not exist, on every route that names a cycle", async () => {
    const pathRoutes = Object.entries(ROUTE_SCOPE).filter(([, rule]) => rule === 'cycle-in-path');
    // Every such route is tried below (the live stream by its status only: it stays open).
    expect(pathRoutes.map(([k]) => k).sort()).toEqual(
      [
        ...[...cyclePaths(':cycle'), '/console/chu-ky/:cycle/truc-tiep'].map(
          (p) => `GET ${p.replace('/console', '').replace('/U001', '/:unit').replace('/plan', '/:phase')}`,
        ),
        'POST /chu-ky/:cycle/bao-cao-len',
      ].sort(),
    );
    for (const path of cyclePaths(cycleOf(A))) expect((await clerkA.get(path)).status, path).toBe(200);
    for (const other of [cycleOf(B), cycleOf(P), `NOPE${RUN}-${YEAR}`]) {
      for (const path of cyclePaths(other)) {
        const res = await clerkA.get(path);
        expect(res.status, path).toBe(404);
        const page = await res.text();
        expect(page).toContain('Không có chu kỳ này.');
        if (!other.startsWith('NOPE')) expect(page).not.toContain(`Đảng bộ Sở`);
      }
      // The report upward's form, sent to another committee's cycle: refused before anything runs.
      const posted = await clerkA.post(`/console/chu-ky/${other}/bao-cao-len`, { confirmedBy: 'X', editReason: '' });
      expect(posted.status).toBe(404);
      const live = await fetch(`${base}/console/chu-ky/${other}/truc-tiep`, { headers: { cookie: clerkA.cookie } });
      expect(live.status).toBe(404);
      await live.body?.cancel();
    }
    const ownLive = await fetch(`${base}/console/chu-ky/${cycleOf(A)}/truc-tiep`, { headers: { cookie: clerkA.cookie } });
    expect(ownLive.status).toBe(200);
    await ownLive.body?.cancel();
    // The province, granted its subtree, sees its committees' cycles and its own.
    for (const c of [P, A, B]) expect((await province.get(`/console/chu-ky/${cycleOf(c)}`)).status).toBe(200);
  });

  it("refuses every repair on another committee's cycle before it runs, and records none", async () => {
    const before = (await h.db.query('SELECT coalesce(max(id), 0)::int AS id FROM audit_log')).rows[0].id as number;
    const bodyRoutes = Object.entries(ROUTE_SCOPE)
      .filter(([, rule]) => rule === 'cycle-in-body')
      .map(([k]) => k.replace('POST ', ''));
    expect(bodyRoutes).toHaveLength(7);
    for (const path of bodyRoutes) {
      const form = { reason: 'Thử phạm vi', requestId: `scope-${RUN}-${path}`, phase: 'plan', until: `${YEAR}-04-30`, back: '/console/' };
      const targets: Array<Record<string, string>> = [
        { cycleId: cycleOf(B), unitCode: 'U001' },
        { workflowId: unitWorkflowId(cycleOf(B), 'U001') },
        { workflowId: cycleWorkflowId(cycleOf(P)) },
        // Its own cycle named, another's workflow acted on: the workflow's cycle is checked too.
        { cycleId: cycleOf(A), workflowId: unitWorkflowId(cycleOf(B), 'U001') },
        { cycleId: cycleOf(A), workflowId: 'not-a-chuky-workflow' },
        {},
      ];
      for (const target of targets) {
        const res = await adminA.post(`/console${path}`, { ...form, ...target });
        expect(res.status, `${path} ${JSON.stringify(target)}`).toBe(404);
      }
    }
    expect((await h.db.query('SELECT count(*)::int AS n FROM audit_log WHERE id > $1', [before])).rows[0].n).toBe(0);

    // On its own cycle the same repair runs, and the audit log records the committee.
    const own = await clerkA.post('/console/sua-chua/extend', {
      cycleId: cycleOf(A),
      unitCode: 'U002',
      phase: 'plan',
      until: `${YEAR}-03-20`,
      reason: 'Đơn vị đề nghị gia hạn',
      requestId: `scope-${RUN}-own`,
      back: '/console/',
    });
    expect(own.status).toBe(303);
    const { rows } = await h.db.query('SELECT committee_code, outcome FROM audit_log WHERE request_id = $1', [`scope-${RUN}-own`]);
    expect(rows).toEqual([{ committee_code: A, outcome: 'ok' }]);

    // The province's clerk, granted the subtree, reads B's progress but does not change B's year: 403, nothing run.
    const provinceClerk = await signInToConsole(base, h.db, { role: 'clerk', prefix: 'scope-pclerk', committeeCode: P, subtree: true });
    expect((await provinceClerk.get(`/console/chu-ky/${cycleOf(B)}`)).status).toBe(200);
    // Its pages offer no repair there, and do on its own cycle.
    expect(await (await provinceClerk.get(`/console/chu-ky/${cycleOf(B)}/don-vi/U001`)).text()).not.toContain('data-action="extend"');
    expect(await (await provinceClerk.get(`/console/chu-ky/${cycleOf(P)}/don-vi/U001`)).text()).toContain('data-action="extend"');
    const onB = await provinceClerk.post('/console/sua-chua/extend', {
      cycleId: cycleOf(B),
      unitCode: 'U001',
      phase: 'plan',
      until: `${YEAR}-03-20`,
      reason: 'Cấp trên gia hạn thay',
      requestId: `scope-${RUN}-province-on-b`,
      back: '/console/',
    });
    expect(onB.status).toBe(403);
    expect(await onB.text()).toContain('cấp trên được xem tiến độ, việc thay đổi do cấp ủy đó thực hiện');
    expect((await provinceClerk.post(`/console/chu-ky/${cycleOf(B)}/bao-cao-len`, { confirmedBy: 'X' })).status).toBe(403);
    expect(
      (await h.db.query('SELECT count(*)::int AS n FROM audit_log WHERE request_id = $1', [`scope-${RUN}-province-on-b`])).rows[0].n,
    ).toBe(0);
  });

  it('lists only its own cycles, overdue units and audit entries', async () => {
    const home = await (await clerkA.get('/console/')).text();
    expect(home).toContain(`data-cycle="${cycleOf(A)}"`);
    expect(home).not.toContain(`data-cycle="${cycleOf(B)}"`);
    expect(home).not.toContain(`data-cycle="${cycleOf(P)}"`);
    const provinceHome = await (await province.get('/console/')).text();
    for (const c of [P, A, B]) expect(provinceHome).toContain(`data-cycle="${cycleOf(c)}"`);
    // As the tree: the province's cycle, then its committees' indented under it; for A's clerk, A's at the top.
    const row = (page: string, c: string) =>
      new RegExp(`data-cycle="${cycleOf(c)}"><td data-label="Chu kỳ" class="depth-(\\d)"`).exec(page)?.[1];
    expect([P, A, B].map((c) => row(provinceHome, c))).toEqual(['0', '1', '1']);
    expect(provinceHome.indexOf(`data-cycle="${cycleOf(P)}"`)).toBeLessThan(provinceHome.indexOf(`data-cycle="${cycleOf(A)}"`));
    expect(row(home, A)).toBe('0');

    // One overdue unit in A and one in B.
    await h.db.query(
      "UPDATE obligations SET status = 'overdue', escalation_level = 1 WHERE cycle_id = ANY($1) AND unit_code = 'U001' AND phase = 'plan'",
      [[cycleOf(A), cycleOf(B)]],
    );
    const overdue = await (await clerkA.get('/console/qua-han')).text();
    expect(overdue).toContain(cycleOf(A));
    expect(overdue).not.toContain(cycleOf(B));
    expect(await (await province.get('/console/qua-han')).text()).toContain(cycleOf(B));
    // Asking for B's by name gives nothing either.
    expect(await (await clerkA.get(`/console/qua-han?chu-ky=${cycleOf(B)}`)).text()).not.toContain(`/console/chu-ky/${cycleOf(B)}`);

    for (const c of [A, B])
      await insertAuditEntry(h.db, {
        actor: 'operator:test',
        role: 'operator',
        action: 'extend',
        cycleId: cycleOf(c),
        unitCode: 'U001',
        phase: 'plan',
        workflowId: null,
        reason: `Nhật ký của ${c}`,
        details: {},
        outcome: 'ok',
        message: null,
        requestId: `scope-audit-${RUN}-${c}`,
      });
    const audit = await (await clerkA.get('/console/nhat-ky')).text();
    expect(audit).toContain(`Nhật ký của ${A}`);
    expect(audit).not.toContain(`Nhật ký của ${B}`);
    const { rows } = await h.db.query('SELECT committee_code FROM audit_log WHERE request_id = $1', [`scope-audit-${RUN}-${B}`]);
    expect(rows).toEqual([{ committee_code: B }]);
    // A repair's result banner is an audit entry too: B's is not shown to A, even by its id.
    const { rows: idRows } = await h.db.query('SELECT id FROM audit_log WHERE request_id = $1', [`scope-audit-${RUN}-${B}`]);
    expect(await (await clerkA.get(`/console/qua-han?ket-qua=${idRows[0].id}`)).text()).not.toContain('repair-result');
  });

  it('lists only the stalled workflows of its own cycles', async () => {
    // A workflow type no worker has: its task fails on every attempt, a stall of the cycle its id names.
    for (const c of [A, B]) {
      const workflowId = unitWorkflowId(cycleOf(c), 'U099');
      workflows.push(workflowId);
      await h.client.workflow.start('noSuchWorkflowType', { taskQueue: QUEUE, workflowId, args: [] });
    }
    const stalledPage = () => province.get('/console/bi-ket').then((r) => r.text());
    await waitFor(
      'both stalls on the province’s page',
      async () => {
        const page = await stalledPage();
        return page.includes(unitWorkflowId(cycleOf(A), 'U099')) && page.includes(unitWorkflowId(cycleOf(B), 'U099'));
      },
      90_000,
      2_000,
    );
    const page = await (await clerkA.get('/console/bi-ket')).text();
    expect(page).toContain(unitWorkflowId(cycleOf(A), 'U099'));
    expect(page).not.toContain(unitWorkflowId(cycleOf(B), 'U099'));
  });

  it('lets a scoped admin see and manage only the users of its own committees', async () => {
    const userB = await signInToConsole(base, h.db, { role: 'clerk', prefix: 'scope-clerk-b', committeeCode: B });
    const users = await (await adminA.get('/console/nguoi-dung')).text();
    expect(users).toContain(`data-user="${clerkA.username}"`);
    expect(users).not.toContain(`data-user="${userB.username}"`);
    expect(users).not.toContain(`data-user="${province.username}"`);

    const add = (committee: string, username: string) =>
      adminA.post('/console/nguoi-dung/them', { username, name: 'Người Mới', role: 'clerk', password: 'mat-khau-du-dai-2027', committee });
    const refused = await add(B, `scope-new-b-${RUN.toLowerCase()}`);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('Chỉ thêm được người dùng thuộc cấp ủy trong phạm vi của bạn.');
    expect((await add('', `scope-new-all-${RUN.toLowerCase()}`)).status).toBe(400);
    expect((await add(A, `scope-new-a-${RUN.toLowerCase()}`)).status).toBe(200);
    const { rows } = await h.db.query('SELECT username, committee_code FROM console_users WHERE username LIKE $1 ORDER BY username', [
      `scope-new-%-${RUN.toLowerCase()}`,
    ]);
    expect(rows).toEqual([{ username: `scope-new-a-${RUN.toLowerCase()}`, committee_code: A }]);

    // Disabling B's clerk: answered as no such user, and B's clerk keeps working.
    const disable = await adminA.post('/console/nguoi-dung/khoa', { username: userB.username });
    expect(disable.status).toBe(400);
    expect(await disable.text()).toContain(`Không có người dùng &quot;${userB.username}&quot;`);
    expect((await userB.get(`/console/chu-ky/${cycleOf(B)}`)).status).toBe(200);
  });

  describe('the operator API', () => {
    const cliEnv = () => cliEnvOf(services, QUEUE);
    const create = async (args: string[]) => {
      const r = await chuky(['api-token', 'create', '--name', 'Phần mềm của cấp ủy', '--json', ...args], cliEnv());
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { id: number; token: string; committeeCode: string; subtree: boolean };
    };
    const call = (token: string, method: string, path: string) =>
      fetch(`${tokenBase}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(method === 'GET' ? {} : { 'content-type': 'application/json' }) },
        ...(method === 'GET' ? {} : { body: '{}' }),
      });

    it("answers every route naming another committee's cycle as if it did not exist", async () => {
      const tokenA = await create(['--committee', A]);
      expect(tokenA).toMatchObject({ committeeCode: A, subtree: false });
      expect(tokenA.token).toMatch(/^chuky_[A-Za-z0-9_-]{43}$/);
      const { rows } = await h.db.query('SELECT token_sha256 FROM api_tokens WHERE id = $1', [tokenA.id]);
      expect(rows[0].token_sha256).not.toContain(tokenA.token.slice(6, 20));

      const { createApp } = await import('../../api/server.js');
      const routes = createApp({ db: h.db, client: h.client, signingSecret: 'x'.repeat(32) })
        .routes.filter((r) => r.method !== 'ALL' && r.path.startsWith('/api/v1/cycles/:cycle'))
        .map((r) => ({ method: r.method, path: r.path.replace('/api/v1', '') }));
      expect(routes.length).toBeGreaterThanOrEqual(12);
      const fill = (path: string, cycle: string) =>
        path
          .replace(':cycle', cycle)
          .replace(':unit', 'U001')
          .replace(':kind', 'document')
          .replace(':id', '1')
          .replace(':name', 'kiem-tra')
          .replace(':action', 'schedule');
      const before = (await h.db.query('SELECT coalesce(max(id), 0)::int AS id FROM audit_log')).rows[0].id as number;
      for (const r of routes) {
        for (const other of [cycleOf(B), cycleOf(P)]) {
          const res = await call(tokenA.token, r.method, fill(r.path, other));
          expect(res.status, `${r.method} ${r.path} on ${other}`).toBe(404);
          expect(await res.json()).toEqual({ error: `no cycle ${other}` });
        }
      }
      expect((await h.db.query('SELECT count(*)::int AS n FROM audit_log WHERE id > $1', [before])).rows[0].n).toBe(0);
      expect((await call(tokenA.token, 'GET', `/cycles/${cycleOf(A)}/status`)).status).toBe(200);
      const list = (await (await call(tokenA.token, 'GET', '/cycles')).json()) as Array<{ id: string }>;
      expect(list.map((c) => c.id).filter((id) => id.includes(RUN))).toEqual([cycleOf(A)]);

      // The province's token, granted its subtree, and the deployment's token see B's cycle.
      const provinceToken = await create(['--committee', P, '--subtree']);
      expect((await call(provinceToken.token, 'GET', `/cycles/${cycleOf(B)}/status`)).status).toBe(200);
      // …and reads it only: every write naming B is refused before it runs, with no audit row.
      const writes = routes.filter((r) => r.method !== 'GET');
      expect(writes.length).toBeGreaterThanOrEqual(8);
      const beforeWrites = (await h.db.query('SELECT coalesce(max(id), 0)::int AS id FROM audit_log')).rows[0].id as number;
      for (const r of writes) {
        const res = await call(provinceToken.token, r.method, fill(r.path, cycleOf(B)));
        expect(res.status, `${r.method} ${r.path}`).toBe(403);
        expect(((await res.json()) as { error: string }).error).toContain('its changes are its own committee');
      }
      const repair = await fetch(`${tokenBase}/api/v1/repairs/cancel`, {
        method: 'POST',
        headers: { authorization: `Bearer ${provinceToken.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ workflowId: unitWorkflowId(cycleOf(B), 'U001'), reason: 'Cấp trên hủy thay' }),
      });
      expect(repair.status).toBe(403);
      expect((await h.db.query('SELECT count(*)::int AS n FROM audit_log WHERE id > $1', [beforeWrites])).rows[0].n).toBe(0);
      expect((await call(DEPLOYMENT_TOKEN, 'GET', `/cycles/${cycleOf(B)}/status`)).status).toBe(200);
    });

    it('refuses a revoked token and a made-up one with the same 401', async () => {
      const t = await create(['--committee', A]);
      expect((await call(t.token, 'GET', '/cycles')).status).toBe(200);
      const revoked = await chuky(['api-token', 'revoke', '--id', String(t.id)], cliEnv());
      expect(revoked.code, revoked.stderr).toBe(0);
      for (const token of [t.token, `chuky_${'A'.repeat(43)}`, 'not-a-token']) {
        const res = await call(token, 'GET', `/cycles/${cycleOf(A)}/status`);
        expect(res.status).toBe(401);
        expect(await res.json()).toEqual({ error: 'unauthorized: send Authorization: Bearer <CHUKY_API_TOKEN>' });
      }
      const listed = await chuky(['api-token', 'list', '--json'], cliEnv());
      const row = (JSON.parse(listed.stdout) as Array<{ id: number; revokedAt: string | null }>).find((r) => r.id === t.id);
      expect(row?.revokedAt).toBeTruthy();
      expect(listed.stdout).not.toContain(t.token);
    });
  });
});
