/** `chuky worker`, `chuky api`, `chuky migrate`, `chuky config check`: running the parts in production. */
import type { Command } from 'commander';
import type { Env } from '../../config/env.js';
import { action } from '../action.js';

/** What running the parts needs (the worker SDK among it), loaded when a command runs: building the command tree stays cheap. */
const load = async () => {
  const [env, migrate, runtime, services] = await Promise.all([
    import('../../config/env.js'),
    import('../../db/migrate.js'),
    import('../../workers/runtime.js'),
    import('../../workers/services.js'),
  ]);
  return { ...env, ...migrate, ...runtime, ...services };
};

function refuseDevSecretInProduction(env: Env): void {
  if (env.signingSecretIsDefault && process.env.NODE_ENV === 'production') {
    throw new Error('CHUKY_SIGNING_SECRET is the built-in development secret; set a random secret of 32+ characters in production');
  }
}

export function registerServeCommands(program: Command): void {
  program
    .command('worker')
    .description('Run a worker: the workflows and activities, on the task queue (TEMPORAL_ADDRESS, DATABASE_URL, SMTP_URL)')
    .action(
      action(async () => {
        // An IPC channel from `chuky dev` must not keep this process alive once the worker has stopped.
        process.channel?.unref();
        const { connectRuntime, loadEnv, migrate, resolveAddresses, runWorker } = await load();
        const env = loadEnv();
        refuseDevSecretInProduction(env);
        const addresses = resolveAddresses(env);
        await migrate(addresses.databaseUrl);
        const runtime = await connectRuntime(env, addresses);
        const { worker, done } = await runWorker(runtime, addresses);
        process.stdout.write(`worker polling ${env.taskQueue} on ${addresses.temporalAddress}\n`);
        // The SDK's worker handles SIGINT/SIGTERM itself too; shut down only if it has not begun to.
        const stop = () => {
          if (worker.getState() === 'RUNNING') worker.shutdown();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        // Started by `chuky dev` (an IPC channel): exit with it, even when it is killed with SIGKILL.
        if (process.send) {
          if (process.connected) process.once('disconnect', stop);
          else stop();
        }
        await done;
        await runtime.close();
      }),
    );

  program
    .command('api')
    .description("Run the HTTP API and the units' web forms on API_PORT")
    .option('--port <n>', 'port (default API_PORT or 3000)', Number)
    .option('--host <address>', 'address to listen on (0.0.0.0 in a container)', '127.0.0.1')
    .action(
      action(async (o: { port?: number; host: string }) => {
        const { connectRuntime, loadEnv, resolveAddresses, runApi } = await load();
        const env = loadEnv();
        refuseDevSecretInProduction(env);
        const addresses = resolveAddresses(env);
        const runtime = await connectRuntime(env, addresses);
        // Started by `chuky stack up` (an IPC channel): the channel must not keep this process alive…
        process.channel?.unref();
        const api = await runApi(runtime, env, o.port ?? env.apiPort, o.host);
        process.stdout.write(`API on ${api.url}\n`);
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
          // …and the process ends with it, even when the stack is killed with SIGKILL.
          if (process.send) {
            if (process.connected) process.once('disconnect', resolve);
            else resolve();
          }
        });
        await api.close();
        await runtime.close();
      }),
    );

  program
    .command('migrate')
    .description('Apply the database migrations (also done at every start)')
    .option('--json', 'print as JSON')
    .action(
      action(async (o: { json?: boolean }) => {
        const [{ loadEnv }, { migrate }, { resolveAddresses }, { printJson }] = await Promise.all([
          import('../../config/env.js'),
          import('../../db/migrate.js'),
          import('../../workers/services.js'),
          import('../print.js'),
        ]);
        const env = loadEnv();
        const applied = await migrate(resolveAddresses(env).databaseUrl);
        if (o.json) printJson({ applied });
        else process.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'Database is up to date\n');
      }),
    );

  const config = program.command('config').description('Check configuration files');
  config
    .command('check')
    .description(
      'Validate a cycle definition and its units file (errors name file, line and field); show each ' +
        "phase's deadline after roll-forward, with why",
    )
    .requiredOption('-c, --config <file>', 'cycle definition (YAML)')
    .option('--json', 'print as JSON')
    .action(
      action(async (o: { config: string; json?: boolean }) => {
        const [
          { loadCycleFileAsync },
          { dayOfWeek, explainRollForward, formatRollForward, formatVietnameseDate, VIETNAMESE_WEEKDAYS },
          { printJson },
        ] = await Promise.all([import('../../config/cycle.js'), import('../../domain/calendar.js'), import('../print.js')]);
        const loaded = await loadCycleFileAsync(o.config);
        const calendar = loaded.definition.calendar;
        const summary = {
          committee: loaded.definition.committee.name,
          year: loaded.definition.year,
          // Each phase's deadline as units will have it: rolled past weekends and holidays, with why.
          phases: loaded.definition.phases.map((p) => {
            const roll = explainRollForward(p.deadline, calendar);
            return { id: p.id, opensOn: p.opensOn, deadline: p.deadline, effectiveDeadline: roll.effective, rollForward: roll };
          }),
          units: loaded.units.length,
          members: loaded.units.reduce((n, u) => n + u.members, 0),
        };
        if (o.json) printJson({ ok: true, ...summary });
        else {
          process.stdout.write(
            `OK: ${summary.committee}, ${summary.year}: ${summary.phases.length} ` +
              `phase(s), ${summary.units} units, ${summary.members} members\n`,
          );
          process.stdout.write(
            `Deadlines units will ` +
              `have${calendar.rollForward ? ' (rolled forward past weekends and holidays)' : ' (calendar.rollForward is off: not moved)'}:\n`,
          );
          const width = Math.max(...summary.phases.map((p) => p.id.length));
          for (const p of summary.phases) {
            const r = p.rollForward;
            const day = `${formatVietnameseDate(r.effective)} (${VIETNAMESE_WEEKDAYS[dayOfWeek(r.effective)]})`;
            const why = r.rolled ? `  ${formatRollForward(r)}` : r.nonWorkingDay ? `  falls on ${r.nonWorkingDay}, not moved` : '';
            process.stdout.write(`  ${p.id.padEnd(width)}  ${day}${why}\n`);
          }
        }
      }),
    );
}
