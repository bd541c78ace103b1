/**
 * A frozen year of any size for the report scenario (demo-data/seed-history.ts stops at 400 units, being
 * tied to the seed's figures). The cycle and its units are registered as `cycle start` registers them
 * (db/cycles.ts registerCycle); each unit's obligations and submissions are then written with multi-row INSERTs:
 * payloads made by the rehearsal's sample generator (rehearsal/payloads.ts) and parsed by each phase's own schema,
 * as the workflows store them. Most units submit on time; some late, some never (level 3), some are exempted, some
 * revise, and units under the study target owe and hold a make-up session. Deterministic.
 */
import { loadCycleFileAsync } from '../config/cycle.js';
import { unitPhases } from '../config/phase-lookup.js';
import { registerCycle } from '../db/cycles.js';
import { withTransaction, type Db } from '../db/pool.js';
import { insertSeedRows } from '../db/seed-history.js';
import { addDays, effectiveDeadline, localTimeToInstant, type IsoDate } from '../domain/calendar.js';
import { REAL_CLOCK } from '../domain/clock.js';
import { cycleId as makeCycleId } from '../domain/ids.js';
import { phaseSpec } from '../domain/phases/index.js';
import { samplePayload, reportedMembers } from '../rehearsal/payloads.js';

type Row = unknown[];

export interface WrittenYear {
  cycleId: string;
  units: number;
  obligations: number;
  submissions: number;
  registerMs: number;
  insertMs: number;
}

export async function writeFrozenYear(db: Db, configFile: string): Promise<WrittenYear> {
  const loaded = await loadCycleFileAsync(configFile);
  const def = loaded.definition;
  const tz = def.timezone;
  const cycleId = makeCycleId(def.committee.code, def.year);
  const t0 = Date.now();
  await registerCycle(db, { id: cycleId, definition: def, units: loaded.units, clock: REAL_CLOCK, sourceFile: configFile });
  const registerMs = Date.now() - t0;

  const obligations: Row[] = [];
  const submissions: Row[] = [];
  const at = (date: IsoDate, hour: number) => new Date(localTimeToInstant(date, hour, tz));
  const phases = unitPhases(def);
  loaded.units.forEach((unit, i) => {
    const members = reportedMembers(unit);
    const sample = { code: unit.code, name: unit.name, members, secretary: { name: unit.secretary.name } };
    const obligation = (phase: string, configured: IsoDate, k: number) => {
      const deadline = effectiveDeadline(configured, def.calendar);
      const dueAt = at(addDays(deadline, 1), 0);
      // A deterministic spread of outcomes, different per phase.
      const r = (i * 7919 + k * 104_729) % 100;
      const outcome = r < 80 ? 'on-time' : r < 88 ? 'late' : r < 92 ? 'never' : r < 95 ? 'exempted' : 'revised';
      const studyPercent = phase === 'study' && i % 12 === 5 ? 90 : 100;
      let status: string;
      let level = 0;
      let lastEvent: string;
      let when: IsoDate;
      if (outcome === 'never') {
        status = 'not_submitted';
        level = 3;
        lastEvent = 'escalation3';
        when = addDays(deadline, 14);
      } else if (outcome === 'exempted') {
        status = 'exempted';
        lastEvent = 'exempted';
        when = addDays(deadline, -5);
      } else {
        const late = outcome === 'late';
        when = late ? addDays(deadline, 5) : addDays(deadline, -3);
        status = late ? 'late' : 'submitted';
        lastEvent = outcome === 'revised' ? 'revised' : 'submitted';
        const versions = outcome === 'revised' ? 2 : 1;
        for (let v = 1; v <= versions; v++) {
          const date = addDays(when, v - versions);
          const payload = phaseSpec(phase)
            .schema({ members })
            .parse(samplePayload(phase, sample, { date, studyPercent }));
          submissions.push([
            `${cycleId}/${unit.code}/${phase}/bench-${v}`,
            cycleId,
            unit.code,
            phase,
            v,
            JSON.stringify(payload),
            `unit:${unit.code}`,
            'web',
            late,
            at(date, 10),
            at(date, 10),
          ]);
        }
        if (phase === 'study' && studyPercent < 98 && def.targets) {
          // Under the target: the make-up session, held on time.
          const makeupDeadline = addDays(when, 14);
          const held = addDays(makeupDeadline, -3);
          obligations.push([
            cycleId,
            unit.code,
            'study-makeup',
            makeupDeadline,
            at(addDays(makeupDeadline, 1), 0),
            'submitted',
            0,
            'submitted',
            at(held, 10),
            at(held, 10),
          ]);
          const payload = phaseSpec('study-makeup')
            .schema({ members })
            .parse(samplePayload('study-makeup', sample, { date: held }));
          submissions.push([
            `${cycleId}/${unit.code}/study-makeup/bench-1`,
            cycleId,
            unit.code,
            'study-makeup',
            1,
            JSON.stringify(payload),
            `unit:${unit.code}`,
            'web',
            false,
            at(held, 10),
            at(held, 10),
          ]);
        }
      }
      obligations.push([cycleId, unit.code, phase, deadline, dueAt, status, level, lastEvent, at(when, 10), at(when, 10)]);
    };
    phases.forEach((p, k) => obligation(p.id, p.deadline, k));
  });

  const t1 = Date.now();
  await withTransaction(db, async (client) => {
    await insertSeedRows(client, 'obligations', obligations);
    await insertSeedRows(client, 'submissions', submissions);
    await client.query(
      `UPDATE cycles SET status = 'closed', launched_units = $2, closed_at = now(), closed_reason = ` +
        `'Kết thúc chu kỳ (bench)', frozen_at = now() WHERE id = $1`,
      [cycleId, loaded.units.length],
    );
  });
  return {
    cycleId,
    units: loaded.units.length,
    obligations: obligations.length,
    submissions: submissions.length,
    registerMs,
    insertMs: Date.now() - t1,
  };
}
