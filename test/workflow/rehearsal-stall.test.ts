// A rehearsal whose time-skipping test server stops answering gives up instead of hanging: the server is frozen
// (SIGSTOP, as a wedged server answers nothing) once the units are launched, and the rehearsal must throw a
// RehearsalStalledError naming its last step, after stopping its services, within the allowed quiet time and
// the stop's own bounded waits.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { runRehearsal } from '../../rehearsal/run.js';
import { RehearsalStalledError } from '../../rehearsal/stall-watch.js';
import { writeFixture } from '../support/fixtures.js';

/**
 * This process's descendants whose command line names the time-skipping test server: the rehearsal's own, as test
 * files run one at a time, each in its own process (vitest.config.ts: forks, no file parallelism).
 */
function testServerPids(): number[] {
  const rows = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((l) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3]! }));
  const mine = new Set([process.pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const r of rows)
      if (mine.has(r.ppid) && !mine.has(r.pid)) {
        mine.add(r.pid);
        grew = true;
      }
  }
  return rows.filter((r) => mine.has(r.pid) && /temporal-test-server|testserver/i.test(r.args)).map((r) => r.pid);
}

describe('a rehearsal whose test server stops answering', { timeout: 240_000 }, () => {
  const fx = writeFixture({ code: 'STALL', issuedOn: '2027-01-11', deadline: '2027-02-15', units: 3, closesOn: '2027-12-31' });
  const frozen: number[] = [];
  afterAll(() => {
    for (const pid of frozen) {
      try {
        process.kill(pid, 'SIGCONT');
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone: the rehearsal's stop killed it
      }
    }
    fs.rmSync(fx.file.replace(/\/cycle\.yaml$/, ''), { recursive: true, force: true });
  });

  it('stops its services and says it stalled, and where, instead of waiting for ever', async () => {
    const lines: string[] = [];
    const quietMs = 4_000;
    let frozenAt = 0;
    const outcome = await runRehearsal({
      configFile: fx.file,
      stallAfterMs: quietMs,
      log: (m) => {
        lines.push(m);
        if (/cycle started/.test(m) && !frozen.length) {
          frozen.push(...testServerPids());
          for (const pid of frozen) process.kill(pid, 'SIGSTOP');
          frozenAt = Date.now();
        }
      },
    }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(frozen.length, lines.join('\n')).toBeGreaterThan(0);
    expect(outcome, lines.join('\n')).toBeInstanceOf(RehearsalStalledError);
    const err = outcome as RehearsalStalledError;
    expect(err.quietMs).toBeGreaterThanOrEqual(quietMs);
    // The last thing that moved was the launch (or a day skipped to just after it), not a later step.
    expect(err.lastStep).toMatch(/cycle started|skipped to 2027-01-/);
    expect(err.message).toContain('the rehearsal stalled');
    // It looked for workflows holding a task the server never ended; a frozen server answers none of the reads.
    expect(err.finding).toMatch(/^no workflow found holding a started task \(0 of 4 histories read/);
    expect(err.message).toContain(err.finding);
    // And what the worker held then: its activations and activities in flight.
    expect(err.finding).toMatch(/the worker \(\w+, workflow poller \w+, .*\) had \d+ workflow activation\(s\)/);
    // And the clock's own state: a frozen server cannot say, and then no hold is let go.
    expect(err.finding).toContain("the test server's clock could not be read");
    expect(err.finding).not.toContain('hold(s)');
    expect(lines.some((l) => l.includes('the rehearsal stalled'))).toBe(true);
    // Bounded: the quiet time, the worker's stop (at most 15 s) and the services' stop.
    expect(Date.now() - frozenAt).toBeLessThan(quietMs + 60_000);
    // The frozen server was stopped with the rest: no process of it is left.
    for (const pid of frozen) expect(() => process.kill(pid, 0), `test server ${pid} still exists`).toThrow();
  });
});
