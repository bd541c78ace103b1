// Where the project lives on disk, and where the stack keeps downloaded tools
// (.tools/) and runtime state (.data/). Both folders are gitignored.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'chuky';

let cachedRoot: string | undefined;

function isChukyPackageDir(dir: string): boolean {
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) return false;
  try {
    const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown };
    return parsed.name === PACKAGE_NAME;
  } catch {
    return false;
  }
}

/**
 * The folder holding chuky's package.json. We walk up from this module's own
 * location rather than trusting process.cwd(), so the answer is the same from
 * source (`stack/`, run by vitest or tsx) and from compiled code (`dist/stack/`),
 * whatever folder the command was started in.
 */
export function projectRoot(): string {
  if (cachedRoot) return cachedRoot;
  const start = dirname(fileURLToPath(import.meta.url));
  let dir = start;
  for (;;) {
    if (isChukyPackageDir(dir)) {
      cachedRoot = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`Cannot find the chuky project root: no package.json named "${PACKAGE_NAME}" above ${start}`);
}

/** Cache of provisioned binaries (Temporal CLI, test server). */
export function toolsDir(): string {
  return join(projectRoot(), '.tools');
}

/** Default home of runtime state: SQLite file of the dev server, Postgres cluster, stored mail. */
/** Runtime data (databases, mail, services.json): CHUKY_DATA_DIR, else .data/ in the project. */
export function dataDir(): string {
  return process.env.CHUKY_DATA_DIR || join(projectRoot(), '.data');
}
