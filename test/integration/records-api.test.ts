/**
 * The committee's own records over HTTP (the operator API behind its bearer token) and from the `chuky` CLI, on
 * the real PostgreSQL: add (idempotent by request id), list by kind, soft delete with who and why, and refusals
 * with Vietnamese per-field messages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { createPool, type Db } from '../../db/pool.js';
import { registerCycle } from '../../db/cycles.js';
import { loadCycleFile } from '../../config/cycle.js';
import { REAL_CLOCK } from '../../domain/clock.js';
import { startApi } from '../../api/server.js';
import { writeFixture } from '../support/fixtures.js';
import { chuky } from '../support/processes.js';

const TOKEN = 'records-test-token';

describe('committee records API', () => {
  const services = inject('services');
  let db: Db;
  let connection: Connection;
  let api: Awaited<ReturnType<typeof startApi>>;
  const cycleId = 'ITREC-2027';

  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${api.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });

  const plan = { type: 'ke-hoach', number: '64-KH/ĐUK', issuedOn: '2027-01-10', title: 'Kế hoạch học tập và làm theo năm 2027' };

  beforeAll(async () => {
    db = createPool(services.databaseUrl);
    connection = await Connection.connect({ address: services.temporalAddress });
    const fx = writeFixture({ code: 'ITREC', issuedOn: '2027-01-10', deadline: '2027-02-15', units: 1 });
    const loaded = loadCycleFile(fx.file);
    await registerCycle(db, { id: cycleId, definition: loaded.definition, units: loaded.units, clock: REAL_CLOCK });
    api = await startApi({ db, client: new Client({ connection }), signingSecret: 'k'.repeat(40), apiToken: TOKEN }, 0);
  });

  afterAll(async () => {
    await api?.close();
    await db?.end();
    await connection?.close();
  });

  it('adds a record once per request id, lists it by kind, and deletes it softly', async () => {
    expect((await fetch(`${api.url}/api/v1/cycles/${cycleId}/records`)).status).toBe(401);

    const first = await call('POST', `/cycles/${cycleId}/records/document`, {
      ...plan,
      title: `  ${plan.title.normalize('NFD')} `,
      requestId: 'rec-plan-0001',
      actor: 'Trần Văn Thư',
    });
    expect(first.status).toBe(201);
    const created = (await first.json()) as { created: boolean; record: { id: number; kind: string; payload: unknown; actor: string } };
    expect(created).toMatchObject({ created: true, record: { kind: 'document', payload: plan, actor: 'operator:Trần Văn Thư' } });

    // The same request again (a retry): the same record, not a second one.
    const retry = await call('POST', `/cycles/${cycleId}/records/document`, { ...plan, requestId: 'rec-plan-0001', actor: 'Trần Văn Thư' });
    expect(retry.status).toBe(200);
    expect(await retry.json()).toMatchObject({ created: false, record: { id: created.record.id } });
    // The same request id with another record is refused rather than silently dropped.
    const clash = await call('POST', `/cycles/${cycleId}/records/document`, { ...plan, number: '65-KH/ĐUK', requestId: 'rec-plan-0001' });
    expect(clash.status).toBe(409);
    expect(((await clash.json()) as { error: string }).error).toContain('đã được dùng cho một hồ sơ khác');

    // The Idempotency-Key header works as the request id.
    const conference = {
      heldOn: '2027-03-15',
      theme: 'Chuyên đề năm 2027',
      online: true,
      connectionPoints: 102,
      attendees: 4320,
      kind: 'chuyen-de-hang-nam',
    };
    const conf = await call('POST', `/cycles/${cycleId}/records/conference`, conference, { 'idempotency-key': 'rec-conf-0001' });
    expect(conf.status).toBe(201);

    const all = (await (await call('GET', `/cycles/${cycleId}/records`)).json()) as { records: { id: number; kind: string }[] };
    expect(all.records.map((r) => r.kind)).toEqual(['document', 'conference']);
    const docs = (await (await call('GET', `/cycles/${cycleId}/records?kind=document`)).json()) as {
      kind: string;
      records: { id: number }[];
    };
    expect(docs.records.map((r) => r.id)).toEqual([created.record.id]);
    expect((await call('GET', `/cycles/${cycleId}/records?kind=meeting`)).status).toBe(400);

    const del = await call('DELETE', `/cycles/${cycleId}/records/${created.record.id}`, { actor: 'Trần Văn Thư', reason: 'Nhập nhầm' });
    expect(del.status).toBe(200);
    expect(await del.json()).toMatchObject({ deleted: true, alreadyDeleted: false });
    const left = (await (await call('GET', `/cycles/${cycleId}/records`)).json()) as { records: { kind: string }[] };
    expect(left.records.map((r) => r.kind)).toEqual(['conference']);
    expect(await (await call('DELETE', `/cycles/${cycleId}/records/${created.record.id}`)).json()).toMatchObject({ alreadyDeleted: true });
    const { rows } = await db.query('SELECT deleted_at, deleted_by, deleted_reason FROM committee_records WHERE id = $1', [
      created.record.id,
    ]);
    expect(rows[0]).toMatchObject({ deleted_by: 'operator:Trần Văn Thư', deleted_reason: 'Nhập nhầm' });
    expect(rows[0].deleted_at).toBeInstanceOf(Date);
    expect((await call('DELETE', `/cycles/${cycleId}/records/999999999`)).status).toBe(404);
    expect((await call('DELETE', `/cycles/${cycleId}/records/abc`)).status).toBe(400);
  });

  it('refuses bad input with 400 and Vietnamese messages per field, and stores nothing', async () => {
    const before = (await db.query('SELECT count(*)::int AS n FROM committee_records WHERE cycle_id = $1', [cycleId])).rows[0].n;
    const bad = await call('POST', `/cycles/${cycleId}/records/conference`, {
      heldOn: '2027-02-30',
      theme: '',
      online: 'có',
      connectionPoints: -1,
      attendees: 10,
      kind: 'khac',
      requestId: 'rec-bad-00001',
    });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: string; fields: Record<string, string>; issues: { field: string; message: string }[] };
    expect(body.fields).toEqual({
      heldOn: 'Ngày tổ chức: ngày không hợp lệ, cần dạng năm-tháng-ngày (YYYY-MM-DD)',
      theme: 'Chuyên đề, nội dung: không được để trống',
      online: 'Trực tuyến: cần là true (có) hoặc false (không)',
      connectionPoints: 'Số điểm cầu: không được là số âm',
    });
    expect(body.error).toMatch(/^Dữ liệu không hợp lệ: /);

    const noId = await call('POST', `/cycles/${cycleId}/records/charity`, { description: 'Quỹ Vì người nghèo', amountVnd: 1000 });
    expect(noId.status).toBe(400);
    expect(((await noId.json()) as { fields: Record<string, string> }).fields.requestId).toContain('Mã yêu cầu');
    const kind = await call('POST', `/cycles/${cycleId}/records/meeting`, { requestId: 'rec-kind-00001' });
    expect(((await kind.json()) as { fields: Record<string, string> }).fields.kind).toContain('Loại hồ sơ không hợp lệ');
    const notJson = await call('POST', `/cycles/${cycleId}/records/charity`, '{not json');
    expect(notJson.status).toBe(400);
    const typo = await call('POST', `/cycles/${cycleId}/records/contest`, {
      name: 'Cuộc thi',
      heldOn: '2027-08-01',
      participant: 5,
      requestId: 'rec-typo-00001',
    });
    expect(((await typo.json()) as { fields: Record<string, string> }).fields).toEqual({
      participants: 'Số người tham gia: không được để trống',
      participant: 'Trường "participant" không có trong loại hồ sơ này (kiểm tra chính tả)',
    });
    expect(
      (await call('POST', '/cycles/NO-SUCH-2027/records/charity', { description: 'Quỹ', amountVnd: 1, requestId: 'rec-nocycle-01' }))
        .status,
    ).toBe(404);
    expect((await db.query('SELECT count(*)::int AS n FROM committee_records WHERE cycle_id = $1', [cycleId])).rows[0].n).toBe(before);
  });

  it.each([
    ['units'],
    ['units', 'import'],
    ['units', 'list'],
    ['units', 'remove'],
    ['link'],
    ['link', 'revoke'],
    ['link', 'issue'],
    ['records'],
    ['records', 'add'],
    ['records', 'list'],
    ['records', 'delete'],
  ])('chuky %s … --help', async (...cmd) => {
    const r = await chuky([...cmd, '--help'], {});
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: chuky/m);
  });

  it('works from the CLI: add (idempotent), list, delete, and a refused record exits 2', async () => {
    const env = { TEMPORAL_ADDRESS: services.temporalAddress, DATABASE_URL: services.databaseUrl, SMTP_URL: services.smtpUrl };
    const data = JSON.stringify({ name: 'Cuộc thi tìm hiểu 95 năm Ngày thành lập Đảng', heldOn: '2027-08-01', participants: 1500 });
    const add = await chuky(
      ['records', 'add', '--cycle', cycleId, '--kind', 'contest', '--data', data, '--request-id', 'cli-contest-0001', '--json'],
      env,
    );
    expect(add.stderr).toBe('');
    const added = JSON.parse(add.stdout) as { created: boolean; record: { id: number } };
    expect(added.created).toBe(true);
    const again = JSON.parse(
      (
        await chuky(
          ['records', 'add', '--cycle', cycleId, '--kind', 'contest', '--data', data, '--request-id', 'cli-contest-0001', '--json'],
          env,
        )
      ).stdout,
    );
    expect(again).toMatchObject({ created: false, record: { id: added.record.id } });

    const list = JSON.parse((await chuky(['records', 'list', '--cycle', cycleId, '--kind', 'contest', '--json'], env)).stdout) as {
      records: { id: number }[];
    };
    expect(list.records.map((r) => r.id)).toEqual([added.record.id]);
    const text = await chuky(['records', 'list', '--cycle', cycleId], env);
    expect(text.stdout).toContain('Cuộc thi tìm hiểu 95 năm Ngày thành lập Đảng, 1500 người tham gia');

    const bad = await chuky(
      ['records', 'add', '--cycle', cycleId, '--kind', 'charity', '--data', '{"description":"Quỹ","amountVnd":-1}'],
      env,
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--data: amountVnd: Số tiền (đồng): không được là số âm');

    const del = await chuky(['records', 'delete', '--cycle', cycleId, '--id', String(added.record.id), '--reason', 'Trùng'], env);
    expect(del.code).toBe(0);
    expect(del.stdout).toContain(`Deleted: record ${added.record.id}`);
    const after = JSON.parse((await chuky(['records', 'list', '--cycle', cycleId, '--kind', 'contest', '--json'], env)).stdout) as {
      records: unknown[];
    };
    expect(after.records).toEqual([]);
  });
});
