/**
 * A Chromium for the browser tests, found or provisioned like every other part: CHROMIUM_PATH, else Debian's
 * /usr/bin/chromium, else installed from Debian's packages (as root, or with password-less sudo). Playwright's
 * own browser download is not used: it does not reach this kind of machine.
 */
import fs from 'node:fs';
import { defaultLog, type StackLog } from './log.js';
import { installDebianPackages } from './debian-package.js';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

let installing: Promise<string> | undefined;

export function ensureChromium(log: StackLog = defaultLog, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const named = env.CHROMIUM_PATH?.trim();
  if (named) {
    if (!fs.existsSync(named))
      return Promise.reject(new Error(`CHROMIUM_PATH=${named} does not exist: point it at a Chromium or Chrome executable, or unset it`));
    return Promise.resolve(named);
  }
  if (fs.existsSync(DEFAULT_CHROMIUM)) return Promise.resolve(DEFAULT_CHROMIUM);
  installing ??= install(log).finally(() => {
    installing = undefined;
  });
  return installing;
}

async function install(log: StackLog): Promise<string> {
  // With its recommends, as chuky has always installed it: they bring the fonts and codecs pages expect.
  await installDebianPackages(['chromium'], 'the browser tests', log, { noInstallRecommends: false, alternative: 'or set CHROMIUM_PATH' });
  if (!fs.existsSync(DEFAULT_CHROMIUM)) throw new Error(`apt-get installed chromium but ${DEFAULT_CHROMIUM} is missing; set CHROMIUM_PATH`);
  return DEFAULT_CHROMIUM;
}
