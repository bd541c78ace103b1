/**
 * `chuky --lang vi`: the read-only operator commands (overdue, stalled, cycle status, cycle list, unit show) speak
 * Vietnamese from the one catalogue (domain/words.ts) — no phase id, no English status word or column header, no
 * ISO date — while English stays the default and JSON output is the same in both languages. The built program
 * runs as its own process against the real Temporal dev server and PostgreSQL, on a cycle written into the
 * database in a known state (test/support/ops-fixtures.ts).
 */
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';
import { seedOpsCycle } from '../support/ops-fixtures.js';
import { chuky } from '../support/processes.js';
import { leaks, visibleText } from '../support/visible-text.js';
import type { OverdueRow } from '../../ops/types.js';

const QUEUE = 'it-cli-lang';

/** What a Vietnamese reader should not meet: the checker's list, with the Temporal links and the ids a table keys on left out. */
function englishIn(output: string, ids: string[]): string[] {
  let text = visibleText(output);
  for (const id of ids) text = text.split(id).join(' ');
  return leaks(text).map((l) => `${l.what} “${l.found}” in “${l.context}”`);
}

describe('chuky --lang vi', () => {
  const services = inject('services');
  let h: Harness;
  let running: Promise<void>;
  let cycleId: string;
  const env = () => ({
    TEMPORAL_ADDRESS: services.temporalAddress,
    DATABASE_URL: services.databaseUrl,
    SMTP_URL: services.smtpUrl,
    CHUKY_TASK_QUEUE: QUEUE,
  });

  beforeAll(async () => {
    h = await startHarness({ taskQueue: QUEUE });
    running = h.worker.run();
    ({ cycleId } = await seedOpsCycle(h.db, 'ITCLILANG'));
  });

  afterAll(async () => {
    h.worker.shutdown();
    await running.catch(() => undefined);
    await h.close();
  });

  it('overdue: Vietnamese headers, phases, statuses and dates; English by default; the same JSON', async () => {
    const [vi, en, viJson, enJson] = await Promise.all([
      chuky(['--lang', 'vi', 'overdue', '--cycle', cycleId], env()),
      chuky(['overdue', '--cycle', cycleId], env()),
      chuky(['--lang', 'vi', 'overdue', '--cycle', cycleId, '--json'], env()),
      chuky(['overdue', '--cycle', cycleId, '--json'], env()),
    ]);
    expect(vi.code, vi.stderr).toBe(0);
    for (const word of [
      'Chu kỳ',
      'Mã ĐV',
      'Giai đoạn',
      'Trạng thái',
      'Hạn nộp',
      'Số ngày quá hạn',
      'Kế hoạch',
      'Quá hạn',
      'Không nộp',
      '06/03/2024',
    ])
      expect(vi.stdout).toContain(word);
    expect(englishIn(vi.stdout, [cycleId])).toEqual([]);
    // English stays the default.
    expect(en.stdout).toMatch(/^cycleId\s+unitCode\s+unitName\s+phase\s+status/m);
    expect(en.stdout).toContain('not_submitted');
    expect(en.stdout).toContain('2024-03-06');
    // JSON is for scripts: ids and ISO dates in both languages.
    expect(JSON.parse(viJson.stdout)).toEqual(JSON.parse(enJson.stdout));
    expect((JSON.parse(viJson.stdout) as OverdueRow[]).map((r) => r.phase)).toContain('plan');
  });

  it('also as CHUKY_LANG=vi, and after the subcommand', async () => {
    const [byEnv, after] = await Promise.all([
      chuky(['overdue', '--cycle', cycleId], { ...env(), CHUKY_LANG: 'vi' }),
      chuky(['overdue', '--cycle', cycleId, '--lang', 'vi'], env()),
    ]);
    for (const r of [byEnv, after]) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('Giai đoạn');
      expect(englishIn(r.stdout, [cycleId])).toEqual([]);
    }
    const wrong = await chuky(['--lang', 'fr', 'overdue'], env());
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/--lang.*fr.*(en|vi)/s);
  });

  it('stalled: each stall and its cause in Vietnamese (exit code unchanged)', async () => {
    const r = await chuky(['--lang', 'vi', 'stalled', '--cycle', cycleId, '--kind', 'overdue,remedy-overdue,phase-blocked'], env());
    expect(r.code, r.stderr).toBe(3);
    // Long causes are wrapped to the terminal's width under their stall: read them joined again.
    const flat = r.stdout.replace(/\n {2,}/g, ' ');
    for (const word of [
      'việc bị kẹt',
      'Quá hạn',
      'Nguyên nhân: Kế hoạch: quá hạn',
      'so với hạn 06/03/2024',
      'Giai đoạn bị tắc',
      'U006 (chưa mở)',
      'Quá hạn khắc phục',
      'Cách xử lý: Nhắc lại, Gia hạn, Miễn, Ghi nhận bản nộp',
    ])
      expect(flat).toContain(word);
    expect(englishIn(r.stdout, [cycleId])).toEqual([]);
  });

  it('cycle status, cycle list and unit show', async () => {
    const [status, list, show] = await Promise.all([
      chuky(['--lang', 'vi', 'cycle', 'status', '--cycle', cycleId], env()),
      chuky(['--lang', 'vi', 'cycle', 'list'], env()),
      chuky(['--lang', 'vi', 'unit', 'show', '--cycle', cycleId, '--unit', 'U004'], env()),
    ]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(`Chu kỳ ${cycleId}: đang chạy;`);
    for (const word of ['Đúng hạn', 'Nộp chậm', 'Không nộp', 'Được miễn', 'Chưa đến hạn', 'Học tập', 'Tên đơn vị', 'Số lần nộp'])
      expect(status.stdout).toContain(word);
    expect(englishIn(status.stdout, [cycleId])).toEqual([]);

    expect(list.code, list.stderr).toBe(0);
    const row = list.stdout.split('\n').find((l) => l.startsWith(cycleId));
    expect(row).toMatch(/Đang chạy\s+6\s+3/);
    expect(list.stdout).toMatch(/^Chu kỳ\s+Cấp ủy\s+Năm\s+Trạng thái\s+Đơn vị\s+Quá hạn/m);
    // Only the header and this cycle's row: other tests' cycles share the database.
    expect(englishIn([list.stdout.split('\n')[0], row].join('\n'), [cycleId])).toEqual([]);

    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain('Kiểm tra (Ủy ban Kiểm tra, đề xuất do không nộp)');
    expect(show.stdout).toContain('hạn khắc phục 15/10/2024');
    expect(englishIn(show.stdout, [cycleId])).toEqual([]);
  });
});
