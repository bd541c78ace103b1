/**
 * A real Chromium for the browser tests, driven by playwright-core (which downloads no browser of its own):
 * CHROMIUM_PATH when set, else Debian's /usr/bin/chromium (`.ci/run` installs it), else a clear error.
 */
import fs from 'node:fs';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/**
 * Flags for a machine without a network or a display: no sandbox (root in a container), no GPU, and none of the
 * background connections (component updates, sync, QUIC probes) a closed network would refuse.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The Chromium executable to use, or an error saying how to get one. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  const named = env.CHROMIUM_PATH?.trim();
  if (named) {
    if (!fs.existsSync(named)) throw new Error(`CHROMIUM_PATH=${named} does not exist: point it at a Chromium or Chrome executable, or unset it to use ${DEFAULT_CHROMIUM}`);
    return named;
  }
  if (fs.existsSync(DEFAULT_CHROMIUM)) return DEFAULT_CHROMIUM;
  throw new Error(
    `No Chromium for the browser tests: ${DEFAULT_CHROMIUM} is missing and CHROMIUM_PATH is not set. ` +
      `Install Debian's package (\`sudo apt-get install -y chromium\`; .ci/run does this), ` +
      `or set CHROMIUM_PATH to a Chromium or Chrome executable. (\`npx playwright install\` is not used.)`,
  );
}

/** Launches headless Chromium (CHROMIUM_PATH, else /usr/bin/chromium). */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS });
}

/** A fresh context the size of a phone (390×844, touch), in Vietnamese. */
export function phoneContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'vi-VN',
    timezoneId: 'Asia/Ho_Chi_Minh',
  });
}
