/**
 * Installs Debian packages with apt-get, for the parts of the stack that come from Debian rather than from a
 * registry (Chromium, LibreOffice). Runs as root directly, else through password-less `sudo -n` (never a
 * password prompt: this runs inside tests and CLI commands with nobody at the keyboard). Every failure says
 * what to run by hand.
 */
import { findOnPath } from './find-executable.js';
import { defaultLog, type StackLog } from './log.js';
import { describeResult, runCommand, succeeded } from './run-command.js';

export interface DebianInstallOptions {
  /**
   * Pass --no-install-recommends (default true): LibreOffice's recommendations alone are hundreds of megabytes
   * of desktop integration a headless converter never uses. Chromium keeps its recommends (false), as it
   * always has, because its fonts and codecs come through them.
   */
  noInstallRecommends?: boolean;
  /** Added to error messages after the hand-install command, e.g. "or set CHROMIUM_PATH". */
  alternative?: string;
  /** Per apt-get call; a fresh machine fetching LibreOffice can take several minutes. Default 15 minutes. */
  timeoutMs?: number;
}

// One apt-get at a time in this process: two callers (say, Chromium and LibreOffice provisioned by two test
// files' hooks) would otherwise collide on dpkg's lock and one would fail with "Could not get lock".
let queue: Promise<unknown> = Promise.resolve();
// The package lists are refreshed once per process; the second install reuses them.
let listsUpdated = false;

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function handCommand(packages: string[], noRecommends: boolean): string {
  return `sudo apt-get update && sudo apt-get install -y ${noRecommends ? '--no-install-recommends ' : ''}${packages.join(' ')}`;
}

export function installDebianPackages(
  packages: string[],
  purpose: string,
  log: StackLog = defaultLog,
  opts: DebianInstallOptions = {},
): Promise<void> {
  const run = queue.then(() => install(packages, purpose, log, opts));
  // The next caller waits for this one whether it succeeded or not.
  queue = run.catch(() => undefined);
  return run;
}

async function install(packages: string[], purpose: string, log: StackLog, opts: DebianInstallOptions): Promise<void> {
  if (packages.length === 0) return;
  const noRecommends = opts.noInstallRecommends ?? true;
  const byHand =
    `Install ${packages.length > 1 ? 'them' : 'it'} by hand ` +
    `(${handCommand(packages, noRecommends)})${opts.alternative ? ` ${opts.alternative}` : ''}.`;
  const what = `Debian's ${packages.join(', ')} (for ${purpose})`;
  if (!findOnPath('apt-get')) {
    throw new Error(`cannot install ${what}: apt-get is not available on this machine. ${byHand}`);
  }
  const root = isRoot();
  if (!root && !findOnPath('sudo')) {
    throw new Error(`cannot install ${what}: not running as root and sudo is not available. ${byHand}`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const runOpts = { env, timeoutMs: opts.timeoutMs ?? 15 * 60_000 };
  // apt waits up to 10 minutes for dpkg's lock held by another process (unattended-upgrades, a second chuky)
  // instead of failing at once; older apt versions ignore the unknown option.
  const lockWait = ['-o', 'DPkg::Lock::Timeout=600'];
  const steps: string[][] = [];
  if (!listsUpdated) steps.push(['apt-get', ...lockWait, 'update', '-q']);
  steps.push(['apt-get', ...lockWait, 'install', '-y', '-q', ...(noRecommends ? ['--no-install-recommends'] : []), ...packages]);
  log(`installing ${what} with apt-get (${root ? 'as root' : 'with sudo'}); this can take a few minutes…`);
  const started = Date.now();
  for (const args of steps) {
    const result = root ? await runCommand(args[0]!, args.slice(1), runOpts) : await runCommand('sudo', ['-n', ...args], runOpts);
    if (!succeeded(result)) {
      const sudoHint =
        !root && /password is required|a terminal is required/i.test(result.stderr)
          ? '\nsudo asked for a password; chuky only uses password-less sudo (sudo -n).'
          : '';
      throw new Error(`could not install ${what}:\n${describeResult(result)}${sudoHint}\n${byHand}`);
    }
    if (args.includes('update')) listsUpdated = true;
  }
  log(`installed ${packages.join(', ')} in ${Math.round((Date.now() - started) / 1000)} s`);
}
