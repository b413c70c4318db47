import { describeAlert } from '../../../src/alerts/describe-alert';
import { evaluateCheck } from '../../../src/alerts/evaluate-check';
import { observeOperationalRules, observeValueRules, type ObserveContext } from '../../../src/alerts/observe-rules';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ALERT_RULES } from '../../../src/alerts/rules';
import { severityFor } from '../../../src/alerts/severity-for';
import { loadConfig } from '../../../src/config/load-config';
import type { AccountConfig, MonitorConfig } from '../../../src/config/types';
import { ENDPOINT_DEFS, ENDPOINTS } from '../../../src/sendpulse/endpoints';
import type { AccountState } from '../../../src/state/reading-store';
import { problemsOf, tempConfigDir } from '../config/config-files';
import { DAY, MIN, accountState, balanceReading, makeConfig } from './config-fixture';

const NOW = Date.UTC(2026, 4, 1, 12);
const MB = 2 ** 20;

function ctx(config: MonitorConfig, state: AccountState, runways?: Map<string, number | null>): ObserveContext {
  const account = config.accounts[0];
  return { account, alerts: config.alerts, state, now: NOW, intervalFor: (e) => account.intervals[e], firstSeenMs: null, runways };
}

/** A config with the default rules (tariffExpiry, credentials, stale, unreadable) and `rules`. */
function withRules(rules: AccountConfig['alerts']['rules']): MonitorConfig {
  const config = makeConfig();
  config.alerts.rules = { tariffExpiry: { warning: 7 * DAY, critical: DAY }, credentials: true, stale: true, unreadable: true, ...rules };
  config.accounts[0].alerts.rules = config.alerts.rules;
  return config;
}

const severityOf = (config: MonitorConfig, state: AccountState, rule: string, service?: string) => {
  const o = observeValueRules(ctx(config, state)).find((x) => x.rule === rule && (service === undefined || x.service === service))!;
  return o.value === null ? null : severityFor(o.value, o.thresholds, o.direction, 'ok', 0);
};

describe('smtpEmailsLeft', () => {
  it('fires at 120 e-mails left against a warning of 1000, and says so in the words of the issue', () => {
    const config = withRules({ smtpEmailsLeft: { warning: 1000, critical: 100 } });
    const state = accountState(balanceReading({ smtpLeft: 120 }), NOW);
    const o = observeValueRules(ctx(config, state)).find((x) => x.rule === 'smtpEmailsLeft')!;
    expect([o.service, o.value]).toEqual(['smtp', 120]);
    expect(severityFor(o.value!, o.thresholds, o.direction, 'ok', 0)).toBe('warning');
    expect(describeAlert(o, 'warning').headline).toBe('SMTP e-mails left 120 is below 1000');
    expect(severityOf(config, accountState(balanceReading({ smtpLeft: 99 }), NOW), 'smtpEmailsLeft')).toBe('critical');
    // At the threshold exactly is not below it.
    expect(severityOf(config, accountState(balanceReading({ smtpLeft: 1000 }), NOW), 'smtpEmailsLeft')).toBe('ok');
  });

  it('reads `10%` as a share of the plan, says which, and holds when the plan size is unknown', () => {
    const config = withRules({ smtpEmailsLeft: { warning: { fraction: 0.2 }, critical: { fraction: 0.05 } } });
    const state = accountState(balanceReading({ smtpLeft: 400, smtpQty: 10000 }), NOW);
    const o = observeValueRules(ctx(config, state)).find((x) => x.rule === 'smtpEmailsLeft')!;
    expect(o.thresholds).toEqual({ warning: 2000, critical: 500 });
    expect(describeAlert(o, 'critical').headline).toBe('SMTP e-mails left 400 is below 500 (5 % of 10000)');
    const unknownPlan = observeValueRules(ctx(config, accountState(balanceReading({ smtpLeft: 400, smtpQty: null }), NOW)))
      .find((x) => x.rule === 'smtpEmailsLeft')!;
    expect(unknownPlan.value).toBeNull();
  });

  it('has no data for an account without the SMTP service', () => {
    const config = withRules({ smtpEmailsLeft: { warning: 1000, critical: 100 } });
    expect(severityOf(config, accountState(balanceReading(), NOW), 'smtpEmailsLeft')).toBeNull();
  });
});

describe('smtpTraffic', () => {
  it('compares bytes, and writes them back in SendPulse units', () => {
    const config = withRules({ smtpTraffic: { warning: 500 * MB, critical: 50 * MB } });
    const o = observeValueRules(ctx(config, accountState(balanceReading({ trafficLeft: 12.5 * MB }), NOW))).find((x) => x.rule === 'smtpTraffic')!;
    expect(severityFor(o.value!, o.thresholds, o.direction, 'ok', 0)).toBe('critical');
    expect(describeAlert(o, 'critical').headline).toBe('SMTP traffic left 12.5 Mb is below 50 Mb');
  });

  it('reads a percentage of the plan traffic', () => {
    const config = withRules({ smtpTraffic: { warning: { fraction: 0.1 }, critical: { fraction: 0.01 } } });
    expect(severityOf(config, accountState(balanceReading({ trafficLeft: 99 * MB, trafficLimit: 1000 * MB }), NOW), 'smtpTraffic')).toBe('warning');
    expect(severityOf(config, accountState(balanceReading({ trafficLeft: 100 * MB, trafficLimit: 1000 * MB }), NOW), 'smtpTraffic')).toBe('ok');
  });
});

describe('runway', () => {
  it('forecasts SMTP credits too', () => {
    const config = withRules({ runway: { warning: 14 * DAY, critical: 3 * DAY } });
    const state = accountState(balanceReading({ smtpLeft: 500 }), NOW);
    const obs = observeValueRules(ctx(config, state, new Map([['smtp.email_qty_left', 2 * DAY]]))).filter((o) => o.rule === 'runway');
    expect(obs.map((o) => o.service)).toEqual(['balance', 'email', 'smtp']);
    const smtp = obs.find((o) => o.service === 'smtp')!;
    expect(describeAlert(smtp, 'critical').headline).toBe('SMTP credits runs out in 2d at the recent rate, less than 3d');
  });
});

describe('unreadable', () => {
  const config = withRules({ balance: { warning: 10, critical: 2 } });

  it('holds the rule watching an unreadable field, and fires for the field after staleAfter intervals', () => {
    const reading = balanceReading({ unreadable: ['balance.main'] });
    // The balance rule has no data: it neither fires nor resolves.
    expect(severityOf(config, accountState(reading, NOW), 'balance')).toBeNull();
    const at = (sinceMs: number) => observeOperationalRules(ctx(config, accountState(reading, NOW, 'ok', sinceMs))).find((o) => o.rule === 'unreadable')!;
    const fresh = at(NOW - 5 * MIN);
    expect([fresh.service, fresh.value, severityFor(fresh.value!, fresh.thresholds, fresh.direction, 'ok', 0)]).toEqual(['balance.main', 5 * MIN, 'ok']);
    const long = at(NOW - 15 * MIN);
    expect(severityFor(long.value!, long.thresholds, long.direction, 'ok', 0)).toBe('warning');
    expect(describeAlert(long, 'warning').headline).toBe('field balance.main unreadable for 15m, more than 15m');
  });

  it('watches only fields an active rule reads, and resolves when the field reads again', () => {
    const unwatched = observeOperationalRules(ctx(config, accountState(balanceReading({ unreadable: ['push.end_date'] }), NOW, 'ok', 0)))
      .filter((o) => o.rule === 'unreadable').map((o) => o.service);
    // tariffExpiry is on by default and watches push.end_date; the balance rule watches balance.main.
    expect(unwatched.sort()).toEqual(['balance.main', 'email.finished_time', 'push.end_date', 'smtp.end_date']);
    const readable = observeOperationalRules(ctx(config, accountState(balanceReading(), NOW))).filter((o) => o.rule === 'unreadable');
    expect(readable.every((o) => o.value === 0)).toBe(true);
  });

  it('lets check read the balance of the issue\'s body with an empty push end date', () => {
    const state = accountState(balanceReading({ main: 1 }), NOW);
    expect(evaluateCheck(config, config.accounts[0], state, NOW).problems).toEqual(['CRITICAL: balance 1.00 USD is below 2 USD']);
  });
});

describe('the rule index', () => {
  it('names, for every rule, fields that exist in the field table', () => {
    const fields = new Set(ENDPOINTS.flatMap((e) => ENDPOINT_DEFS[e].fields.map((f) => f.path)));
    for (const r of ALERT_RULES) {
      if (r.kind === 'value') for (const f of [...r.watches, ...r.history]) expect([r.name, f, fields.has(f)]).toEqual([r.name, f, true]);
    }
  });

  it('has a twin of every rule in the chart\'s PrometheusRule, under the same alert names per severity', () => {
    const chart = parse(readFileSync(join(__dirname, '../../../helm/sendpulse-monitor/rules/alerts.yaml'), 'utf8')) as {
      valueRules: { rule: string; alerts: { warning: string; critical: string } }[];
      operationalRules: { rule: string; alert: string }[];
    };
    const twins = new Map<string, { warning: string; critical: string }>([
      ...chart.valueRules.map((v) => [v.rule, v.alerts] as const),
      ...chart.operationalRules.map((o) => [o.rule, { warning: o.alert, critical: o.alert }] as const),
    ]);
    for (const r of ALERT_RULES) expect([r.name, twins.get(r.name)]).toEqual([r.name, r.alertnames]);
    const all = ALERT_RULES.flatMap((r) => [...new Set(Object.values(r.alertnames))]);
    expect(new Set(all).size).toBe(all.length);
  });

  it('gives rows of one metric family one HELP text', () => {
    const help = new Map<string, string>();
    for (const e of ENDPOINTS) for (const f of ENDPOINT_DEFS[e].fields) {
      if (!f.metric) continue;
      expect([f.metric.name, help.get(f.metric.name) ?? f.metric.help]).toEqual([f.metric.name, f.metric.help]);
      help.set(f.metric.name, f.metric.help);
    }
  });
});

describe('rule settings in the config', () => {
  const t = tempConfigDir();
  afterAll(() => t.cleanup());
  const load = (rules: string) => loadConfig({ file: t.write('c.yaml', `accounts:\n  - { name: main, apiKey: k }\nalerts:\n  rules:\n${rules}`), env: {} });

  it('reads counts, percentages and traffic amounts', () => {
    const c = load('    smtpEmailsLeft: { warning: 1000, critical: 10% }\n    smtpTraffic: { warning: "1.5 Gb", critical: 500Mb }\n');
    expect(c.alerts.rules.smtpEmailsLeft).toEqual({ warning: 1000, critical: { fraction: 0.1 } });
    expect(c.alerts.rules.smtpTraffic).toEqual({ warning: 1.5 * 1024 * MB, critical: 500 * MB });
  });

  it('names the key path of a bad level or order, and compares like with like only', () => {
    const problems = problemsOf(() => load('    smtpEmailsLeft: { warning: 5%, critical: 20% }\n    smtpTraffic: { warning: lots, critical: 150% }\n    tariffExpiry: false\n'));
    expect([...problems].sort()).toEqual([
      'alerts.rules.smtpEmailsLeft: critical (20%) must be below warning (5%)',
      'alerts.rules.smtpTraffic.critical: "150%" is not a percentage above 0 and at most 100 %',
      'alerts.rules.smtpTraffic.warning: "lots" is not an amount of traffic (500Mb, 1.5Gb; 1 Mb = 1048576 bytes) or a percentage of the plan (10%)',
    ]);
    expect(load('    smtpEmailsLeft: { warning: 10%, critical: 5000 }\n').alerts.rules.smtpEmailsLeft).toEqual({ warning: { fraction: 0.1 }, critical: 5000 });
  });

  it('turns the default tariffExpiry off with false, globally or per account', () => {
    expect(load('    tariffExpiry: false\n').accounts[0].alerts.rules.tariffExpiry).toBeUndefined();
    expect(load('    credentials: true\n').accounts[0].alerts.rules.tariffExpiry).toEqual({ warning: 7 * DAY, critical: DAY });
  });
});
