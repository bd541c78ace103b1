/**
 * `chuky report …`: compile the committee's review (one year or several) from frozen cycles, explain any figure
 * in it, list the figures, and write the seed's three years as example data.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { ConfigError } from '../../config/errors.js';
import type { CompileResult, CycleSelection } from '../../report/compile.js';
import type { LeveledExplanation } from '../../report/explain-levels.js';
import type { Figure } from '../../report/figures.js';
import type { UpwardDraft } from '../../report/upward.js';
import type { UpwardSubmitted } from '../../report/upward-submit.js';
import { apiPath, type CommitteeApi } from '../committee-api.js';
import { committeeApi } from '../committee-mode.js';
import { action } from '../action.js';

interface SelectionOptions {
  cycle?: string[];
  years?: string;
  committee?: string;
}

// The report's code (docx, charts, their fonts) is loaded by the report commands only: every chuky process (the
// worker, the API) registers these commands, and would otherwise keep it in memory.
const compiler = () => import('../../report/compile.js');
const explainer = () => import('../../report/explain.js');
// And what every report command needs, for the same reason and so that building the command tree stays cheap.
const common = async () => {
  const [print, withDb] = await Promise.all([import('../print.js'), import('../with-db.js')]);
  return { ...print, ...withDb };
};

async function selection(o: SelectionOptions): Promise<CycleSelection> {
  const { parseYears } = await compiler();
  if (o.cycle?.length && o.years) throw new Error('give either --cycle or --years, not both');
  if (o.cycle?.length) return { cycleIds: o.cycle };
  if (o.years) return { years: parseYears(o.years), ...(o.committee ? { committeeCode: o.committee } : {}) };
  throw new Error('which cycles? give --cycle ID (repeatable) or --years 2021-2023 [--committee CODE]');
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** The selection as the operator API's query (api/routes/reports.ts), for a committee's operator. */
const selectionQuery = (o: SelectionOptions) => ({ cycle: o.cycle ?? [], years: o.years, committee: o.committee });

type FigureRow = Omit<Figure, 'contributions'>;
type UpwardDraftJson = { childCycleId: string; parent: { cycleId: string; unitCode: string } } & UpwardDraft;

/**
 * As a committee's operator: the report is compiled by the deployment (its register numbers it) from the cycles
 * the token may see; the three files come back in the answer and are written to --out as the local command does.
 */
async function compiledThroughApi(
  api: CommitteeApi,
  o: SelectionOptions & { out: string; config?: string; actor: string },
  date: string | undefined,
): Promise<CompileResult> {
  const fs = await import('node:fs');
  const answer = await api.send<{ result: CompileResult; contents: { docx: string; html: string; json: string } }>(
    'POST',
    '/reports/compile',
    {
      ...(o.cycle?.length ? { cycles: o.cycle } : {}),
      ...(o.years ? { years: o.years } : {}),
      ...(o.committee ? { committee: o.committee } : {}),
      ...(date ? { date } : {}),
      actor: o.actor,
      // Read here, checked here (loadReportConfig) and again by the deployment, whose errors name this file.
      ...(o.config ? { config: { file: o.config, text: fs.readFileSync(o.config, 'utf8') } } : {}),
    },
  );
  const outDir = path.resolve(o.out);
  fs.mkdirSync(outDir, { recursive: true });
  const files = {
    docx: path.join(outDir, answer.result.files.docx),
    html: path.join(outDir, answer.result.files.html),
    json: path.join(outDir, answer.result.files.json),
  };
  fs.writeFileSync(files.docx, Buffer.from(answer.contents.docx, 'base64'));
  fs.writeFileSync(files.html, answer.contents.html);
  fs.writeFileSync(files.json, answer.contents.json);
  return { ...answer.result, files };
}

/** As a committee's operator: the file is read here and sent; the deployment's refusal names its lines. */
async function submittedThroughApi(api: CommitteeApi, o: { cycle: string; file: string; actor: string }): Promise<UpwardSubmitted> {
  const { readFileSync } = await import('node:fs');
  let text: string;
  try {
    text = readFileSync(o.file, 'utf8');
  } catch (err) {
    throw new ConfigError([{ file: o.file, field: '(file)', message: `cannot read it: ${(err as Error).message}` }]);
  }
  return api.send<UpwardSubmitted>('POST', apiPath('cycles', o.cycle, 'upward'), { file: o.file, text, actor: o.actor });
}

function withSelection(cmd: Command): Command {
  return cmd
    .option('--cycle <id>', 'a frozen cycle, e.g. DUK-HT-2023 (repeat for several years)', collect)
    .option('--years <range>', 'years of a multi-year review, e.g. 2021-2023')
    .option('--committee <code>', 'the committee, when several have cycles for those years');
}

export function registerReportCommands(program: Command): void {
  const report = program.command('report').description("The committee's review report (sơ kết), compiled from frozen cycles");

  withSelection(report.command('compile'))
    .description('Write the report as DOCX (to edit and sign), HTML (preview) and JSON (the data), from frozen cycles')
    .requiredOption('--out <dir>', 'directory for the files')
    .option('--config <file>', "the report's settings (subject, basis, term, recipients, signer): see config/demo/report.yaml")
    .option('--actor <name>', 'who compiles it (kept in the document register)', process.env.USER ?? 'operator')
    .option(
      '--date <date>',
      "the report's date, YYYY-MM-DD or dd/mm/yyyy (default: the settings' date:, else the day it is " +
        'first compiled; a recompiled report keeps its date unless one is given)',
    )
    .option('--json', 'print the result as JSON')
    .action(
      action(async (o: SelectionOptions & { out: string; config?: string; actor: string; date?: string; json?: boolean }) => {
        const [{ DEFAULT_REPORT_CONFIG, loadReportConfig }, { printJson, withDb }] = await Promise.all([
          import('../../config/report.js'),
          common(),
        ]);
        const config = o.config ? loadReportConfig(o.config) : DEFAULT_REPORT_CONFIG;
        const sel = await selection(o);
        const { compileReport, parseReportDate } = await compiler();
        const date = o.date === undefined ? undefined : parseReportDate(o.date);
        const api = committeeApi();
        const result = api
          ? await compiledThroughApi(api, o, date)
          : await withDb((db) =>
              compileReport(db, { selection: sel, config, outDir: path.resolve(o.out), actor: o.actor, ...(date ? { date } : {}) }),
            );
        if (o.json) return printJson(result);
        process.stdout.write(
          `${result.number} (${result.numberCreated ? 'new number in the register' : 'number kept from the first compilation'}), ` +
            `dated ${result.date}${result.previousDate ? ` (was ${result.previousDate})` : ''}\n` +
            `  ${result.files.docx}\n  ${result.files.html}\n  ${result.files.json}\n` +
            (`${result.figures} figures; each is traced by \`chuky report explain ` +
              `ID ${o.years ? `--years ${o.years}` : (o.cycle ?? []).map((c) => `--cycle ${c}`).join(' ')}\`\n`),
        );
      }),
    );

  withSelection(report.command('explain').argument('<figure>', 'a figure id, e.g. unit.violatedPledge or unit.violatedPledge@2022'))
    .description('List the submissions and records a figure of the report was summed from')
    .option('--json', 'print as JSON')
    .action(
      action(async (figure: string, o: SelectionOptions & { json?: boolean }) => {
        const [{ analyse, loadYears }, { explainFigure }, { printJson, printTable, withDb }] = await Promise.all([
          compiler(),
          explainer(),
          common(),
        ]);
        const sel = await selection(o);
        const { explainAcrossLevels, leveledRows } = await import('../../report/explain-levels.js');
        const api = committeeApi();
        const e = api
          ? await api.get<LeveledExplanation>(apiPath('reports', 'explain', figure), selectionQuery(o))
          : await withDb(async (db) => {
              const { years } = await loadYears(db, sel);
              // An addend that a committee sent up from its own cycle is followed down to its units (issue 17).
              return explainAcrossLevels(db, explainFigure(analyse(years).figures, figure, years));
            });
        if (o.json) return printJson(e);
        process.stdout.write(`${e.figure.id}: ${e.figure.label}\n`);
        printTable(leveledRows(e), ['year', 'source', 'unit', 'phase', 'field', 'value']);
        const per = Object.entries(e.figure.byYear)
          .map(([y, v]) => `${y}: ${v}`)
          .join(', ');
        process.stdout.write(
          `total ${e.total}${e.year === undefined ? ` (${per})` : ` in ${e.year}`} from ${e.contributions.length} source(s)\n`,
        );
      }),
    );

  withSelection(report.command('figures'))
    .description('Every figure of the report with its value per year (the ids `report explain` takes)')
    .option('--json', 'print as JSON')
    .action(
      action(async (o: SelectionOptions & { json?: boolean }) => {
        const [{ analyse, loadYears }, { printJson, printTable, withDb }] = await Promise.all([compiler(), common()]);
        const sel = await selection(o);
        const api = committeeApi();
        const { figures, yearList } = api
          ? await api
              .get<{ years: number[]; figures: FigureRow[] }>('/reports/figures', selectionQuery(o))
              .then((r) => ({ figures: r.figures, yearList: r.years }))
          : await withDb(async (db) => {
              const { years } = await loadYears(db, sel);
              const all: FigureRow[] = analyse(years)
                .figures.all()
                .map(({ contributions: _c, ...f }) => f);
              return { figures: all, yearList: years.map((y) => y.year) };
            });
        if (o.json) return printJson(figures);
        printTable(
          figures.map((f) => ({
            id: f.id,
            total: f.value,
            ...Object.fromEntries(yearList.map((y) => [String(y), f.byYear[y] ?? 0])),
            label: f.label,
          })),
          ['id', ...yearList.map(String), 'total', 'label'],
        );
      }),
    );

  const upward = report
    .command('upward')
    .description("A committee's year-end report to its superior, from its own closed (child) cycle: draft it, check and edit it, send it");
  const upwardSubmit = () => import('../../report/upward-submit.js');
  upward
    .command('draft')
    .description(
      'Write the draft (YAML: every figure summed from the closed cycle, with what it sums; the narrative from the ' +
        "units' reports) for the clerk to check, edit with a reason, and confirm",
    )
    .requiredOption('--cycle <id>', 'the committee’s own cycle, closed, whose cycle file names a parent')
    .option('--out <file>', 'where to write it (default: CYCLE-bao-cao-len-cap-tren.yaml in this directory)')
    .option('--json', 'print the draft as JSON instead of writing the file')
    .action(
      action(async (o: { cycle: string; out?: string; json?: boolean }) => {
        const [{ prepareUpward, upwardFileText }, { printJson, withDbToRead }, fs] = await Promise.all([
          upwardSubmit(),
          import('../with-db.js').then(async (w) => ({ ...w, ...(await import('../print.js')) })),
          import('node:fs'),
        ]);
        // The draft as data and as the file's text: from the database, or from the operator API (a committee's token).
        const api = committeeApi();
        const { fileText, ...draft } = api
          ? await api.get<UpwardDraftJson & { fileText: string }>(apiPath('cycles', o.cycle, 'upward-draft'))
          : await withDbToRead(async (db) => {
              const p = await prepareUpward(db, o.cycle);
              return { childCycleId: p.child.id, parent: p.parent, ...p.draft, fileText: upwardFileText(p) };
            });
        if (o.json) return printJson(draft);
        const out = path.resolve(o.out ?? `${o.cycle}-bao-cao-len-cap-tren.yaml`);
        fs.writeFileSync(out, fileText);
        process.stdout.write(
          `${out}: draft of ${draft.parent.unitCode}'s year-end report to ${draft.parent.cycleId}, from ${draft.childCycleId} ` +
            `(${draft.units} units). Check it, write confirmedBy (and editReason if you change anything), then\n` +
            `  chuky report upward submit --cycle ${draft.childCycleId} --file ${o.out ?? path.basename(out)}\n`,
        );
      }),
    );
  upward
    .command('submit')
    .description(
      "Send the checked draft to the superior's cycle as this committee's year-end report (the same validation as " +
        "a unit's form); fields changed from the draft need editReason, recorded with them",
    )
    .requiredOption('--cycle <id>', 'the committee’s own cycle the draft was made from')
    .requiredOption('--file <file>', 'the draft, checked and confirmed')
    .option('--actor <name>', 'who sends it (kept in the audit log)', process.env.USER ?? 'operator')
    .option('--json', 'print the result as JSON')
    .action(
      action(async (o: { cycle: string; file: string; actor: string; json?: boolean }) => {
        const [{ submitUpward }, { withTemporalAndDb }, { printJson }, { migrate }] = await Promise.all([
          upwardSubmit(),
          import('../with-temporal.js'),
          import('../print.js'),
          import('../../db/migrate.js'),
        ]);
        const api = committeeApi();
        const r = api
          ? await submittedThroughApi(api, o)
          : await withTemporalAndDb(async ({ client, db, addresses }) => {
              await migrate(addresses.databaseUrl);
              return submitUpward(db, client, { childCycleId: o.cycle, file: o.file, actor: `operator:${o.actor}` });
            });
        if (o.json) return printJson(r);
        process.stdout.write(
          `${r.unitCode}'s year-end report ${r.created ? 'sent to' : 'was already sent to'} ${r.parentCycleId}: version ` +
            `${r.receipt.version}${r.receipt.late ? ' (late)' : ''}, status ${r.receipt.status}; ` +
            `${r.edits.length ? `${r.edits.length} field(s) edited from the draft: ${r.edits.map((e) => e.field).join(', ')}` : 'as drafted'}\n`,
        );
      }),
    );

  report
    .command('template')
    .description(
      "Write the workbook to fill with a past year's data (units with their year-end report, one " +
        'sheet per kind of committee record) for `chuky cycle import-year`',
    )
    .requiredOption('--year <year>', 'the year the workbook is for, e.g. 2024', (v) => Number(v))
    .requiredOption('--out <file>', 'the workbook to write (.xlsx)')
    .option(
      '--config <file>',
      "a cycle file: the committee's code and name, and its units file to prefill the units sheet (code, name, kind)",
    )
    .option('--json', 'print the result as JSON')
    .action(
      action(async (o: { year: number; out: string; config?: string; json?: boolean }) => {
        const [{ writeTemplate }, { loadCycleFileAsync }, { printJson }] = await Promise.all([
          import('../../report/past-years/template.js'),
          import('../../config/cycle.js'),
          import('../print.js'),
        ]);
        const loaded = o.config ? await loadCycleFileAsync(o.config) : undefined;
        const out = path.resolve(o.out);
        await writeTemplate(out, {
          year: o.year,
          ...(loaded
            ? {
                committeeCode: loaded.definition.committee.code,
                committeeName: loaded.definition.committee.name,
                units: loaded.units.map((u) => ({ code: u.code, name: u.name, kind: u.kind })),
              }
            : {}),
        });
        const units = loaded?.units.length ?? 0;
        if (o.json) return printJson({ file: out, year: o.year, units });
        process.stdout.write(
          `${out}: workbook for ${o.year}${units ? `, ${units} units prefilled` : ''}; fill it, then ` +
            `\`chuky cycle import-year --file ${o.out} --config ${o.config ?? 'CYCLE.yaml'} --dry-run\`\n`,
        );
      }),
    );

  report
    .command('example-data')
    .description(
      'Write three frozen example years (2021-2023) of a committee whose figures are the seed ' +
        "review's, to try `report compile --years 2021-2023`",
    )
    .option('--committee <code>', 'committee code of the example cycles', 'DUK-HT')
    .option('--units <n>', 'units in the last year', (v) => Number(v), 150)
    .option('--json', 'print as JSON')
    .action(
      action(async (o: { committee: string; units: number; json?: boolean }) => {
        const [{ writeSeedHistory }, { printJson, withDb }] = await Promise.all([import('../../demo-data/seed-history.js'), common()]);
        await withDb(async (db) => {
          const r = await writeSeedHistory(db, { committeeCode: o.committee, units: o.units });
          if (o.json) return printJson(r);
          r.cycleIds.forEach((id, i) =>
            process.stdout.write(`${id}: ${r.created[i] ? 'written and frozen' : 'already there, left as it was'}\n`),
          );
        });
      }),
    );
}
