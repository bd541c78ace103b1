/** `chuky inspection …`: the committee and UBKT start, schedule, conclude and follow up inspections. */
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import type { Runtime } from '../../workers/runtime.js';
import { action } from '../action.js';
import { apiPath } from '../committee-api.js';
import { committeeApi } from '../committee-mode.js';

/** The running parts' wiring, for the commands that start or move an inspection's workflow; loaded when one runs. */
async function withRuntime<T>(fn: (rt: Runtime, taskQueue: string) => Promise<T>): Promise<T> {
  const [{ loadEnv }, { connectRuntime }, { resolveAddresses }] = await Promise.all([
    import('../../config/env.js'),
    import('../../workers/runtime.js'),
    import('../../workers/services.js'),
  ]);
  const env = loadEnv();
  const runtime = await connectRuntime(env, resolveAddresses(env));
  try {
    return await fn(runtime, env.taskQueue);
  } finally {
    await runtime.close();
  }
}

/** What the commands print with and read through, loaded when one runs: building the command tree stays cheap. */
const load = async () => {
  const [inspections, actions, print, withDb] = await Promise.all([
    import('../../db/inspections.js'),
    import('../../client/inspection-actions.js'),
    import('../print.js'),
    import('../with-db.js'),
  ]);
  return { ...inspections, ...actions, ...print, ...withDb };
};

const actor = (name: string) => ({ id: `operator:${name}`, via: committeeApi() ? ('api' as const) : ('cli' as const) });

/** An inspection's id (chuky/inspection/CYCLE/UNIT/KIND-BODY) as its path in the operator API. */
function inspectionPath(id: string): string {
  const m = /^chuky\/inspection\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(id);
  if (!m) throw new Error(`--id: "${id}" is not an inspection id (chuky/inspection/CYCLE/UNIT/KIND-BODY, as \`inspection list\` shows)`);
  return apiPath('cycles', m[1]!, 'units', m[2]!, 'inspections', m[3]!);
}

export function registerInspectionCommands(program: Command): void {
  const insp = program.command('inspection').description('Inspections and supervision (kiểm tra, giám sát) of units');

  insp
    .command('proposals')
    .description('Units proposed for inspection (not submitted at level 3, or under target) that no inspection has taken up')
    .requiredOption('--cycle <id>', 'cycle id')
    .option('--json', 'print as JSON')
    .action(
      action(async (o: { cycle: string; json?: boolean }) => {
        const { inspectionProposals, printJson, printTable, withDbToRead } = await load();
        const api = committeeApi();
        // Read from PostgreSQL only.
        const rows = api
          ? await api.get<Awaited<ReturnType<typeof inspectionProposals>>>(apiPath('cycles', o.cycle, 'inspection-proposals'))
          : await withDbToRead((db) => inspectionProposals(db, o.cycle), { allAddresses: true });
        if (o.json) printJson(rows);
        else printTable(rows, ['unitCode', 'unitName', 'phase', 'reason']);
      }),
    );

  insp
    .command('start')
    .description('Start an inspection or supervision of a unit (one per unit, kind and body in a cycle; idempotent)')
    .requiredOption('--cycle <id>', 'cycle id')
    .requiredOption('--unit <code>', 'unit code')
    .requiredOption('--kind <kind>', 'kiem-tra | giam-sat')
    .requiredOption('--by <body>', 'ban-thuong-vu | ubkt')
    .requiredOption('--reason <text>', 'content of the inspection (nội dung)')
    .option('--origin <origin>', 'plan | escalation | under-target | other', 'plan')
    .option('--actor <name>', 'who decides', process.env.USER ?? 'operator')
    .option('--json', 'print as JSON')
    .action(
      action(
        async (o: {
          cycle: string;
          unit: string;
          kind: string;
          by: string;
          reason: string;
          origin: string;
          actor: string;
          json?: boolean;
        }) => {
          const { printJson, startInspection } = await load();
          const input = { unitCode: o.unit, kind: o.kind, body: o.by, origin: o.origin, reason: o.reason, actor: actor(o.actor) };
          const api = committeeApi();
          const result = api
            ? await api.send<Awaited<ReturnType<typeof startInspection>>>('POST', apiPath('cycles', o.cycle, 'inspections'), input)
            : await withRuntime((rt, taskQueue) => startInspection({ db: rt.db, client: rt.client, taskQueue }, o.cycle, input));
          if (o.json) printJson(result);
          else process.stdout.write(`${result.started ? 'Started' : 'Already started'}: ${result.inspectionId}\n`);
        },
      ),
    );

  const step = (
    name: 'schedule' | 'findings' | 'conclude' | 'close',
    description: string,
    build: (o: Record<string, unknown>) => Record<string, unknown>,
    options: (c: Command) => Command,
  ) =>
    options(
      insp
        .command(name)
        .description(description)
        .requiredOption('--id <inspectionId>', 'inspection id (from `inspection start` or `inspection list`)'),
    )
      .option('--actor <name>', 'who acts', process.env.USER ?? 'operator')
      .option('--request-id <id>', 'idempotency key')
      .option('--json', 'print as JSON')
      .action(
        action(async (o: Record<string, unknown>) => {
          const { actOnInspection, printJson } = await load();
          const input = { ...build(o), actor: actor(String(o.actor)), requestId: (o.requestId as string | undefined) ?? randomUUID() };
          const api = committeeApi();
          const view = api
            ? await api.send<Awaited<ReturnType<typeof actOnInspection>>>('POST', `${inspectionPath(String(o.id))}/${name}`, input)
            : await withRuntime((rt) => actOnInspection(rt.client, String(o.id), name, input));
          if (o.json) printJson(view);
          else process.stdout.write(`${view.inspectionId}: ${view.status}\n`);
        }),
      );

  step(
    'schedule',
    'Set the date of the visit; the unit is emailed with a calendar entry',
    (o) => ({ date: o.date }),
    (c) => c.requiredOption('--date <YYYY-MM-DD>', 'date of the visit'),
  );
  step(
    'findings',
    'Record the findings',
    (o) => ({ findings: o.text }),
    (c) => c.requiredOption('--text <findings>', 'findings'),
  );
  step(
    'conclude',
    'Conclude, with remedies and their deadline; the unit is emailed and reminded until it reports',
    (o) => ({ conclusion: o.conclusion, remedies: o.remedy ?? [], ...(o.remedyDeadline ? { remedyDeadline: o.remedyDeadline } : {}) }),
    (c) =>
      c
        .requiredOption('--conclusion <text>', 'conclusion (kết luận)')
        .option('--remedy <text>', 'a remedy the unit must carry out (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
        .option('--remedy-deadline <YYYY-MM-DD>', 'deadline of the remedy report'),
  );
  step(
    'close',
    'Close the inspection (with a note)',
    (o) => ({ note: o.note }),
    (c) => c.requiredOption('--note <text>', 'why it is closed'),
  );

  insp
    .command('list')
    .description("The cycle's inspections and their state")
    .requiredOption('--cycle <id>', 'cycle id')
    .option('--unit <code>', 'only this unit')
    .option('--json', 'print as JSON')
    .action(
      action(async (o: { cycle: string; unit?: string; json?: boolean }) => {
        const { listInspections, printJson, printTable, withDbToRead } = await load();
        const api = committeeApi();
        // Read from PostgreSQL only.
        const rows = api
          ? await api.get<Awaited<ReturnType<typeof listInspections>>>(apiPath('cycles', o.cycle, 'inspections'), { unit: o.unit })
          : await withDbToRead((db) => listInspections(db, o.cycle, o.unit), { allAddresses: true });
        if (o.json) printJson(rows);
        else
          printTable(rows as unknown as Record<string, unknown>[], [
            'id',
            'kind',
            'body',
            'origin',
            'status',
            'scheduledOn',
            'remedyDeadline',
            'escalationLevel',
          ]);
      }),
    );
}
