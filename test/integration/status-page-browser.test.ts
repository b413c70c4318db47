import type { Browser, Page } from 'playwright-core';
import { sampleBalanceDetail, sampleTeam, sampleUserInfo } from '../../src/simulator/default-accounts';
import type { AccountDetail, OverviewData } from '../../src/status/status-types';
import { launchChromium, screenshotPath } from '../helpers/browser';
import { killAll, spawnCli, startMonitorEnv, type CliProcess, type MonitorEnv } from '../helpers/monitor-env';
import { waitFor } from '../helpers/wait-for';

/** A tariff name as hostile as SendPulse could send: markup, both quotes, an entity and Cyrillic. */
const EVIL_TARIFF = `<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">"'&amp; Тариф «Бизнес»`;
/** Balance polls every second; the page updates itself every 5 s (the shortest it does). */
const POLL_S = 1;
const REFRESH_S = 5;

/** The status page in a real headless Chromium against the monitor polling the simulator. */
describe('status page in a browser', () => {
  let env: MonitorEnv;
  let url: string;
  let browser: Browser;
  const procs: CliProcess[] = [];

  beforeAll(async () => {
    const evil = sampleBalanceDetail(Date.now(), '25.00');
    (evil.email as Record<string, unknown>).tariff_name = EVIL_TARIFF;
    env = await startMonitorEnv([
      { id: 'main', apiKey: 'key-main', userInfo: sampleUserInfo(9, 'A B'), team: sampleTeam(), balanceDetail: sampleBalanceDetail(Date.now(), '50.00') },
      { id: 'hostile', apiKey: 'key-hostile', userInfo: sampleUserInfo(10, 'C D'), team: sampleTeam(), balanceDetail: evil },
    ]);
    const file = env.writeConfig(`
  - name: main
    apiKey: key-main
    intervals: { balance: ${POLL_S}s, userInfo: 1h, team: 1h }
    budget: { perMinute: 600, perDay: 200000, perSecond: 10 }
  - name: hostile
    apiKey: key-hostile
    intervals: { balance: ${POLL_S}s, userInfo: 1h, team: 1h }
    budget: { perMinute: 600, perDay: 200000, perSecond: 10 }`, `
alerts:
  staleAfter: 30
  rules:
    balance: { warning: 10, critical: 2 }`);
    const p = spawnCli(['run', '--config', file]);
    procs.push(p);
    url = await p.url();
    await waitFor('both accounts polled', async () => {
      const d = (await (await fetch(`${url}/api/v1/accounts`)).json()) as OverviewData;
      return d.accounts.every((a) => a.balance?.main !== null && a.endpoints.every((e) => e.lastSuccess !== null));
    }, 20000);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await killAll(procs);
    await env?.close();
  });

  /** A page that records every request it makes and every console error (CSP violations are logged as errors). */
  async function openPage(opts: { javaScriptEnabled?: boolean; width?: number } = {}) {
    const context = await browser.newContext({ javaScriptEnabled: opts.javaScriptEnabled ?? true, viewport: { width: opts.width ?? 1280, height: 900 } });
    const page = await context.newPage();
    const requests: string[] = [];
    const errors: string[] = [];
    let navigations = 0;
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('framenavigated', (f) => { if (f === page.mainFrame()) navigations++; });
    return { page, requests, errors, navigations: () => navigations, close: () => context.close() };
  }

  const row = (page: Page, account: string) => page.locator('tbody tr').filter({ has: page.getByRole('link', { name: account, exact: true }) });

  it('shows every account and, when an alert fires through the simulator, turns it red within one poll and one refresh, without reloading', async () => {
    const { page, requests, errors, navigations, close } = await openPage();
    try {
      await page.goto(`${url}/`);
      expect(await row(page, 'main').locator('td[data-label="Balance"]').innerText()).toContain('50.00 USD');
      expect(await row(page, 'main').locator('.sev').textContent()).toBe('OK');
      // The hostile tariff name is text on the page, not markup: nothing ran, no element was made of it.
      expect(await row(page, 'hostile').locator('td[data-label="Nearest tariff end"]').innerText()).toContain(EVIL_TARIFF);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(await page.locator('main script, main img').count()).toBe(0);
      // Keyboard: the first Tab reaches the skip link; the search box has its label.
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
      expect(await page.getByLabel('Account name contains').count()).toBe(1);
      await page.screenshot({ path: screenshotPath('overview'), fullPage: true });

      const before = navigations();
      const t0 = Date.now();
      env.sim.updateAccount('main', { balanceDetail: { balance: { main: '1.50' } } });
      await row(page, 'main').locator('.sev', { hasText: 'Critical' }).waitFor({ timeout: (POLL_S + REFRESH_S + 8) * 1000 });
      const took = Date.now() - t0;
      expect(navigations()).toBe(before);
      expect(await row(page, 'main').innerText()).toContain('balance 1.50 USD is below 2 USD');
      expect(took).toBeLessThan((POLL_S + REFRESH_S + 5) * 1000);
      await page.screenshot({ path: screenshotPath('overview-alert'), fullPage: true });

      await page.goto(`${url}/accounts/main`);
      expect(await page.getByRole('heading', { level: 1 }).innerText()).toContain('main');
      const balanceRow = page.locator('tr').filter({ has: page.locator('th code', { hasText: /^balance\.main$/ }) });
      expect(await balanceRow.locator('td').first().innerText()).toBe('1.50 USD');
      expect(await page.locator('svg.chart').count()).toBeGreaterThanOrEqual(3);
      expect(await page.locator('#history ~ table').innerText()).toContain('fired (critical)');
      expect(await page.locator('#budget ~ table').first().innerText()).toMatch(/per minute\s+\d+\s+600/);
      await page.screenshot({ path: screenshotPath('account'), fullPage: true });

      await page.goto(`${url}/alerts`);
      const alert = page.locator('tbody tr').filter({ hasText: 'balance 1.50 USD is below 2 USD' });
      expect(await alert.locator('.sev').textContent()).toBe('Critical');
      await page.screenshot({ path: screenshotPath('alerts'), fullPage: true });

      const origin = new URL(url).origin;
      expect(requests.filter((r) => new URL(r).origin !== origin)).toEqual([]);
      expect(requests.some((r) => r.includes('/static/status.js'))).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('works with JavaScript off: search, filters and links are plain forms and pages', async () => {
    const { page, requests, errors, close } = await openPage({ javaScriptEnabled: false });
    try {
      await page.goto(`${url}/`);
      expect(await page.locator('footer').innerText()).toContain('reloads itself every 60 s');
      await page.getByLabel('Account name contains').fill('host');
      await page.getByLabel('Account name contains').press('Enter');
      await page.waitForURL(/\?q=host&/);
      expect(await page.locator('tbody tr th').allInnerTexts()).toEqual(['hostile']);

      await page.goto(`${url}/`);
      await page.getByLabel('Firing only').check();
      await page.getByRole('button', { name: 'Show' }).click();
      await page.waitForURL(/firing=1/);
      const firing = ((await (await fetch(`${url}/api/v1/accounts?firing=1`)).json()) as OverviewData).accounts.map((a) => a.name);
      expect(await page.locator('tbody tr th').allInnerTexts()).toEqual(firing);
      await page.screenshot({ path: screenshotPath('overview-nojs'), fullPage: true });

      await page.goto(`${url}/?q=hostile`);
      await page.getByRole('link', { name: 'hostile', exact: true }).click();
      await page.waitForURL(/\/accounts\/hostile$/);
      const tariff = page.locator('tr').filter({ has: page.locator('th code', { hasText: /^email\.tariff_name$/ }) });
      expect(await tariff.locator('td').first().innerText()).toBe(EVIL_TARIFF);
      const api = (await (await fetch(`${url}/api/v1/accounts/hostile`)).json()) as AccountDetail;
      expect(api.endpoints[2].fields.find((f) => f.path === 'email.tariff_name')?.value).toBe(EVIL_TARIFF);
      await page.screenshot({ path: screenshotPath('account-phone'), fullPage: true });

      const origin = new URL(url).origin;
      expect(requests.filter((r) => new URL(r).origin !== origin)).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('is readable on a phone: one card per account, no sideways scrolling', async () => {
    const { page, close } = await openPage({ width: 390 });
    try {
      await page.goto(`${url}/`);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      expect(await row(page, 'main').evaluate((el) => getComputedStyle(el).display)).toBe('block');
      await page.screenshot({ path: screenshotPath('overview-phone'), fullPage: true });
    } finally {
      await close();
    }
  });
});
