/**
 * A real Chromium for the browser tests, driven by playwright-core (which downloads no browser of its own):
 * CHROMIUM_PATH when set, else Debian's /usr/bin/chromium, installed when missing (stack/chromium.ts).
 */
import { ensureChromium } from '../../stack/chromium.js';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

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

/** Launches headless Chromium (CHROMIUM_PATH, else /usr/bin/chromium). */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: await ensureChromium(), headless: true, args: CHROMIUM_ARGS });
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
