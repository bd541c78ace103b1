/**
 * A Chromium for the browser tests, found or provisioned like every other part: CHROMIUM_PATH, else Debian's
 * /usr/bin/chromium, else installed from Debian's packages (as root, or with password-less sudo). Playwright's
 * own browser download is not used: it does not reach this kind of machine.
 */
import fs from 'node:fs';
import { defaultLog, type StackLog } from './log.js';
import { runCommand, succeeded, describeResult } from './run-command.js';
import { findOnPath } from './find-executable.js';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

let installing: Promise<string> | undefined;

export function ensureChromium(log: StackLog = defaultLog, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const named = env.CHROMIUM_PATH?.trim();
  if (named) {
    if (!fs.existsSync(named)) return Promise.reject(new Error(`CHROMIUM_PATH=${named} does not exist: point it at a Chromium or Chrome executable, or unset it`));
    return Promise.resolve(named);
  }
  if (fs.existsSync(DEFAULT_CHROMIUM)) return Promise.resolve(DEFAULT_CHROMIUM);
  installing ??= install(log).finally(() => {
    installing = undefined;
  });
  return installing;
}

async function install(log: StackLog): Promise<string> {
  if (!findOnPath('apt-get')) {
    throw new Error(`No Chromium: ${DEFAULT_CHROMIUM} is missing, CHROMIUM_PATH is not set, and apt-get is not available to install it`);
  }
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const opts = { env, timeoutMs: 15 * 60_000 };
  const run = (args: string[]) => (root ? runCommand(args[0]!, args.slice(1), opts) : runCommand('sudo', ['-n', ...args], opts));
  log(`installing Debian's chromium for the browser tests (${root ? 'as root' : 'with sudo'})…`);
  for (const args of [['apt-get', 'update', '-q'], ['apt-get', 'install', '-y', '-q', 'chromium']]) {
    const result = await run(args);
    if (!succeeded(result)) throw new Error(`could not install chromium: ${args.join(' ')}\n${describeResult(result)}\nInstall it yourself (apt-get install chromium) or set CHROMIUM_PATH.`);
  }
  if (!fs.existsSync(DEFAULT_CHROMIUM)) throw new Error(`apt-get installed chromium but ${DEFAULT_CHROMIUM} is missing; set CHROMIUM_PATH`);
  return DEFAULT_CHROMIUM;
}
