/**
 * The workflow bundle of a past release, built from its commit's sources: what the workers ran while the years
 * now in progress were started. test/workflow/two-bundles.test.ts runs a year's first months on it and the rest on
 * today's code, as a deploy in the middle of a year does.
 *
 * Only the workflow code is taken from the release (workflows/, and the domain/ and activities/ sources it
 * imports; activities/ for its types only): the bundle is what decides whether a running workflow replays. The
 * packages (node_modules) are today's, as a deploy keeps the lockfile's versions unless it says otherwise.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger, type WorkflowBundle } from '@temporalio/worker';
import { projectRoot } from '../../config/paths.js';

/**
 * The last release before issue 14's refactor of the unit and inspection workflows into a shared ladder
 * (workflows/ladder.ts): "One form field for the members reason" (5 Dec 2026). Tagged `release-2026-12-05` in
 * the repository (a lightweight tag; `git tag release-2026-12-05 04da668` where it is missing).
 */
export const RELEASE_BEFORE_ISSUE_14 = { commit: '04da668', tag: 'release-2026-12-05' } as const;

/** The folders of a release a workflow bundle is built from (workers/bundle.ts bundles workflows/index). */
const BUNDLE_SOURCES = ['workflows', 'domain', 'activities'];
/** The modules workers/bundle.ts preloads, as paths without their extension. */
const PRELOADED = ['workflows/preload', 'domain/calendar'];

function git(args: string[]): string {
  return execFileSync('git', args, { cwd: projectRoot(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** The full hash of `commit`, or an error that says how to get it into a shallow or partial clone. */
export function resolveCommit(commit: string): string {
  const probe = spawnSync('git', ['cat-file', '-e', `${commit}^{commit}`], { cwd: projectRoot(), stdio: 'ignore' });
  if (probe.status !== 0) {
    const shallow =
      spawnSync('git', ['rev-parse', '--is-shallow-repository'], { cwd: projectRoot(), encoding: 'utf8' }).stdout.trim() === 'true';
    throw new Error(
      `this clone has no commit ${commit} (the release ${RELEASE_BEFORE_ISSUE_14.tag} the two-bundle test starts its year on)` +
        (shallow ? ': it is a shallow clone. Fetch the history with `git fetch --unshallow`' : ': fetch it with `git fetch origin`') +
        ` (or \`git fetch origin ${commit}\`; on CI, checkout with fetch-depth: 0), then run the test again.`,
    );
  }
  return git(['rev-parse', `${commit}^{commit}`]);
}

/**
 * Writes the release's workflow sources into a new temporary folder beside a link to today's node_modules (so
 * webpack finds @temporalio/workflow and zod as the worker does) and returns the folder. The caller removes it.
 */
export function checkoutWorkflowSources(commit: string): string {
  const full = resolveCommit(commit);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `chuky-release-${full.slice(0, 7)}-`));
  const archive = execFileSync('git', ['archive', '--format=tar', full, ...BUNDLE_SOURCES], {
    cwd: projectRoot(),
    maxBuffer: 256 * 1024 * 1024,
  });
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  fs.symlinkSync(path.join(projectRoot(), 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

const source = (dir: string, relative: string) => {
  const base = path.join(dir, relative);
  return fs.existsSync(`${base}.ts`) ? `${base}.ts` : `${base}.js`;
};

/** The workflow bundle of `commit`, built as workers/bundle.ts builds today's (same entry, preloads, aliases). */
export async function releaseWorkflowBundle(commit: string = RELEASE_BEFORE_ISSUE_14.commit): Promise<WorkflowBundle> {
  const dir = checkoutWorkflowSources(commit);
  try {
    return await bundleWorkflowCode({
      workflowsPath: source(dir, 'workflows/index'),
      preloadModules: PRELOADED.map((p) => source(dir, p)).filter((p) => fs.existsSync(p)),
      logger: new DefaultLogger('WARN'),
      webpackConfigHook: (config) => ({ ...config, resolve: { ...config.resolve, extensionAlias: { '.js': ['.ts', '.js'] } } }),
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
