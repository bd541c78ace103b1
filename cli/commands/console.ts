/**
 * `chuky console user …`: the web console's users (Ban Tuyên giáo as `clerk`, leaders as `leader`, `admin`).
 * A password is read from standard input only (`--password-stdin`), never from the command line, where it would
 * be kept in the shell's history and shown to every user of the machine by `ps`.
 */
import type { Command } from 'commander';
import { ROLES } from '../../console/permissions.js';
import { action } from '../action.js';

/** What the commands need, loaded when one runs: building the command tree stays cheap. */
const load = async () => {
  const [users, print, withDb] = await Promise.all([import('../../console/users.js'), import('../print.js'), import('../with-db.js')]);
  return { ...users, ...print, ...withDb };
};

/** The first line of standard input (a pipe, a file, or typed with the echo off by the caller's shell). */
async function readPassword(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Mật khẩu (một dòng, rồi Enter; Ctrl-D để kết thúc): ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const password = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  if (!password) throw new Error('no password on standard input (e.g. `printf %s "$PASS" | chuky console user add … --password-stdin`)');
  return password;
}

export function registerConsoleCommands(program: Command): void {
  const consoleCmd = program.command('console').description('The web console (/console): its users');
  const user = consoleCmd.command('user').description(`Console users and their roles (${ROLES.join(', ')})`);

  user
    .command('add')
    .description('Add a user; the password is read from standard input')
    .requiredOption('--username <name>', 'sign-in name: a-z, 0-9, ".", "_", "-"')
    .requiredOption('--role <role>', `admin (everything, users), clerk (Ban Tuyên giáo: repairs on units) or leader (read-only)`)
    .requiredOption('--name <text>', 'full name, as shown in the console and the audit log')
    .requiredOption('--password-stdin', 'read the password from standard input (required: never on the command line)')
    .option('--committee <code>', 'the committee the user sees and acts for (default: the whole deployment)')
    .option('--subtree', 'and every committee under it (whose cycles are children of its cycles, at any depth)')
    .option('--json', 'print the result as JSON')
    .action(
      action(async (o: { username: string; role: string; name: string; committee?: string; subtree?: boolean; json?: boolean }) => {
        const password = await readPassword();
        const { addUser, printJson, withDb } = await load();
        const u = await withDb((db) =>
          addUser(db, {
            username: o.username,
            role: o.role,
            name: o.name,
            password,
            committeeCode: o.committee ?? null,
            subtree: o.subtree === true,
          }),
        );
        if (o.json) printJson(u);
        else
          process.stdout.write(
            `Added ${u.username} (${u.role}, ${u.committeeCode ? `committee ${u.committeeCode}${u.subtree ? ' and those under it' : ''}` : 'the whole deployment'}): ` +
              'sign in at <PUBLIC_BASE_URL>/console\n',
          );
      }),
    );

  user
    .command('list')
    .description('List the users, their roles and last sign-in')
    .option('--json', 'print as JSON')
    .action(
      action(async (o: { json?: boolean }) => {
        const { listUsers, printJson, printTable, withDb } = await load();
        const users = await withDb((db) => listUsers(db));
        if (o.json) printJson(users);
        else
          printTable(
            users.map((u) => ({
              ...u,
              scope: u.committeeCode ? `${u.committeeCode}${u.subtree ? ' +subtree' : ''}` : '(all)',
              disabledAt: u.disabledAt ?? '',
              lastSignIn: u.lastSignIn ?? '',
            })),
            ['username', 'name', 'role', 'scope', 'lastSignIn', 'disabledAt'],
          );
      }),
    );

  user
    .command('disable')
    .description('Disable a user and end their sessions at once (the user and their audit entries stay)')
    .requiredOption('--username <name>', 'sign-in name')
    .action(
      action(async (o: { username: string }) => {
        const { disableUser, withDb } = await load();
        if (!(await withDb((db) => disableUser(db, o.username)))) throw new Error(`no console user "${o.username}"`);
        process.stdout.write(`Disabled ${o.username}; their sessions are ended\n`);
      }),
    );

  user
    .command('enable')
    .description('Enable a disabled user again')
    .requiredOption('--username <name>', 'sign-in name')
    .action(
      action(async (o: { username: string }) => {
        const { enableUser, withDb } = await load();
        if (!(await withDb((db) => enableUser(db, o.username)))) throw new Error(`no console user "${o.username}"`);
        process.stdout.write(`Enabled ${o.username}\n`);
      }),
    );

  user
    .command('password')
    .description("Set a user's password (read from standard input); their sessions are ended")
    .requiredOption('--username <name>', 'sign-in name')
    .requiredOption('--password-stdin', 'read the password from standard input')
    .action(
      action(async (o: { username: string }) => {
        const password = await readPassword();
        const { setPassword, withDb } = await load();
        await withDb((db) => setPassword(db, o.username, password));
        process.stdout.write(`Password of ${o.username} changed; their sessions are ended\n`);
      }),
    );
}
