/**
 * The seed history fixture on the real PostgreSQL: three frozen cycles whose snapshots sum to the seed report's
 * figures (demo-data/seed-figures.ts), every payload one the phase schemas accept, all text NFC, written
 * once per cycle id and the same for the same options.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CycleDefinitionSchema } from '../../config/cycle.js';
import { loadFrozenSnapshot, type FrozenDataset } from '../../db/frozen.js';
import { createPool, type Db } from '../../db/pool.js';
import { phaseSpec } from '../../domain/phases/index.js';
import type { InspectionPayload } from '../../domain/phases/inspection.js';
import type { ModelsPayload } from '../../domain/phases/models.js';
import type { PledgePayload } from '../../domain/phases/pledge.js';
import type { StudyMakeupPayload } from '../../domain/phases/study-makeup.js';
import type { StudyPayload } from '../../domain/phases/study.js';
import type { YearEndReportPayload } from '../../domain/phases/year-end-report.js';
import { isUnderTarget } from '../../domain/phases/common.js';
import { parseRecord } from '../../domain/records.js';
import * as F from '../../demo-data/seed-figures.js';
import { writeSeedHistory } from '../../demo-data/seed-history.js';

const CODE = 'SEEDT';
const OTHER = 'SEEDU';
type Unit = FrozenDataset['units'][number];
type Rec = FrozenDataset['committeeRecords'][number];

/** As the brief for the compiler says: lower case, no quotes or punctuation, no leading "chuyên đề". */
const normaliseTopic = (topic: string): string =>
  topic
    .normalize('NFC')
    .toLowerCase()
    .replace(/[“”"'‘’.,;:!?()]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^chuyên đề\s+/, '')
    .trim();

const payload = <T>(u: Unit, phase: string): T | undefined => u.phases[phase]?.submission?.payload as T | undefined;
const yearEnd = (u: Unit): YearEndReportPayload['figures'] => {
  const p = payload<YearEndReportPayload>(u, 'year-end-report');
  if (!p) throw new Error(`${u.code} has no year-end report`);
  return p.figures;
};
const total = (list: number[]): number => list.reduce((s, v) => s + v, 0);

/** Every string in a JSON value. */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) strings(v, out);
  return out;
}

describe('seed history fixture', () => {
  const services = inject('services');
  let db: Db;
  let first: { cycleIds: string[]; created: boolean[] };
  let elapsedMs = 0;
  const years = new Map<F.SeedYear, FrozenDataset>();
  const data = (y: F.SeedYear): FrozenDataset => {
    const d = years.get(y);
    if (!d) throw new Error(`no snapshot for ${y}`);
    return d;
  };
  const records = (y: F.SeedYear, kind: string): Rec['payload'][] =>
    data(y)
      .committeeRecords.filter((r) => r.kind === kind)
      .map((r) => r.payload);
  const allRecords = (kind: string): Record<string, unknown>[] =>
    F.SEED_YEARS.flatMap((y) => records(y, kind) as Record<string, unknown>[]);

  beforeAll(async () => {
    db = createPool(services.databaseUrl);
    const started = Date.now();
    first = await writeSeedHistory(db, { committeeCode: CODE });
    elapsedMs = Date.now() - started;
    for (const [i, id] of first.cycleIds.entries()) {
      const snapshot = await loadFrozenSnapshot(db, id);
      if (!snapshot) throw new Error(`${id} has no frozen snapshot`);
      years.set(F.SEED_YEARS[i] as F.SeedYear, snapshot.data);
    }
  });

  afterAll(async () => {
    await db?.end();
  });

  it('writes three closed, frozen cycles with valid definitions, in seconds', async () => {
    expect(first).toEqual({ cycleIds: [`${CODE}-2021`, `${CODE}-2022`, `${CODE}-2023`], created: [true, true, true] });
    expect(elapsedMs).toBeLessThan(30_000);
    const { rows } = await db.query(
      'SELECT id, committee_code, year, status, closed_at, frozen_at, definition FROM cycles WHERE committee_code = $1 ORDER BY year',
      [CODE],
    );
    expect(rows.map((r) => r.id)).toEqual(first.cycleIds);
    for (const r of rows) {
      expect(r.status).toBe('closed');
      expect(r.closed_at).toBeInstanceOf(Date);
      expect(r.frozen_at).toBeInstanceOf(Date);
      expect(new Date(r.frozen_at).getTime()).toBeGreaterThanOrEqual(Date.parse(`${r.year + 1}-01-10T00:00:00+07:00`));
      const def = CycleDefinitionSchema.parse(r.definition);
      expect(def).toMatchObject({
        year: r.year,
        committee: { code: CODE, superior: F.SEED_COMMITTEE.superior, name: F.SEED_COMMITTEE.name, documentCode: 'ĐUK' },
      });
      expect(def.plan).toMatchObject(F.CYCLE_PLANS[r.year as F.SeedYear]);
      for (const p of def.phases) expect([p.opensOn.slice(0, 4), p.deadline.slice(0, 4)]).toEqual([String(r.year), String(r.year)]);
    }
    // The bloc grows; codes are stable across years.
    expect(F.SEED_YEARS.map((y) => data(y).units.length)).toEqual([F.FIXTURE_UNITS[2021], F.FIXTURE_UNITS[2022], F.FIXTURE_UNITS[2023]]);
    const codes2023 = new Set(data(2023).units.map((u) => u.code));
    for (const u of data(2021).units) expect(codes2023.has(u.code)).toBe(true);
    for (const y of F.SEED_YEARS) {
      for (const u of data(y).units) {
        expect(u.members).toBeGreaterThanOrEqual(10);
        expect(u.members).toBeLessThanOrEqual(200);
      }
    }
    // The units the seed names are there, under its names.
    const names = new Set(data(2023).units.map((u) => u.name));
    for (const n of [
      'Đảng bộ Công ty Điện lực Hà Tĩnh',
      'Đảng bộ Bưu điện tỉnh Hà Tĩnh',
      'Đảng bộ Công ty Cổ phần Dược Hà Tĩnh',
      'Đảng bộ Báo Hà Tĩnh',
      'Đảng bộ Sở Y tế',
      'Đảng bộ Viễn thông Hà Tĩnh',
      'Đảng bộ Trường THPT Chuyên Hà Tĩnh',
      'Chi bộ Cơ quan Hội Chữ thập đỏ tỉnh',
      'Đảng bộ Liên đoàn Lao động tỉnh',
      'Đảng bộ Công ty Cổ phần Cấp nước Hà Tĩnh',
      ...F.NAMED_UNIT_TOPICS.map((t) => t.name),
    ]) {
      expect(names.has(n), n).toBe(true);
    }
  });

  it('sums members, study after make-up, personal plans and pledges to the seed', () => {
    let kept = 0;
    let violated = 0;
    let memberYears = 0;
    for (const y of F.SEED_YEARS) {
      const units = data(y).units;
      const ye = units.map(yearEnd);
      expect(total(ye.map((f) => f.members))).toBe(F.MEMBERS[y]);
      expect(total(units.map((u) => u.members))).toBe(F.MEMBERS[y]);
      expect(total(ye.map((f) => f.studied))).toBe(F.STUDIED[y]);
      const share = F.STUDIED[y] / F.MEMBERS[y];
      expect(share).toBeGreaterThanOrEqual(0.98);
      expect(share).toBeLessThan(1);
      let makeups = 0;
      for (const u of units) {
        const study = payload<StudyPayload>(u, 'study');
        const makeup = payload<StudyMakeupPayload>(u, 'study-makeup');
        const pledge = payload<PledgePayload>(u, 'pledge');
        if (!study || !pledge) throw new Error(`${u.code} lacks study or pledge`);
        const under = isUnderTarget(study.studied, study.members, F.STUDY_TARGET_PERCENT);
        // A unit under target at the study phase owes, and reports, a make-up session; no other unit does.
        expect(Boolean(makeup), u.code).toBe(under);
        expect(u.phases['study-makeup'] !== undefined).toBe(under);
        if (makeup) {
          makeups++;
          expect(makeup.studiedTotal).toBeGreaterThan(study.studied);
        }
        expect(yearEnd(u).studied).toBe(makeup ? makeup.studiedTotal : study.studied);
        expect(pledge.withPersonalPlan).toBe(u.members);
        const f = yearEnd(u);
        expect(f.withPersonalPlan).toBe(f.members);
        expect(f.keptPledge).toBe(f.withPersonalPlan - f.violatedPledge);
      }
      expect(makeups).toBeGreaterThan(3);
      expect(makeups).toBeLessThan(units.length / 4);
      expect(total(ye.map((f) => f.violatedPledge))).toBe(F.VIOLATED_PLEDGE[y]);
      expect(total(ye.map((f) => f.keptPledge))).toBe(F.KEPT_PLEDGE[y]);
      kept += total(ye.map((f) => f.keptPledge));
      violated += total(ye.map((f) => f.violatedPledge));
      memberYears += total(ye.map((f) => f.withPersonalPlan));
    }
    expect(violated).toBe(F.VIOLATED_PLEDGE_TOTAL);
    expect(kept).toBe(F.KEPT_PLEDGE_TOTAL);
    expect(memberYears).toBe(F.MEMBER_YEARS_TOTAL);
    expect(kept / memberYears).toBeGreaterThan(F.KEPT_PLEDGE_MIN_SHARE);
  });

  it('has exactly 80 units with “Tự soi, tự sửa” in 2022 and 2023, spelt in several ways, and the seed’s named topics', () => {
    const target = normaliseTopic(F.TU_SOI_TU_SUA_TOPIC);
    for (const y of F.SEED_YEARS) {
      const topics = data(y)
        .units.map((u) => payload<StudyPayload>(u, 'study')?.discussionTopic)
        .filter((t): t is string => typeof t === 'string');
      const tuSoi = topics.filter((t) => normaliseTopic(t) === target);
      expect(tuSoi.length, String(y)).toBe(F.TU_SOI_TU_SUA_UNITS[y]);
      if (tuSoi.length) expect(new Set(tuSoi).size).toBeGreaterThanOrEqual(4);
      for (const named of F.NAMED_UNIT_TOPICS) {
        const u = data(y).units.find((x) => x.code === named.code);
        expect(u?.name).toBe(named.name);
        expect(payload<StudyPayload>(u as Unit, 'study')?.discussionTopic).toBe(named.topic);
      }
    }
  });

  it('counts 72 models, the year-end figure equal to the models entries, and one unit exempted each year', () => {
    let all = 0;
    for (const y of F.SEED_YEARS) {
      let entries = 0;
      let built = 0;
      for (const u of data(y).units) {
        const models = payload<ModelsPayload>(u, 'models');
        const n = models?.models.length ?? 0;
        expect(yearEnd(u).modelsBuilt, u.code).toBe(n);
        expect(yearEnd(u).proposedOrgs).toBe(models?.proposals.filter((p) => p.kind === 'tap-the').length ?? 0);
        entries += n;
        built += yearEnd(u).modelsBuilt;
      }
      expect(built).toBe(F.MODELS[y]);
      expect(entries).toBe(F.MODELS[y]);
      all += built;
      const exempted = data(y).units.filter((u) => u.phases.models?.status === 'exempted');
      expect(exempted).toHaveLength(1);
      expect(exempted[0]?.phases.models?.submission).toBeNull();
    }
    expect(all).toBe(F.MODELS_TOTAL);
  });

  it('records units that never sent their plan, late submissions and revisions, as the workflows would', async () => {
    for (const y of F.SEED_YEARS) {
      const units = data(y).units;
      const missing = units.filter((u) => u.phases.plan?.status === 'not_submitted');
      expect(missing.length).toBeGreaterThanOrEqual(2);
      for (const u of missing) expect(u.phases.plan).toMatchObject({ escalationLevel: 3, submission: null });
      const phases = units.flatMap((u) => Object.values(u.phases));
      const late = phases.filter((p) => p.status === 'late');
      expect(late.length).toBeGreaterThan(0);
      for (const p of late) {
        expect(p.submission?.late).toBe(true);
        expect([1, 2]).toContain(p.escalationLevel);
      }
      for (const p of phases.filter((x) => x.status === 'submitted')) expect(p.submission?.late).toBe(false);
      // Every unit owes plan, study, pledge, models, inspection and the year-end report.
      for (const u of units)
        expect(
          Object.keys(u.phases)
            .filter((k) => k !== 'study-makeup')
            .sort(),
        ).toEqual(['inspection', 'models', 'plan', 'pledge', 'study', 'year-end-report']);
    }
    // Revisions: version 2 is the one in the snapshot, and it came before the deadline.
    const { rows } = await db.query(
      `SELECT s.cycle_id, s.unit_code, s.phase, s.submitted_at, o.due_at FROM submissions s
       JOIN obligations o ON o.cycle_id = s.cycle_id AND o.unit_code = s.unit_code AND o.phase = s.phase
       WHERE s.cycle_id = ANY($1) AND s.version = 2`,
      [first.cycleIds],
    );
    expect(rows.length).toBeGreaterThan(10);
    for (const r of rows) {
      expect(new Date(r.submitted_at).getTime()).toBeLessThan(new Date(r.due_at).getTime());
      const u = data(Number(String(r.cycle_id).slice(-4)) as F.SeedYear).units.find((x) => x.code === r.unit_code);
      expect(u?.phases[r.phase]?.submission?.version).toBe(2);
    }
    // The exemption and the ladder left their reasons.
    const { rows: events } = await db.query(
      "SELECT kind, count(*)::int AS n FROM events WHERE cycle_id = ANY($1) AND kind IN ('exempted', " +
        "'escalation3', 'under_target') GROUP BY kind ORDER BY kind",
      [first.cycleIds],
    );
    expect(Object.fromEntries(events.map((e) => [e.kind, e.n]))).toMatchObject({ exempted: 3 });
  });

  it('sums the grassroots inspections and discipline, from the inspection phase and from the year-end report alike', () => {
    const levels = ['committee', 'ubkt'] as const;
    const counts = ['inspectedOrgs', 'inspectedMembers', 'supervisedOrgs', 'supervisedMembers'] as const;
    const totals = {
      fromPhase: { committee: {} as Record<string, number>, ubkt: {} as Record<string, number> },
      fromYearEnd: { committee: {} as Record<string, number>, ubkt: {} as Record<string, number> },
    };
    let disciplined = 0;
    for (const y of F.SEED_YEARS) {
      for (const u of data(y).units) {
        const phase = payload<InspectionPayload>(u, 'inspection');
        if (!phase) throw new Error(`${u.code} has no inspection report`);
        const ye = yearEnd(u);
        expect(ye.inspections).toEqual({ committee: phase.committee, ubkt: phase.ubkt });
        expect(ye.membersDisciplined).toBe(phase.membersDisciplined);
        if (u.kind === 'chi-bo-co-so') {
          expect(phase.committee.inspectedOrgs + phase.committee.supervisedOrgs).toBe(0);
          expect(Object.values(phase.ubkt).every((n) => n === 0)).toBe(true);
        }
        for (const level of levels) {
          for (const c of counts) {
            totals.fromPhase[level][c] = (totals.fromPhase[level][c] ?? 0) + phase[level][c];
            totals.fromYearEnd[level][c] = (totals.fromYearEnd[level][c] ?? 0) + ye.inspections[level][c];
          }
        }
        disciplined += phase.membersDisciplined;
      }
      expect(total(data(y).units.map((u) => yearEnd(u).membersDisciplined))).toBe(F.MEMBERS_DISCIPLINED[y]);
    }
    expect(totals.fromPhase).toEqual(F.GRASSROOTS_INSPECTION_TOTALS);
    expect(totals.fromYearEnd).toEqual(F.GRASSROOTS_INSPECTION_TOTALS);
    expect(disciplined).toBe(F.MEMBERS_DISCIPLINED_TOTAL);
  });

  it('sums the committee’s inspections by level: organisations as closed inspection rows, members and the level above as records', () => {
    const sums: Record<string, Record<string, { orgs: number; members: number }>> = {};
    const add = (body: string, kind: string, orgs: number, members: number) => {
      sums[body] ??= {};
      const s = (sums[body][kind] ??= { orgs: 0, members: 0 });
      s.orgs += orgs;
      s.members += members;
    };
    for (const [body, kinds] of Object.entries(F.COMMITTEE_INSPECTION_TOTALS)) for (const kind of Object.keys(kinds)) add(body, kind, 0, 0);
    for (const y of F.SEED_YEARS) {
      const d = data(y);
      const planMissing = new Set(d.units.filter((u) => u.phases.plan?.status === 'not_submitted').map((u) => u.code));
      const rowIds = new Set<string>();
      for (const row of d.inspections) {
        expect(row).toMatchObject({ cycle_id: d.cycleId, status: 'closed' });
        expect(['ban-thuong-vu', 'ubkt']).toContain(row.body);
        expect(['kiem-tra', 'giam-sat']).toContain(row.kind);
        expect(['plan', 'escalation']).toContain(row.origin);
        expect(String(row.findings).length).toBeGreaterThanOrEqual(10);
        expect(String(row.conclusion).length).toBeGreaterThanOrEqual(10);
        expect(row.id).toBe(`chuky/inspection/${d.cycleId}/${String(row.unit_code)}/${String(row.kind)}-${String(row.body)}`);
        if (row.origin === 'escalation') expect(planMissing.has(String(row.unit_code))).toBe(true);
        rowIds.add(String(row.id));
        add(String(row.body), String(row.kind), 1, 0);
      }
      expect(rowIds.size).toBe(d.inspections.length);
      expect(d.inspections.some((r) => r.origin === 'escalation')).toBe(true);
      for (const p of records(y, 'inspection') as { body: string; kind: string; organisations: number; members: number }[]) {
        if (p.body !== 'cap-tren') expect(p.organisations).toBe(0);
        add(p.body, p.kind, p.organisations, p.members);
      }
    }
    expect(sums).toEqual(F.COMMITTEE_INSPECTION_TOTALS);
  });

  it('holds the seed’s commendations, documents, conferences, contests and charity', () => {
    const comm = allRecords('commendation') as { level: string; form?: string; organisations: number; members: number }[];
    const sumBy = (pred: (c: (typeof comm)[number]) => boolean, key: 'organisations' | 'members') =>
      total(comm.filter(pred).map((c) => c[key]));
    const kt = (c: (typeof comm)[number]) => (c.form ?? 'khen-thuong') === 'khen-thuong';
    for (const y of F.SEED_YEARS) {
      const ys = records(y, 'commendation') as typeof comm;
      expect(total(ys.filter((c) => c.level === 'ban-thuong-vu' && kt(c)).map((c) => c.organisations))).toBe(
        F.COMMENDATION_TOTALS.banThuongVuOrgsByYear[y],
      );
    }
    expect(sumBy((c) => c.level === 'ban-thuong-vu' && kt(c), 'organisations')).toBe(F.COMMENDATION_TOTALS.banThuongVuOrgs);
    expect(sumBy((c) => c.level === 'ban-thuong-vu' && kt(c), 'members')).toBe(F.COMMENDATION_TOTALS.banThuongVuMembers);
    expect(sumBy((c) => c.level === 'cap-tren', 'organisations')).toBe(F.COMMENDATION_TOTALS.capTrenOrgs);
    expect(sumBy((c) => c.level === 'cap-tren', 'members')).toBe(F.COMMENDATION_TOTALS.capTrenMembers);
    expect(sumBy((c) => c.level === 'trung-uong', 'members')).toBe(F.COMMENDATION_TOTALS.trungUongMembers);
    expect(sumBy((c) => c.form === 'tuyen-duong', 'members')).toBe(F.COMMENDATION_TOTALS.tuyenDuongMembers);

    const docs = allRecords('document') as { type: string; number: string; issuedOn: string }[];
    expect(docs).toHaveLength(F.DOCUMENTS_TOTAL);
    const byType: Record<string, number> = {};
    for (const d of docs) byType[d.type] = (byType[d.type] ?? 0) + 1;
    expect(byType).toEqual(F.DOCUMENTS_BY_TYPE);
    expect(docs.filter((d) => d.type === 'ke-hoach').map((d) => `${d.number} ${d.issuedOn}`)).toEqual([
      '25-KH/ĐUK 2021-11-10',
      '31-KH/ĐUK 2022-11-10',
      '46-KH/ĐUK 2023-02-01',
      '60-KH/ĐUK 2023-12-26',
      '64-KH/ĐUK 2024-01-16',
    ]);
    expect((records(2023, 'document') as { number: string }[]).map((d) => d.number)).toEqual(
      expect.arrayContaining(['46-KH/ĐUK', '60-KH/ĐUK', '64-KH/ĐUK']),
    );

    const conf = (y: F.SeedYear) =>
      (records(y, 'conference') as { heldOn: string; connectionPoints: number; attendees: number; kind: string }[]).map((c) => [
        c.heldOn.slice(0, 7),
        c.kind,
        c.connectionPoints,
        c.attendees,
      ]);
    expect(conf(2021)).toEqual([['2021-06', 'chuyen-de-toan-khoa', 102, 4320]]);
    expect(conf(2022)).toEqual([['2022-03', 'chu-de-nam', 132, 4686]]);
    expect(conf(2023)).toEqual([
      ['2023-03', 'chu-de-nam', 150, 6124],
      ['2024-01', 'chu-de-nam', 115, 6325],
    ]);

    expect(records(2021, 'contest')).toEqual([
      {
        name: 'Hội thi Báo cáo viên Đảng ủy Khối',
        heldOn: '2021-10-27',
        participants: 70,
        prizes: '01 giải Nhất, 03 giải Nhì, 05 giải Ba, 09 giải Khuyến khích',
      },
    ]);
    expect(records(2022, 'contest')).toMatchObject([{ name: 'Bác Hồ với Hà Tĩnh - Hà Tĩnh làm theo Bác', participants: 148_140 }]);
    for (const [y, n] of Object.entries(F.UNIT_CONTEST_PARTICIPANTS))
      expect(total(data(Number(y) as F.SeedYear).units.map((u) => yearEnd(u).contestParticipants))).toBe(n);

    const charity = (y: F.SeedYear) => (records(y, 'charity') as { amountVnd: number }[]).map((c) => c.amountVnd).sort((a, b) => a - b);
    expect(charity(2021)).toEqual([500_000_000, 20_150_000_000]);
    expect(charity(2022)).toEqual([205_000_000, 29_800_000_000]);
    expect(charity(2023)).toEqual([322_000_000]);
    for (const y of F.SEED_YEARS) {
      expect(total(charity(y))).toBe(F.UNIT_CHARITY_VND[y]);
      expect(total(data(y).units.map((u) => yearEnd(u).charityVnd))).toBe(F.UNIT_CHARITY_VND[y]);
    }
  });

  it('stores only payloads the phase schemas accept, every version, and records parseRecord accepts', async () => {
    const { rows } = await db.query(
      `SELECT s.unit_code, s.phase, s.version, s.payload, u.members FROM submissions s
       JOIN units u ON u.cycle_id = s.cycle_id AND u.code = s.unit_code WHERE s.cycle_id = ANY($1)`,
      [first.cycleIds],
    );
    expect(rows.length).toBeGreaterThan(2500);
    for (const r of rows) {
      const result = phaseSpec(r.phase).schema({ members: r.members }).safeParse(r.payload);
      expect(result.success, `${r.unit_code} ${r.phase} v${r.version}: ${result.success ? '' : result.error.message}`).toBe(true);
    }
    const { rows: recs } = await db.query('SELECT kind, payload FROM committee_records WHERE cycle_id = ANY($1)', [first.cycleIds]);
    for (const r of recs) expect(parseRecord(r.kind, r.payload).data).toEqual(r.payload);
    // Narratives meet their minimum length and each unit says something of its own.
    for (const y of F.SEED_YEARS) {
      for (const u of data(y).units) {
        const n = payload<YearEndReportPayload>(u, 'year-end-report')?.narrative;
        expect(n?.results.length).toBeGreaterThanOrEqual(20);
        expect(n?.limitations.length).toBeGreaterThanOrEqual(20);
        expect(n?.results).toContain(u.name);
      }
    }
  });

  it('writes all text in NFC', async () => {
    const texts = F.SEED_YEARS.flatMap((y) => strings(data(y)));
    const { rows } = await db.query('SELECT name, secretary_name, contact_name FROM units WHERE cycle_id = ANY($1)', [first.cycleIds]);
    texts.push(...strings(rows));
    expect(texts.length).toBeGreaterThan(10_000);
    expect(texts.filter((s) => s !== s.normalize('NFC'))).toEqual([]);
  });

  it('creates nothing the second time, keeps committees apart, and writes the same data for the same options', async () => {
    const count = async () =>
      (await db.query('SELECT count(*)::int AS n FROM submissions WHERE cycle_id = ANY($1)', [first.cycleIds])).rows[0].n as number;
    const before = await count();
    expect(await writeSeedHistory(db, { committeeCode: CODE })).toEqual({ cycleIds: first.cycleIds, created: [false, false, false] });
    expect(await count()).toBe(before);

    const other = await writeSeedHistory(db, { committeeCode: OTHER, years: [2023] });
    expect(other).toEqual({ cycleIds: [`${OTHER}-2023`], created: [true] });
    expect(await count()).toBe(before);
    const mine = await loadFrozenSnapshot(db, `${CODE}-2023`);
    const theirs = await loadFrozenSnapshot(db, `${OTHER}-2023`);
    expect(mine?.data).toEqual(data(2023));
    // Apart from ids and the committee code, the same seed, year and units give the same year.
    const comparable = (d: FrozenDataset | undefined, code: string): unknown =>
      JSON.parse(JSON.stringify(d).replaceAll(code, 'CODE'), (key, value) => (key === 'id' && typeof value === 'number' ? 0 : value));
    expect(comparable(theirs?.data, OTHER)).toEqual(comparable(mine?.data, CODE));
  });
});
