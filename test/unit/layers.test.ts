/**
 * The direction of dependencies (README, "Folders"): domain → config, auth → workflows, activities, db, mail →
 * client, report → the programs people use (api, console, ops, registry, cli, rehearsal, workers). A module may
 * import from its own layer or below, never above; SQL is written only in db/. This test reads every product
 * source file's imports and string literals, so a change that breaks either rule fails here with the file and
 * line, not in a review.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../config/paths.js';

const ROOT = projectRoot();

/** Each product folder's layer. Tools (stack/, bench/, chaos/, scripts/, test/) are outside the product. */
const LAYER: Record<string, number> = {
  domain: 0,
  config: 1,
  auth: 1,
  workflows: 2,
  activities: 2,
  db: 2,
  mail: 2,
  client: 3,
  report: 3,
  'demo-data': 3,
  api: 4,
  console: 4,
  ops: 4,
  registry: 4,
  cli: 4,
  rehearsal: 4,
  workers: 4,
};

/**
 * Product code that may use the provisioning tools in stack/, and why. Everything else reaches services through
 * the environment (DATABASE_URL, TEMPORAL_ADDRESS, SMTP_URL), as production does.
 */
const MAY_USE_STACK: Record<string, string> = {
  'cli/commands/dev.ts': '`chuky dev` starts the development stack',
  'rehearsal/run.ts': '`chuky cycle rehearse` runs a year on its own private services',
  'workers/services.ts': 'the development services (`chuky dev`), loaded on demand; `isPortFree` checks a configured port',
  'cli/commands/stack.ts': '`chuky stack up` checks its development tools before starting them',
  'workers/topology.ts': '`chuky stack up` starts the production shape locally (real Temporal server, N workers, M APIs)',
};

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

const productFiles = Object.keys(LAYER)
  .filter((folder) => {
    try {
      return statSync(join(ROOT, folder)).isDirectory();
    } catch {
      return false;
    }
  })
  .flatMap((folder) => sourceFiles(join(ROOT, folder)))
  .map((path) => relative(ROOT, path));

const folderOf = (file: string): string => file.split('/')[0]!;

/** `import … from '…'`, `export … from '…'` and `import('…')` with a relative path, by line. */
function relativeImports(file: string): Array<{ line: number; target: string; typeOnly: boolean }> {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const found: Array<{ line: number; target: string; typeOnly: boolean }> = [];
  const pattern = /(import\s+type\b[^'"]*?from\s*|import\b[^'"]*?from\s*|export\b[^'"]*?from\s*|import\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;
  for (const m of text.matchAll(pattern)) {
    const line = text.slice(0, m.index).split('\n').length;
    const target = normalize(join(dirname(file), m[2]!));
    found.push({ line, target, typeOnly: /^import\s+type\b/.test(m[1]!) });
  }
  return found;
}

describe('dependencies flow one way', () => {
  it('finds the product files (a test that reads nothing proves nothing)', () => {
    expect(productFiles.length).toBeGreaterThan(150);
    expect(productFiles).toContain('workflows/unit.ts');
  });

  it('no module imports from a layer above its own', () => {
    const upward: string[] = [];
    for (const file of productFiles) {
      const from = folderOf(file);
      for (const imp of relativeImports(file)) {
        const to = folderOf(imp.target);
        if (to === from) continue;
        if (to === 'stack') {
          if (!MAY_USE_STACK[file]) upward.push(`${file}:${imp.line} imports ${imp.target} (provisioning, stack/)`);
          continue;
        }
        const layerTo = LAYER[to];
        if (layerTo === undefined) {
          upward.push(`${file}:${imp.line} imports ${imp.target}, outside the product (${to}/)`);
          continue;
        }
        // Workflows name their activities' interface as a type (proxyActivities<Activities>): no code crosses.
        if (from === 'workflows' && to === 'activities' && imp.typeOnly) continue;
        if (layerTo > LAYER[from]!)
          upward.push(`${file}:${imp.line} (${from}, layer ${LAYER[from]}) imports ${imp.target} (${to}, layer ${layerTo})`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('workflows import only domain code and their activities’ types (the bundle holds no I/O)', () => {
    const wrong: string[] = [];
    for (const file of productFiles.filter((f) => folderOf(f) === 'workflows')) {
      for (const imp of relativeImports(file)) {
        const to = folderOf(imp.target);
        if (to === 'workflows' || to === 'domain') continue;
        if (to === 'activities' && imp.typeOnly) continue;
        wrong.push(`${file}:${imp.line} imports ${imp.target}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('SQL lives in db/', () => {
  // A statement's opening words inside a string or template literal; prose in comments is not code.
  const SQL =
    /\b(SELECT\s+(?:DISTINCT\s+)?[\w*(]|INSERT\s+INTO\s|UPDATE\s+[a-z_]+\s+SET\s|DELETE\s+FROM\s|CREATE\s+TABLE\s|ALTER\s+TABLE\s)/;

  it('the rule is tested on SQL it must find', () => {
    expect(SQL.test("await db.query('SELECT code FROM units WHERE cycle_id = $1')")).toBe(true);
    expect(SQL.test('`UPDATE obligations SET status = $1`')).toBe(true);
    expect(SQL.test('`\n      SELECT\n        u.code')).toBe(true);
    expect(SQL.test('// Select the units that …')).toBe(false);
  });

  it('no product file outside db/ holds a SQL statement', () => {
    const found: string[] = [];
    for (const file of productFiles.filter((f) => folderOf(f) !== 'db')) {
      // Comments blanked (newlines kept, so line numbers hold); a statement may start on one line and go on.
      const code = readFileSync(join(ROOT, file), 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '))
        .replace(/(^|[^:'"`\\])\/\/[^\n]*/g, (c, lead: string) => lead + ' '.repeat(c.length - lead.length));
      for (const m of code.matchAll(new RegExp(SQL.source, 'g'))) {
        const line = code.slice(0, m.index).split('\n').length;
        found.push(`${file}:${line}: ${code.split('\n')[line - 1]!.trim().slice(0, 100)}`);
      }
    }
    expect(found).toEqual([]);
  });
});
