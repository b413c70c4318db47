import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium (`apt-get install chromium`; .ci/run installs it): no browser is ever downloaded. */
export const CHROMIUM = '/usr/bin/chromium';

/** Where browser tests leave their screenshots (gitignored; CI keeps the folder). */
export const SCREENSHOTS = resolve(__dirname, '../../test-output/screenshots');

/**
 * Launches headless Debian chromium through playwright-core. Playwright starts it with a fresh
 * temporary profile (its own --user-data-dir, removed on close); the flags keep it from calling
 * home: no background networking, component updates, sync or QUIC.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** The path of a screenshot named `name` (the folder is created). */
export function screenshotPath(name: string): string {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return join(SCREENSHOTS, `${name}.png`);
}
