import type { NotificationRecord } from '../../../src/alerts/alert-types';
import { describeAlert, formatDuration } from '../../../src/alerts/describe-alert';
import { evaluateCheck } from '../../../src/alerts/evaluate-check';
import { formatNotification, webhookPayload } from '../../../src/alerts/format-notification';
import { observeOperationalRules, observeValueRules, type ObserveContext } from '../../../src/alerts/observe-rules';
import type { AccountConfig, MonitorConfig } from '../../../src/config/types';
import type { AccountState } from '../../../src/state/reading-store';
import { runwayFrom } from '../../../src/state/history-store';
import { DAY, accountState, balanceReading, makeConfig } from './config-fixture';

const NOW = Date.UTC(2026, 4, 1, 12);

/** How the engine observes: the account's own intervals, no history. */
function ctx(config: MonitorConfig, state: AccountState, account: AccountConfig = config.accounts[0], runways?: Map<string, number | null>): ObserveContext {
  return { account, alerts: config.alerts, state, now: NOW, intervalFor: (e) => account.intervals[e], firstSeenMs: null, runways };
}

describe('alert texts', () => {
  it('writes the subject sentence the way the issue shows it', () => {
    const config = makeConfig();
    const obs = observeValueRules(ctx(config, accountState(balanceReading({ main: 1.5 }), NOW)));
    const bal = obs.find((o) => o.rule === 'balance')!;
    expect(describeAlert(bal, 'critical').headline).toBe('balance 1.50 USD is below 2 USD');
    expect(describeAlert({ ...bal, value: 50 }, 'ok').headline).toBe('balance 50.00 USD');
  });

  it('says an end date already past is over, per service', () => {
    const config = makeConfig();
    const obs = observeValueRules(ctx(config, accountState(balanceReading({ smtpEnd: NOW / 1000 - 7200 }), NOW)));
    const smtp = obs.find((o) => o.rule === 'tariffExpiry' && o.service === 'smtp')!;
    expect(describeAlert(smtp, 'critical').headline).toBe('smtp tariff ended 2h ago');
    // The email section has no end date and push is absent: no data, never a made-up value.
    expect(obs.filter((o) => o.rule === 'tariffExpiry' && o.value === null).map((o) => o.service)).toEqual(['email', 'push']);
  });

  it('holds stale while the credentials alert explains it, and judges it again once they work', () => {
    const config = makeConfig();
    const longAgo = NOW - 10 * 3600_000;
    const failing = observeOperationalRules(ctx(config, accountState(balanceReading(), longAgo, 'failing')));
    expect(failing.find((o) => o.rule === 'credentials')!.value).toBe(1);
    expect(failing.filter((o) => o.rule === 'stale').map((o) => o.value)).toEqual([null, null, null]);
    const working = observeOperationalRules(ctx(config, accountState(balanceReading(), longAgo, 'ok')));
    expect(working.filter((o) => o.rule === 'stale').every((o) => o.value === 10 * 3600_000)).toBe(true);
  });

  it('formats durations with their two largest units', () => {
    expect(formatDuration(2 * DAY + 4 * 3600_000 + 59_000)).toBe('2d 4h');
    expect(formatDuration(16 * 60_000)).toBe('16m');
    expect(formatDuration(0)).toBe('0s');
  });

  it('renders mail and webhook bodies with value, threshold, since, runway, readings and the dashboard link', () => {
    const r: NotificationRecord = {
      id: 'main.balance.balance.1', kind: 'firing', account: 'main', rule: 'balance', service: 'balance', severity: 'critical',
      previousSeverity: 'ok', value: 1.5, threshold: 2, valueText: '1.50 USD', thresholdText: '2 USD', headline: 'balance 1.50 USD is below 2 USD',
      sinceMs: NOW, createdMs: NOW, runwayMs: 2 * DAY, recent: [{ atMs: NOW - 3600_000, value: 3 }, { atMs: NOW, value: 1.5 }],
    };
    const m = formatNotification(r, 'https://grafana.example/d/x?a=1&b=<2>');
    expect(m.subject).toBe('[FIRING:critical] main: balance 1.50 USD is below 2 USD');
    expect(m.text).toContain('Threshold:    2 USD');
    expect(m.text).toContain('Runway:       2d at the recent rate');
    expect(m.text).toContain('2026-05-01T11:00:00.000Z  3');
    expect(m.html).toContain('<a href="https://grafana.example/d/x?a=1&amp;b=&lt;2&gt;">');
    const w = webhookPayload(r);
    expect(w).toMatchObject({ version: 1, status: 'firing', severity: 'critical', account: 'main', alert: 'balance', value: 1.5, threshold: 2,
      runwaySeconds: 172800, since: '2026-05-01T12:00:00.000Z', dashboardUrl: null });
    expect(w.text).toBe('[FIRING:critical] main: balance 1.50 USD is below 2 USD (started firing)');
    expect(formatNotification({ ...r, kind: 'resolved', severity: 'ok', headline: 'balance 50.00 USD' }).subject).toBe('[RESOLVED] main: balance 50.00 USD');
  });

  it('links the mail to the account\'s status page when server.publicUrl is set', () => {
    const r: NotificationRecord = {
      id: 'main.balance.balance.1', kind: 'firing', account: 'main', rule: 'balance', service: 'balance', severity: 'warning',
      previousSeverity: 'ok', value: 5, threshold: 10, valueText: '5.00 USD', thresholdText: '10 USD', headline: 'balance 5.00 USD is below 10 USD',
      sinceMs: NOW, createdMs: NOW, runwayMs: null, recent: [], accountUrl: 'https://monitor.example.com/accounts/main',
    };
    const m = formatNotification(r);
    expect(m.text).toContain('Status page:  https://monitor.example.com/accounts/main');
    expect(m.html).toContain('<a href="https://monitor.example.com/accounts/main">');
    expect(formatNotification({ ...r, accountUrl: null }).text).not.toContain('Status page');
  });
});

describe('evaluateCheck', () => {
  it('gives the worst severity and one line per problem', () => {
    const config = makeConfig();
    const state = accountState(balanceReading({ main: 5, emailsLeft: 50 }), NOW);
    expect(evaluateCheck(config, config.accounts[0], state, NOW)).toMatchObject({
      severity: 'critical', problems: ['WARNING: balance 5.00 USD is below 10 USD', 'CRITICAL: e-mails left 50 is below 100'],
    });
    expect(evaluateCheck(config, config.accounts[0], accountState(balanceReading(), NOW), NOW)).toMatchObject({ severity: 'ok', problems: [] });
  });

  it('reports failing credentials as critical', () => {
    const config = makeConfig();
    expect(evaluateCheck(config, config.accounts[0], accountState(balanceReading(), NOW, 'failing'), NOW).severity).toBe('critical');
  });
});

describe('runwayFrom', () => {
  const pts = (vals: number[]) => vals.map((value, i) => ({ atMs: i * DAY, value }));
  it('extrapolates the least-squares rate to zero', () => {
    expect(runwayFrom(pts([100, 90, 80, 70]), 70, 3, DAY)).toBeCloseTo(7 * DAY);
  });
  it('gives no forecast without enough points or span', () => {
    expect(runwayFrom(pts([100, 90]), 90, 3, DAY)).toBeNull();
    expect(runwayFrom([{ atMs: 0, value: 3 }, { atMs: 1000, value: 2 }, { atMs: 2000, value: 1 }], 1, 3, DAY)).toBeNull();
  });
  it('says not running out when the value does not fall', () => {
    expect(runwayFrom(pts([10, 12, 14]), 14, 3, DAY)).toBe(Infinity);
  });
  it('says not running out for a flat series polled at uneven times (no float-noise forecast of 10^36 ms)', () => {
    // 0.37 seven times averages to 0.37000000000000005: the old fit read a fall and a 2e40 ms runway.
    const uneven = Array.from({ length: 7 }, (_, i) => ({ atMs: Math.round(i * 1.37 * DAY + (i % 3) * 1234567), value: 0.37 }));
    expect(runwayFrom(uneven, 0.37, 3, DAY)).toBe(Infinity);
  });
});
