import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Where the tests expect Debian's Chromium. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

// Quiet flags: no sandbox (containers), no GPU, and nothing that phones home, so every request
// a test sees comes from the page under test.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Says whether browser tests can run. Outside CI a missing Chromium skips them; in CI
 * (`CI=true`) it is an error, so a broken image can never pass by skipping its browser tests.
 */
export const chromiumAvailable = (): boolean => {
  if (existsSync(CHROMIUM_PATH)) return true;
  if (process.env.CI === 'true') {
    throw new Error(
      `Chromium is missing at ${CHROMIUM_PATH} and CI=true, ` +
        'so browser tests cannot be skipped: apt-get install chromium',
    );
  }
  return false;
};

/** Launches headless Chromium for a test suite; the caller closes it in afterAll. */
export const launchChromium = (): Promise<Browser> =>
  chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
