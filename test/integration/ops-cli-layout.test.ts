/**
 * The operations commands as an operator reads them in a terminal (issue 15): `chuky stalled` fits 100 columns
 * (causes wrapped under their row, each Temporal link on its own line), and `chuky cycle list` links each cycle
 * to its workflow in Temporal's Web UI (TEMPORAL_UI_URL, else the dev stack's services file), in text and JSON.
 * The cycle is written into PostgreSQL in a known state (test/support/ops-fixtures.ts); no worker polls this
 * test's task queue, so a missing worker is among the stalls too.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createPool, type Db } from '../../db/pool.js';
import { seedOpsCycle } from '../support/ops-fixtures.js';
import { chuky } from '../support/processes.js';
import type { CycleSummary, Stall } from '../../ops/types.js';

const QUEUE = 'it-ops-cli-layout';
const UI = 'http://127.0.0.1:18233';
const WIDTH = 100;

describe('operations commands in a terminal', () => {
  const services = inject('services');
  let db: Db;
  let cycleId: string;
  let dataDir: string;
  const env = (extra: Record<string, string> = {}) => ({
    TEMPORAL_ADDRESS: services.temporalAddress,
    DATABASE_URL: services.databaseUrl,
    SMTP_URL: services.smtpUrl,
    CHUKY_TASK_QUEUE: QUEUE,
    TEMPORAL_UI_URL: UI,
    CHUKY_DATA_DIR: dataDir,
    ...extra,
  });

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chuky-ops-layout-'));
    db = createPool(services.databaseUrl, 2);
    ({ cycleId } = await seedOpsCycle(db, 'ITOPSLAYOUTCOMMITTEE'));
  });

  afterAll(async () => {
    await db?.end();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('stalled: every line fits 100 columns but a link, which has a line of its own', async () => {
    const [text, json] = await Promise.all([
      chuky(['stalled', '--cycle', cycleId], env()),
      chuky(['stalled', '--cycle', cycleId, '--json'], env()),
    ]);
    expect(text.code, text.stderr).toBe(3);
    const stalls = (JSON.parse(json.stdout) as { stalls: Stall[] }).stalls;
    // Realistic: overdue units at each level, a remedy overdue, two phases blocked, no worker on the queue.
    expect(stalls.map((s) => s.kind)).toEqual([
      'overdue',
      'overdue',
      'overdue',
      'remedy-overdue',
      'phase-blocked',
      'phase-blocked',
      'worker-missing',
    ]);
    expect(Math.max(...stalls.map((s) => s.cause.length))).toBeGreaterThan(WIDTH);

    const lines = text.stdout.trimEnd().split('\n');
    const links = stalls.filter((s) => s.temporalUrl).map((s) => s.temporalUrl!);
    expect(links.length).toBeGreaterThanOrEqual(4);
    for (const line of lines) {
      if (links.includes(line.trim())) expect(line).toBe(`    ${line.trim()}`);
      else expect([...line].length, line).toBeLessThanOrEqual(WIDTH);
    }
    // Each link once, on its own line, right under its stall.
    for (const url of links) expect(lines.filter((l) => l === `    ${url}`)).toHaveLength(1);
    const u004 = lines.findIndex((l) => new RegExp(`^overdue\\s+${cycleId}\\s+U004\\s+plan\\s+3\\s`).test(l));
    expect(u004).toBeGreaterThan(0);
    const u004Stall = stalls.find((s) => s.kind === 'overdue' && s.unitCode === 'U004')!;
    const block = lines.slice(
      u004 + 1,
      lines.findIndex((l, i) => i > u004 && !l.startsWith('    ')),
    );
    // The cause wrapped under its row is the whole cause, word for word; then the repairs; then the link.
    expect(
      block
        .slice(0, -2)
        .map((l) => l.trim())
        .join(' '),
    ).toBe(u004Stall.cause.replace(/\s+/g, ' '));
    expect(block.at(-2)!.trim()).toBe(`repairs: ${u004Stall.repairs.join(', ')}`);
    expect(block.at(-1)).toBe(`    ${UI}/namespaces/default/workflows/${encodeURIComponent(`chuky/unit/${cycleId}/U004`)}`);
    // The header and the first lines, as an operator sees them.
    expect(lines[0]).toBe('7 stalled:');
    expect(lines[1]).toMatch(/^kind\s+cycle\s+unit\s+phase\s+level\/attempt\s+since \(UTC\)$/);
  });

  it('stalled --lang vi: the Vietnamese causes wrap to 100 columns too', async () => {
    const vi = await chuky(['--lang', 'vi', 'stalled', '--cycle', cycleId], env());
    expect(vi.code, vi.stderr).toBe(3);
    const lines = vi.stdout.trimEnd().split('\n');
    expect(lines.filter((l) => l.startsWith('  Nguyên nhân: ')).length).toBe(7);
    for (const line of lines) if (!/^ {2}Temporal: https?:\/\/\S+$/.test(line)) expect([...line].length, line).toBeLessThanOrEqual(WIDTH);
  });

  it("cycle list: each cycle's link to its workflow in Temporal's Web UI, in text and JSON", async () => {
    const link = `${UI}/namespaces/default/workflows/${encodeURIComponent(`chuky/cycle/${cycleId}`)}`;
    const [json, text] = await Promise.all([chuky(['cycle', 'list', '--json'], env()), chuky(['cycle', 'list'], env())]);
    expect(json.code, json.stderr).toBe(0);
    expect((JSON.parse(json.stdout) as CycleSummary[]).find((c) => c.cycleId === cycleId)).toMatchObject({
      workflowId: `chuky/cycle/${cycleId}`,
      temporalUrl: link,
    });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain("\nIn Temporal's Web UI:\n");
    expect(text.stdout).toMatch(new RegExp(`^  ${cycleId}\\s+${link.replace(/[.?*+^$[\]\\(){}|-]/g, '\\$&')}$`, 'm'));
  });

  it("cycle list: without TEMPORAL_UI_URL, the dev stack's UI address from its services file; else says none is known", async () => {
    const devUi = 'http://127.0.0.1:28233';
    fs.writeFileSync(
      path.join(dataDir, 'services.json'),
      JSON.stringify({
        pid: process.pid,
        temporalAddress: services.temporalAddress,
        temporalNamespace: 'default',
        databaseUrl: services.databaseUrl,
        smtpUrl: services.smtpUrl,
        temporalUiUrl: devUi,
      }),
    );
    const link = `${devUi}/namespaces/default/workflows/${encodeURIComponent(`chuky/cycle/${cycleId}`)}`;
    const [json, text] = await Promise.all([
      chuky(['cycle', 'list', '--json'], env({ TEMPORAL_UI_URL: '' })),
      chuky(['cycle', 'list'], env({ TEMPORAL_UI_URL: '' })),
    ]);
    expect(json.code, json.stderr).toBe(0);
    expect((JSON.parse(json.stdout) as CycleSummary[]).find((c) => c.cycleId === cycleId)?.temporalUrl).toBe(link);
    expect(text.stdout.split('\n')).toContain(`  ${cycleId}  ${link}`);

    fs.rmSync(path.join(dataDir, 'services.json'));
    const none = await chuky(['cycle', 'list'], env({ TEMPORAL_UI_URL: '' }));
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toContain("No link to Temporal's Web UI: its address is unknown (set TEMPORAL_UI_URL, or start `chuky dev`).");
  });
});
