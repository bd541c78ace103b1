/**
 * `chuky dev` (what `npm start` runs): the whole system on one machine with embedded defaults — Temporal dev
 * server and its UI, PostgreSQL, a mail inbox, the worker and the API — then the demo committee's cycle,
 * launched on a compressed calendar so its emails arrive while you watch.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { loadEnv } from '../../config/env.js';
import { dataDir, projectRoot } from '../../stack/paths.js';
import { freePort, isPortFree } from '../../stack/ports.js';
import { listUnits } from '../../db/cycles.js';
import { formUrl, signLink } from '../../api/links.js';
import { connectRuntime, runApi, runWorker } from '../../workers/runtime.js';
import { removeServicesFile, startServices, writeServicesFile } from '../../workers/services.js';
import { startCycle } from './cycle.js';
import { addUser, listUsers } from '../../console/users.js';
import { action } from '../output.js';

/**
 * On a local run with no console users yet, an `admin` with a random password, kept in the data folder (not
 * printed into logs that may be shared), so a first-time user can open the console at once.
 */
async function localAdmin(db: Parameters<typeof listUsers>[0]): Promise<string> {
  const file = path.join(dataDir(), 'console-admin.txt');
  if ((await listUsers(db)).length === 0) {
    const password = randomBytes(12).toString('base64url');
    await addUser(db, { username: 'admin', name: 'Quản trị (máy cục bộ)', role: 'admin', password });
    fs.writeFileSync(file, `username: admin\npassword: ${password}\n`, { mode: 0o600 });
  }
  return fs.existsSync(file) ? `sign in as admin, password in ${file}` : 'sign in with a user from `chuky console user list`';
}

export function registerDevCommand(program: Command): void {
  program
    .command('dev')
    .description('Run everything locally on embedded defaults and launch the demo cycle (npm start)')
    .option('-c, --config <file>', 'cycle to launch', path.join(projectRoot(), 'config', 'demo', 'cycle.yaml'))
    .option('--seconds-per-day <n>', 'compressed calendar: one calendar day lasts n seconds (0 = real time)', Number, 10)
    .option('--no-cycle', 'start the services only')
    .action(
      action(async (o: { config: string; secondsPerDay: number; cycle: boolean }) => {
        const say = (m: string) => process.stdout.write(`${m}\n`);
        let env = loadEnv();
        say('chuky: starting Temporal, PostgreSQL and the mail inbox (the first run downloads the Temporal CLI)…');
        const services = await startServices(env, { fixedPorts: true, log: (m) => process.stderr.write(`  ${m}\n`) });
        const apiPort = (await isPortFree(env.apiPort)) ? env.apiPort : await freePort();
        if (!process.env.PUBLIC_BASE_URL) env = { ...env, publicBaseUrl: `http://127.0.0.1:${apiPort}` };
        const runtime = await connectRuntime(env, services);
        const { worker, done } = await runWorker(runtime, services);
        const api = await runApi(runtime, env, apiPort);
        writeServicesFile({ ...services, apiUrl: api.url, pid: process.pid });

        let sample = '';
        if (o.cycle) {
          const result = await startCycle({ db: runtime.db, client: runtime.client, taskQueue: env.taskQueue, configFile: o.config, ...(o.secondsPerDay > 0 ? { secondsPerDay: o.secondsPerDay } : {}) });
          const [first] = await listUnits(runtime.db, result.cycleId, 0, 1);
          const cycleDef = (await runtime.db.query('SELECT definition FROM cycles WHERE id = $1', [result.cycleId])).rows[0]?.definition;
          if (first && cycleDef) {
            const token = await signLink({ cycleId: result.cycleId, unitCode: first.code, phase: cycleDef.phases[0].id }, env.signingSecret, Date.now() + 30 * 86_400_000);
            sample = formUrl(env.publicBaseUrl, token);
          }
          say(`\nCycle ${result.cycleId}: ${result.units} units, ${result.started ? 'started' : 'already running'}${o.secondsPerDay > 0 ? `, one calendar day = ${o.secondsPerDay} s` : ''}`);
        }
        const signIn = await localAdmin(runtime.db);
        say('\nOpen:');
        if (services.temporalUiUrl) say(`  Temporal Web UI   ${services.temporalUiUrl}`);
        if (services.inboxUrl) say(`  Mail inbox        ${services.inboxUrl}`);
        say(`  Console           ${api.url}/console   (${signIn})`);
        say(`  API               ${api.url}/api/v1/cycles`);
        if (sample) say(`  A unit's form     ${sample}`);
        say('\nIn another terminal:');
        say('  npx chuky cycle status --config config/demo/cycle.yaml');
        say('  npx chuky --help');
        say(`\nCtrl-C stops everything; data stays in ${dataDir()}.`);

        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        say('chuky: stopping…');
        // The Temporal worker also listens for SIGINT/SIGTERM and may already be shutting down itself.
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await done.catch(() => undefined);
        await api.close().catch(() => undefined);
        await runtime.close().catch(() => undefined);
        await services.stop();
        removeServicesFile();
        say('chuky: stopped.');
      }),
    );
}
