/**
 * `chuky api-token …`: tokens of the operator API scoped to a committee (and, where granted, the committees under
 * it), for a committee's own scripts and systems. The token is printed once, when it is made; only its SHA-256 is
 * kept. CHUKY_API_TOKEN stays the deployment's token, which opens every committee.
 */
import type { Command } from 'commander';
import { action } from '../action.js';

const load = async () => {
  const [scope, tokens, print, withDb, cycle] = await Promise.all([
    import('../../api/api-scope.js'),
    import('../../db/api-tokens.js'),
    import('../print.js'),
    import('../with-db.js'),
    import('../../config/cycle.js'),
  ]);
  return { ...scope, ...tokens, ...print, ...withDb, CommitteeCodeSchema: cycle.CommitteeCodeSchema };
};

export function registerApiTokenCommands(program: Command): void {
  const token = program
    .command('api-token')
    .description('Operator API tokens scoped to a committee (CHUKY_API_TOKEN opens every committee)');

  token
    .command('create')
    .description('Make a token for one committee (and with --subtree the committees under it); it is printed once')
    .requiredOption('--committee <code>', "the committee's code, as its cycle file writes it")
    .requiredOption('--name <text>', 'what the token is for, e.g. "phần mềm quản lý đảng viên của ĐUK"')
    .option('--subtree', 'also the committees under it (whose cycles are children of its cycles, at any depth)')
    .option('--actor <name>', 'who makes it, for the record', process.env.USER ?? 'operator')
    .option('--json', 'print the result as JSON')
    .action(
      action(async (o: { committee: string; name: string; subtree?: boolean; actor: string; json?: boolean }) => {
        const { createApiToken, printJson, withDb, CommitteeCodeSchema } = await load();
        const code = CommitteeCodeSchema.safeParse(o.committee);
        if (!code.success) throw new Error(`--committee "${o.committee}": ${code.error.issues[0]?.message ?? 'not a committee code'}`);
        const name = o.name.normalize('NFC').trim();
        if (!name) throw new Error('--name: say what the token is for');
        const { token: secret, row } = await withDb((db) =>
          createApiToken(db, { name, committeeCode: code.data, subtree: o.subtree === true, createdBy: `operator:${o.actor}` }),
        );
        if (o.json) return printJson({ ...row, token: secret });
        process.stdout.write(
          `Token ${row.id} for ${row.committeeCode}${row.subtree ? ' and the committees under it' : ''} (${row.name}); ` +
            `it is shown only now:\n${secret}\nSend it as: Authorization: Bearer <token>\n`,
        );
      }),
    );

  token
    .command('list')
    .description('The tokens made, their committee and whether they are revoked (never the tokens themselves)')
    .option('--json', 'print as JSON')
    .action(
      action(async (o: { json?: boolean }) => {
        const { listApiTokens, printJson, printTable, withDbToRead } = await load();
        const rows = await withDbToRead((db) => listApiTokens(db));
        if (o.json) return printJson(rows);
        printTable(
          rows.map((r) => ({ ...r, scope: `${r.committeeCode}${r.subtree ? ' +subtree' : ''}`, revokedAt: r.revokedAt ?? '' })),
          ['id', 'name', 'scope', 'createdBy', 'createdAt', 'revokedAt'],
        );
      }),
    );

  token
    .command('revoke')
    .description('Refuse a token from now on')
    .requiredOption('--id <n>', 'the token’s id (see `chuky api-token list`)', (v) => Number(v))
    .action(
      action(async (o: { id: number }) => {
        const { revokeApiToken, withDb } = await load();
        if (!Number.isSafeInteger(o.id) || !(await withDb((db) => revokeApiToken(db, o.id)))) throw new Error(`no API token ${o.id}`);
        process.stdout.write(`Token ${o.id} revoked\n`);
      }),
    );
}
