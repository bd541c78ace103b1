/**
 * `chuky cycle import-year`: a past year from a filled workbook (`chuky report template`) into chuky as a frozen
 * year. The body lives here; `cycle.ts` registers it under `chuky cycle`.
 */
import fs from 'node:fs';
import type { Command } from 'commander';
import { action } from '../action.js';

export function registerImportYearCommand(cycle: Command): void {
  cycle
    .command('import-year')
    .description(
      'Import a past year from a filled workbook (`chuky report template`) as a frozen year that ' +
        '`report compile --years` and `report explain` read. ' +
        ("Every row is checked with the forms' and records API's own rules; any error imports " +
          'nothing. A year already in chuky is refused (frozen years cannot be replaced)'),
    )
    .requiredOption('--file <xlsx>', 'the filled workbook')
    .requiredOption(
      '-c, --config <file>',
      "the committee's cycle file (committee names and codes, time zone, targets; its units list supplies secretaries' contacts)",
    )
    .option('--dry-run', 'check every row and say what would be imported; write nothing')
    .option('--by <name>', 'who imports it (kept with the year and in the audit log)', process.env.USER ?? 'operator')
    .option('--json', 'print the result as JSON')
    .action(
      action(async (o: { file: string; config: string; dryRun?: boolean; by: string; json?: boolean }) => {
        const [{ importYear, describeImport, ImportYearError }, { loadCycleFileAsync }, { printJson }, { withDb }] = await Promise.all([
          import('../../report/past-years/import.js'),
          import('../../config/cycle.js'),
          import('../print.js'),
          import('../with-db.js'),
        ]);
        const loaded = await loadCycleFileAsync(o.config);
        let content: Buffer;
        try {
          content = fs.readFileSync(o.file);
        } catch (err) {
          throw new Error(`${o.file}: không đọc được tệp (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, {
            cause: err,
          });
        }
        await withDb(async (db) => {
          try {
            const r = await importYear(db, {
              file: o.file,
              content,
              definition: loaded.definition,
              configUnits: loaded.units,
              by: o.by,
              dryRun: Boolean(o.dryRun),
            });
            if (o.json) printJson(r);
            else process.stdout.write(describeImport(r));
            if (r.errors.length) process.exitCode = 1;
          } catch (err) {
            if (!(err instanceof ImportYearError)) throw err;
            if (o.json) printJson({ imported: false, workbook: err.workbook, errors: err.issues });
            else process.stderr.write(`${err.message}\n`);
            process.exitCode = 1;
          }
        });
      }),
    );
}
