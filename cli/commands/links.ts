/**
 * `chuky link …`: a unit's signed links. Revoke them all (a forwarded or leaked email), and issue a fresh one
 * for an operator to send by hand. Emails sent after a revocation carry fresh links by themselves: they are
 * signed when they are sent.
 */
import type { Command } from 'commander';
import { action } from '../action.js';

/** What the commands need, loaded when one runs: building the command tree stays cheap. */
const load = async () => {
  const [cycles, units, links, auth, print, withDb] = await Promise.all([
    import('../../db/cycles.js'),
    import('../../db/units.js'),
    import('../../db/links.js'),
    import('../../auth/links.js'),
    import('../print.js'),
    import('../with-db.js'),
  ]);
  return { ...cycles, ...units, ...links, ...auth, ...print, ...withDb };
};

const DAY_MS = 86_400_000;

export function registerLinkCommands(program: Command): void {
  const link = program.command('link').description("A unit's signed form links: revoke them, issue a new one");

  link
    .command('revoke')
    .description('Refuse every link issued so far for the unit (all phases); links signed afterwards work')
    .requiredOption('--cycle <id>', 'cycle id (e.g. DUK-HT-2027)')
    .requiredOption('--unit <code>', 'unit code')
    .requiredOption('--reason <text>', 'why (e.g. "thư bị chuyển tiếp nhầm"), for the record')
    .option('--actor <name>', 'who revokes, for the record', process.env.USER ?? 'operator')
    .option('--json', 'print the result as JSON')
    .action(
      action(async (o: { cycle: string; unit: string; reason: string; actor: string; json?: boolean }) => {
        const { printJson, revokeLinks, withDb } = await load();
        const r = await withDb((db) =>
          revokeLinks(db, { cycleId: o.cycle, unitCode: o.unit, reason: o.reason, actor: `operator:${o.actor}` }),
        );
        if (o.json) printJson(r);
        else
          process.stdout.write(
            `Revoked: links of ${r.unitCode} in ${r.cycleId} issued before ${r.validFrom} are refused. ` +
              `Issue a new one with \`chuky link issue\`.\n`,
          );
      }),
    );

  link
    .command('issue')
    .description("Sign a fresh form link for a unit's phase (PUBLIC_BASE_URL, CHUKY_SIGNING_SECRET), to send by hand")
    .requiredOption('--cycle <id>', 'cycle id')
    .requiredOption('--unit <code>', 'unit code')
    .requiredOption('--phase <id>', 'phase id, e.g. plan')
    .option('--days <n>', 'days the link stays valid', (v) => Number(v), 30)
    .option('--json', 'print the result as JSON')
    .action(
      action(async (o: { cycle: string; unit: string; phase: string; days: number; json?: boolean }) => {
        if (!Number.isFinite(o.days) || o.days <= 0 || o.days > 400)
          throw new Error(`--days must be a number of days between 1 and 400, got ${String(o.days)}`);
        const { formUrl, getCycle, getRegisteredUnit, isRevoked, printJson, signLink, withDb } = await load();
        const issued = await withDb(async (db, env) => {
          const cycle = await getCycle(db, o.cycle);
          if (!cycle) throw new Error(`no cycle "${o.cycle}" in the database`);
          const unit = await getRegisteredUnit(db, o.cycle, o.unit);
          if (!unit) throw new Error(`no unit "${o.unit}" in cycle "${o.cycle}"`);
          if (!unit.active)
            throw new Error(`unit "${o.unit}" was removed from the cycle (${unit.removedReason ?? ''}); it has nothing to submit`);
          const phases = cycle.definition.phases.map((p) => p.id as string);
          if (!phases.includes(o.phase)) throw new Error(`no phase "${o.phase}" in cycle "${o.cycle}"; its phases: ${phases.join(', ')}`);
          const scope = { cycleId: cycle.id, unitCode: unit.code, phase: o.phase };
          // A revocation made in this very second also refuses links signed in it: wait for the next second.
          for (let i = 0; i < 3 && (await isRevoked(db, scope, Math.floor(Date.now() / 1000) * 1000)); i += 1) {
            await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 5));
          }
          const issuedAt = Date.now();
          if (await isRevoked(db, scope, Math.floor(issuedAt / 1000) * 1000))
            throw new Error("the unit's links are revoked until a time in the future; check the clocks of this machine and the database");
          const expiresAt = issuedAt + o.days * DAY_MS;
          const token = await signLink(scope, env.signingSecret, expiresAt, issuedAt);
          return {
            ...scope,
            url: formUrl(env.publicBaseUrl, token),
            issuedAt: new Date(issuedAt).toISOString(),
            expiresAt: new Date(expiresAt).toISOString(),
          };
        });
        if (o.json) printJson(issued);
        else
          process.stdout.write(
            `${issued.url}\n(valid until ${issued.expiresAt}; only for unit ${issued.unitCode}, phase ${issued.phase})\n`,
          );
      }),
    );
}
