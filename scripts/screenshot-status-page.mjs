#!/usr/bin/env node
// Takes the README's picture of the status page from the demo: runs `sendpulse-monitor demo` (private
// redis-server, the simulator, the worker), waits until the "demo" account's balance has dropped and
// the charts hold some history, and screenshots the overview with Debian's chromium
// (playwright-core, no browser download). Usage: npm run build && node scripts/screenshot-status-page.mjs [OUT.png]
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(process.argv[2] ?? `${root}/docs/status-page.png`);
const DROP_AFTER_S = 25;
const HISTORY_S = 170; // past a quarter of the demo's 10-minute runway window: the forecast needs that much history

const demo = spawn(process.execPath, [`${root}/dist/src/cli/index.js`, 'demo', '--port', '0', '--drop-after', `${DROP_AFTER_S}s`],
  { env: { ...process.env, REDIS_URL: '' }, stdio: ['ignore', 'pipe', 'inherit'] });
let text = '';
demo.stdout.on('data', (d) => { text += d; });
const exited = new Promise((r) => demo.once('exit', r));

async function until(what, check, timeoutMs) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check().catch(() => null);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

let browser;
try {
  const url = await until('the demo to print its status URL', async () => /status:\s+(http:\/\/[^/\s]+)\//.exec(text)?.[1], 30_000);
  process.stderr.write(`demo at ${url}; waiting ${HISTORY_S} s for the balance drop and some history\n`);
  await until('the demo account to turn critical', async () => {
    const d = await (await fetch(`${url}/api/v1/accounts`)).json();
    return d.accounts.find((a) => a.name === 'demo')?.severity === 'critical';
  }, (DROP_AFTER_S + 30) * 1000);
  await new Promise((r) => setTimeout(r, Math.max(0, HISTORY_S - DROP_AFTER_S) * 1000));
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 }, deviceScaleFactor: 1 });
  await page.goto(`${url}/`);
  await page.screenshot({ path: out, fullPage: true });
  process.stderr.write(`wrote ${out}\n`);
} finally {
  await browser?.close();
  demo.kill('SIGINT');
  await exited;
}
