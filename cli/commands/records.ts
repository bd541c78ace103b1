/**
 * `chuky records …`: the committee's own records for the year (documents, conferences, commendations, contests,
 * charity), entered by Ban Tuyên giáo. A refused record exits 2 with one Vietnamese message per field.
 */
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { ConfigError } from '../../config/errors.js';
import { readConfigText } from '../../config/files.js';
import type { Db } from '../../db/pool.js';
import type { RecordKind } from '../../domain/records.js';
import { action } from '../action.js';
import { apiPath } from '../committee-api.js';
import { committeeApi } from '../committee-mode.js';
import { RECORD_KIND_NAMES as RECORD_KINDS } from '../help-defaults.js';

/** What the commands need, loaded when one runs: building the command tree stays cheap. */
const load = async () => {
  const [cycles, committeeRecords, records, print, withDb] = await Promise.all([
    import('../../db/cycles.js'),
    import('../../db/committee-records.js'),
    import('../../domain/records.js'),
    import('../print.js'),
    import('../with-db.js'),
  ]);
  const requireCycle = async (db: Db, id: string): Promise<void> => {
    if (!(await cycles.getCycle(db, id))) throw new Error(`no cycle "${id}" in the database`);
  };
  return { ...committeeRecords, ...records, ...print, ...withDb, requireCycle };
};

function readInput(o: { data?: string; file?: string }): { source: string; value: unknown } {
  if ((o.data === undefined) === (o.file === undefined))
    throw new Error("give the record with --data '{…}' or --file record.json (one of them)");
  const source = o.file ?? '--data';
  const text = o.file !== undefined ? readConfigText(o.file) : o.data!;
  try {
    return { source, value: JSON.parse(text.replace(/^\uFEFF/, '')) };
  } catch (err) {
    throw new ConfigError([
      { file: source, field: '(JSON)', message: `không đọc được JSON: ${err instanceof Error ? err.message : String(err)}` },
    ]);
  }
}

export function registerRecordCommands(program: Command): void {
  const records = program
    .command('records')
    .description(
      "The committee's own records for the year: documents, conferences, commendations, contests, " +
        'charity, inspections decided above the grassroots',
    );

  records
    .command('add')
    .description(`Add a record (kinds: ${RECORD_KINDS.join(', ')}); repeating the same --request-id adds it once`)
    .requiredOption('--cycle <id>', 'cycle id (e.g. DUK-HT-2027)')
    .requiredOption('--kind <kind>', `one of ${RECORD_KINDS.join(', ')}`)
    .option('--data <json>', 'the record as JSON, e.g. \'{"type":"ke-hoach","number":"64-KH/ĐUK","issuedOn":"2027-01-10","title":"…"}\'')
    .option('--file <record.json>', 'or: a JSON file holding the record')
    .option('--request-id <id>', 'idempotency key (8–100 characters); repeat it to retry safely')
    .option('--actor <name>', 'who enters it, for the record', process.env.USER ?? 'operator')
    .option('--json', 'print the result as JSON')
    .action(
      action(
        async (o: { cycle: string; kind: string; data?: string; file?: string; requestId?: string; actor: string; json?: boolean }) => {
          const { source, value } = readInput(o);
          const { addCommitteeRecord, describeRecord, printJson, requireCycle, safeParseRecord, withDb } = await load();
          const parsed = safeParseRecord(o.kind, value);
          if (!parsed.success)
            throw new ConfigError(parsed.issues.map((i) => ({ file: source, field: i.field || '(record)', message: i.message })));
          const requestId = o.requestId ?? randomUUID();
          if (!/^[\x21-\x7e]{8,100}$/.test(requestId)) throw new Error('--request-id must be 8–100 characters without spaces');
          const api = committeeApi();
          const result = api
            ? await api.send<Awaited<ReturnType<typeof addCommitteeRecord>>>(
                'POST',
                apiPath('cycles', o.cycle, 'records', parsed.record.kind),
                { ...(parsed.record.data as Record<string, unknown>), requestId, actor: o.actor },
              )
            : await withDb(async (db) => {
                await requireCycle(db, o.cycle);
                return addCommitteeRecord(db, {
                  cycleId: o.cycle,
                  kind: parsed.record.kind,
                  payload: parsed.record.data,
                  actor: `operator:${o.actor}`,
                  requestId,
                });
              });
          if (o.json) printJson(result);
          else
            process.stdout.write(
              `${result.created ? 'Added' : 'Already added'}: record ${result.record.id} ` +
                `(${result.record.kind}) ${describeRecord(result.record.kind as RecordKind, result.record.payload)}\n`,
            );
        },
      ),
    );

  records
    .command('list')
    .description('The records of a cycle (not deleted), oldest first')
    .requiredOption('--cycle <id>', 'cycle id')
    .option('--kind <kind>', `only one kind: ${RECORD_KINDS.join(', ')}`)
    .option('--json', 'print as JSON')
    .action(
      action(async (o: { cycle: string; kind?: string; json?: boolean }) => {
        const { describeRecord, isRecordKind, listCommitteeRecords, printJson, printTable, requireCycle, withDb } = await load();
        if (o.kind !== undefined && !isRecordKind(o.kind))
          throw new Error(`unknown kind "${o.kind}"; use one of ${RECORD_KINDS.join(', ')}`);
        const api = committeeApi();
        const list = api
          ? (
              await api.get<{ records: Awaited<ReturnType<typeof listCommitteeRecords>> }>(apiPath('cycles', o.cycle, 'records'), {
                kind: o.kind,
              })
            ).records
          : await withDb(async (db) => {
              await requireCycle(db, o.cycle);
              return listCommitteeRecords(db, o.cycle, o.kind);
            });
        if (o.json) printJson({ cycleId: o.cycle, ...(o.kind ? { kind: o.kind } : {}), records: list });
        else {
          printTable(
            list.map((r) => ({
              id: r.id,
              kind: r.kind,
              record: describeRecord(r.kind as RecordKind, r.payload),
              by: r.actor,
              at: r.createdAt.slice(0, 16),
            })),
            ['id', 'kind', 'record', 'by', 'at'],
          );
        }
      }),
    );

  records
    .command('delete')
    .description('Withdraw a record (kept, marked deleted with who and why)')
    .requiredOption('--cycle <id>', 'cycle id')
    .requiredOption('--id <n>', 'record number (from `records list`)')
    .option('--reason <text>', 'why, for the record')
    .option('--actor <name>', 'who deletes it, for the record', process.env.USER ?? 'operator')
    .option('--json', 'print the result as JSON')
    .action(
      action(async (o: { cycle: string; id: string; reason?: string; actor: string; json?: boolean }) => {
        if (!/^\d{1,15}$/.test(o.id)) throw new Error(`--id must be a record number, got "${o.id}"`);
        const { deleteCommitteeRecord, printJson, requireCycle, withDb } = await load();
        const api = committeeApi();
        const result = api
          ? await api.send<Awaited<ReturnType<typeof deleteCommitteeRecord>>>('DELETE', apiPath('cycles', o.cycle, 'records', o.id), {
              actor: o.actor,
              ...(o.reason ? { reason: o.reason } : {}),
            })
          : await withDb(async (db) => {
              await requireCycle(db, o.cycle);
              return deleteCommitteeRecord(db, {
                cycleId: o.cycle,
                id: Number(o.id),
                actor: `operator:${o.actor}`,
                ...(o.reason ? { reason: o.reason.normalize('NFC').trim() } : {}),
              });
            });
        if (o.json) printJson({ deleted: true, ...result });
        else
          process.stdout.write(
            `${result.alreadyDeleted ? 'Already deleted' : 'Deleted'}: record ${result.record.id} (${result.record.kind})\n`,
          );
      }),
    );
}
