/**
 * `chuky link …`: a unit's signed links. Revoke them all (a forwarded or leaked email), and issue a fresh one
 * for an operator to send by hand. Emails sent after a revocation carry fresh links by themselves: they are
 * signed when they are sent.
 */
import type { Command } from 'commander';
import { action } from '../action.js';
import { apiPath } from '../committee-api.js';
import { committeeApi } from '../committee-mode.js';

/** What the commands need, loaded when one runs: building the command tree stays cheap. */
const load = async () => {
  const [links, print, withDb] = await Promise.all([import('../../db/links.js'), import('../print.js'), import('../with-db.js')]);
  return { ...links, ...print, ...withDb };
};

/** The unit's path in the operator API, for a committee's operator. */
const unitPath = (o: { cycle: string; unit: string }) => apiPath('cycles', o.cycle, 'units', o.unit);

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
        const api = committeeApi();
        const r = api
          ? await api.send<Awaited<ReturnType<typeof revokeLinks>>>('POST', `${unitPath(o)}/links/revoke`, {
              reason: o.reason,
              actor: o.actor,
            })
          : await withDb((db) => revokeLinks(db, { cycleId: o.cycle, unitCode: o.unit, reason: o.reason, actor: `operator:${o.actor}` }));
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
        const api = committeeApi();
        const { printJson, withDb } = await load();
        const { issueLink } = await import('../../ops/link-issue.js');
        const target = { cycleId: o.cycle, unitCode: o.unit, phase: o.phase, days: o.days };
        const issued = api
          ? await api.send<Awaited<ReturnType<typeof issueLink>>>('POST', `${unitPath(o)}/links/issue`, { phase: o.phase, days: o.days })
          : await withDb((db, env) => issueLink(db, env, target));
        if (o.json) printJson(issued);
        else
          process.stdout.write(
            `${issued.url}\n(valid until ${issued.expiresAt}; only for unit ${issued.unitCode}, phase ${issued.phase})\n`,
          );
      }),
    );
}
