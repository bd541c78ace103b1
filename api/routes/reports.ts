/**
 * The committee's reports over the operator API, for `chuky report …` run with a committee's token (issue 17):
 *   GET  /reports/figures?cycle=…&cycle=…|years=2021-2023[&committee=]   `report figures`
 *   GET  /reports/explain/:figure?…                                      `report explain` (across levels)
 *   POST /reports/compile   { cycles?|years?, committee?, date?, actor?, config?: { file, text } }
 *                           `report compile`: the register's number, and the DOCX (base64), HTML and JSON
 *   GET  /cycles/:cycle/upward-draft                                    `report upward draft`
 *   POST /cycles/:cycle/upward   { file, text, actor? }                 `report upward submit`
 * A selection is checked against the caller's scope before anything is read: a cycle of another committee is
 * "no such cycle", a years' selection without a committee is the caller's own committee's, and an explanation
 * follows a figure down only into the committees the caller may see.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { isConfigError } from '../../config/errors.js';
import { accessToCycle, acts, sees, visibleCycles, type Scope } from '../../db/committee-scope.js';
import type { Db } from '../../db/pool.js';
import type { CycleSelection } from '../../report/compile.js';
import type { LeveledExplanation } from '../../report/explain-levels.js';
import { readOnly, type ApiScopeEnv } from '../api-scope.js';

// The report's code (docx, charts, fonts) is loaded by these routes only when one is called.
const compiler = () => import('../../report/compile.js');

class Refusal extends Error {
  constructor(
    message: string,
    readonly status: 400 | 403 | 404 | 409,
  ) {
    super(message);
  }
}

/** The selection a query or body names, within the caller's scope. */
async function scopedSelection(
  db: Db,
  scope: Scope,
  q: { cycles: string[]; years?: string | undefined; committee?: string | undefined },
  /** 'act' for a compilation (it numbers a document in the committee's register): its own committee's only. */
  mode: 'read' | 'act' = 'read',
): Promise<CycleSelection> {
  const { parseYears } = await compiler();
  if (q.cycles.length && q.years) throw new Refusal('give either cycle or years, not both', 400);
  if (q.cycles.length) {
    for (const id of q.cycles) {
      const access = await accessToCycle(db, scope, id);
      if (access === 'unseen') throw new Refusal(`no such cycle: ${id}`, 404);
      if (access === 'read-only' && mode === 'act') throw new Refusal(readOnly(id), 403);
    }
    return { cycleIds: q.cycles };
  }
  if (!q.years) throw new Refusal('which cycles? give cycle=ID (repeatable) or years=2021-2023 [&committee=CODE]', 400);
  // A committee's caller asks for its own committee's years unless it names one it may see.
  const committee = q.committee || (scope.all ? undefined : scope.root);
  if (committee && !sees(scope, committee)) throw new Refusal(`no committee ${committee}`, 404);
  if (committee && mode === 'act' && !acts(scope, committee))
    throw new Refusal(`committee ${committee} is under yours: its reports are compiled by its own committee`, 403);
  let years: number[];
  try {
    years = parseYears(q.years);
  } catch (err) {
    throw new Refusal((err as Error).message, 400);
  }
  return { years, ...(committee ? { committeeCode: committee } : {}) };
}

/** An explanation without the levels below that the caller may not see (a committee without its subtree). */
function prune(e: LeveledExplanation, visible: ReadonlySet<string> | undefined): LeveledExplanation {
  if (!visible) return e;
  return {
    ...e,
    contributions: e.contributions.map((c) => {
      if (!c.below) return c;
      if (!visible.has(c.below.childCycleId)) {
        const { below: _hidden, ...rest } = c;
        return rest;
      }
      return { ...c, below: { ...c.below, parts: c.below.parts.map((p) => ({ ...p, explanation: prune(p.explanation, visible) })) } };
    }),
  };
}

const CompileBody = z.strictObject({
  cycles: z.array(z.string().min(1)).optional(),
  years: z.string().optional(),
  committee: z.string().optional(),
  date: z.string().optional(),
  actor: z.string().trim().min(1).max(200).optional(),
  config: z.strictObject({ file: z.string().min(1), text: z.string() }).optional(),
});

const UpwardBody = z.strictObject({
  file: z.string().min(1),
  text: z.string(),
  actor: z.string().trim().min(1).max(200).optional(),
});

/** What a report route answers for the errors a caller can fix: the same words the command line prints. */
async function answerRefusal(c: Context, err: unknown): Promise<Response> {
  const [{ ReportError }, { UnknownFigureError }] = await Promise.all([compiler(), import('../../report/explain.js')]);
  if (err instanceof Refusal) return c.json({ error: err.message }, err.status);
  if (isConfigError(err)) return c.json({ error: err.message, issues: err.issues }, 400);
  if (err instanceof ReportError || err instanceof UnknownFigureError) return c.json({ error: err.message }, 400);
  throw err;
}

const bodyError = (issues: z.core.$ZodIssue[]) => issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');

export function registerReportRoutes(api: Hono<ApiScopeEnv>, deps: { db: Db; client: Client }): void {
  const fromQuery = (c: Context) => ({
    cycles: c.req.queries('cycle') ?? [],
    years: c.req.query('years'),
    committee: c.req.query('committee'),
  });

  api.get('/reports/figures', async (c: Context<ApiScopeEnv>) => {
    try {
      const { analyse, loadYears } = await compiler();
      const { years } = await loadYears(deps.db, await scopedSelection(deps.db, c.get('apiScope'), fromQuery(c)));
      return c.json({
        years: years.map((y) => y.year),
        figures: analyse(years)
          .figures.all()
          .map(({ contributions: _c, ...f }) => f),
      });
    } catch (err) {
      return answerRefusal(c, err);
    }
  });

  api.get('/reports/explain/:figure', async (c: Context<ApiScopeEnv>) => {
    try {
      const [{ analyse, loadYears }, { explainFigure }, { explainAcrossLevels }] = await Promise.all([
        compiler(),
        import('../../report/explain.js'),
        import('../../report/explain-levels.js'),
      ]);
      const scope = c.get('apiScope');
      const { years } = await loadYears(deps.db, await scopedSelection(deps.db, scope, fromQuery(c)));
      const e = await explainAcrossLevels(deps.db, explainFigure(analyse(years).figures, c.req.param('figure') ?? '', years));
      return c.json(prune(e, await visibleCycles(deps.db, scope)));
    } catch (err) {
      return answerRefusal(c, err);
    }
  });

  api.post('/reports/compile', async (c: Context<ApiScopeEnv>) => {
    const parsed = CompileBody.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) return c.json({ error: bodyError(parsed.error.issues) }, 400);
    const b = parsed.data;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chuky-report-'));
    try {
      const [{ compileReport, parseReportDate }, { DEFAULT_REPORT_CONFIG, parseReportYaml }] = await Promise.all([
        compiler(),
        import('../../config/report.js'),
      ]);
      const selection = await scopedSelection(deps.db, c.get('apiScope'), {
        cycles: b.cycles ?? [],
        years: b.years,
        committee: b.committee,
      });
      const config = b.config ? parseReportYaml(b.config.text.normalize('NFC'), b.config.file) : DEFAULT_REPORT_CONFIG;
      const date = b.date === undefined ? undefined : parseReportDate(b.date, 'date');
      const result = await compileReport(deps.db, {
        selection,
        config,
        outDir: dir,
        actor: (b.actor ?? 'api').normalize('NFC'),
        ...(date ? { date } : {}),
      });
      const read = (f: string) => fs.readFileSync(f);
      return c.json({
        result: { ...result, files: Object.fromEntries(Object.entries(result.files).map(([k, f]) => [k, path.basename(f)])) },
        contents: {
          docx: read(result.files.docx).toString('base64'),
          html: read(result.files.html).toString('utf8'),
          json: read(result.files.json).toString('utf8'),
        },
      });
    } catch (err) {
      return answerRefusal(c, err);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  api.get('/cycles/:cycle/upward-draft', async (c: Context<ApiScopeEnv>) => {
    const { prepareUpward, upwardFileText } = await import('../../report/upward-submit.js');
    try {
      const p = await prepareUpward(deps.db, c.req.param('cycle') ?? '');
      return c.json({ childCycleId: p.child.id, parent: p.parent, ...p.draft, fileText: upwardFileText(p) });
    } catch (err) {
      return answerRefusal(c, err);
    }
  });

  api.post('/cycles/:cycle/upward', async (c: Context<ApiScopeEnv>) => {
    const parsed = UpwardBody.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) return c.json({ error: bodyError(parsed.error.issues) }, 400);
    const { submitUpwardText } = await import('../../report/upward-submit.js');
    try {
      return c.json(
        await submitUpwardText(deps.db, deps.client, {
          childCycleId: c.req.param('cycle') ?? '',
          file: parsed.data.file,
          source: parsed.data.text,
          actor: `api:${(parsed.data.actor ?? 'api').normalize('NFC')}`,
          role: 'api',
          via: 'api',
        }),
      );
    } catch (err) {
      return answerRefusal(c, err);
    }
  });
}
