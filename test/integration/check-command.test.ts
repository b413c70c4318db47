import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatDateTime, sampleBalanceDetail, sampleTeam, sampleUserInfo } from '../../src/simulator/default-accounts';
import type { JsonObject } from '../../src/simulator/types';
import { freePort } from '../helpers/free-port';
import { spawnCli, startMonitorEnv, type MonitorEnv } from '../helpers/monitor-env';
import { alerts, parsePluginOutput, type PluginOutput } from '../helpers/nagios-plugin-output';

const RULES = `
alerts:
  rules:
    balance: { warning: 10, critical: 2 }
    emailsLeft: { warning: 1000, critical: 100 }`;

const DAY = 86_400_000;

/** A simulated account with `main` USD and `emailsLeft` credits; tariffs end 30, 45 and 60 days ahead unless `tariffEndsIn` says otherwise. */
function account(id: string, main: string, opts: { emailsLeft?: number; tariffEndsIn?: number; oauth?: boolean } = {}) {
  const detail = sampleBalanceDetail(Date.now(), main);
  const email = detail.email as JsonObject;
  if (opts.emailsLeft !== undefined) email.emails_left = opts.emailsLeft;
  if (opts.tariffEndsIn !== undefined) email.finished_time = formatDateTime(Date.now() + opts.tariffEndsIn);
  return { id, apiKey: `key-${id}`, clientId: `client-${id}`, clientSecret: `secret-${id}`,
    userInfo: sampleUserInfo(1, 'A B'), team: sampleTeam(), balanceDetail: detail };
}

const yaml = (id: string, auth = `apiKey: key-${id}`) => `\n  - name: ${id}\n    ${auth}`;

/**
 * The state the perfdata thresholds give (a critical range that alerts: CRITICAL, a warning one:
 * WARNING): what a monitoring server that re-evaluates perfdata would conclude.
 */
function stateFromPerfdata(p: PluginOutput): string {
  let state = 'OK';
  for (const item of p.perfdata) {
    if (item.value === null) continue;
    if (item.crit && alerts(item.crit, item.value)) return 'CRITICAL';
    if (item.warn && alerts(item.warn, item.value)) state = 'WARNING';
  }
  return state;
}

describe('sendpulse-monitor check, a Nagios/Icinga plugin', () => {
  let env: MonitorEnv;
  beforeAll(async () => {
    env = await startMonitorEnv([
      account('rich', '50.00'), account('low', '5.00'), account('broke', '1.00', { emailsLeft: 50 }),
      // Case 2 of issue 10: 0.37 USD and 3 e-mails left, no value rule configured.
      account('lowshop', '0.37', { emailsLeft: 3 }),
      account('ending', '50.00', { tariffEndsIn: 2 * DAY }),
      account('tok', '50.00'),
    ]);
  });
  afterAll(() => env.close());

  const check = async (accounts: string, extra = RULES, args: string[] = [], vars: NodeJS.ProcessEnv = {}) => {
    const p = spawnCli(['check', '--config', env.writeConfig(accounts, extra), ...args], vars);
    const code = await p.exited;
    return { code, out: p.output(), stdout: p.stdout() };
  };
  const plugin = (r: { code: number | string; stdout: string }) => parsePluginOutput(r.stdout, r.code as number);

  it('OK: the status line first, perfdata with the rules\' ranges, the table and the active rules as long output', async () => {
    const r = await check(yaml('rich'));
    expect(r.code).toBe(0);
    const p = plugin(r);
    expect(p).toMatchObject({ service: 'SENDPULSE', state: 'OK', text: '1 account polled, no rule fires' });
    const byLabel = Object.fromEntries(p.perfdata.map((i) => [i.label, i]));
    expect(byLabel.rich_balance).toEqual({ label: 'rich_balance', value: 50, uom: '',
      warn: { start: 10, end: Infinity, inside: false }, crit: { start: 2, end: Infinity, inside: false } });
    expect(byLabel.rich_emails_left).toMatchObject({ value: 9914, min: 0, warn: { start: 1000 }, crit: { start: 100 } });
    expect(byLabel.rich_subscribers).toMatchObject({ value: 2350, min: 0, max: 10000 });
    expect(byLabel.rich_team_members).toMatchObject({ value: 3 });
    // tariffExpiry is on by default: 7d/1d in seconds.
    expect(byLabel.rich_email_tariff_left).toMatchObject({ uom: 's', warn: { start: 604800 }, crit: { start: 86400 } });
    expect(byLabel.rich_email_tariff_left.value).toBeGreaterThan(29 * 86400);
    // SMTP credits and traffic, with the plan's limits as max.
    expect(byLabel.rich_smtp_emails_left).toMatchObject({ value: 11876, min: 0, max: 12000 });
    expect(byLabel.rich_smtp_traffic_left).toMatchObject({ uom: 'B', value: 987.5 * 1048576, max: 1000 * 1048576 });
    expect(p.longOutput[0]).toMatch(/^ACCOUNT\s+BALANCE\s+EMAILS LEFT\s+SMTP LEFT\s+TARIFF ENDS\s+TEAM\s+ERRORS$/);
    expect(p.longOutput[1]).toMatch(/^rich\s+50\.00 USD\s+9914\s+11876 of 12000 \(987\.5 Mb of 1000 Mb\)\s+email \d{4}-\d\d-\d\d \(29d left\), smtp .*\s+3\s+ok$/);
    expect(p.longOutput).toContain('rich: rules: balance below 10/2, emailsLeft below 1000/100, tariffExpiry below 7d/1d, credentials, stale, unreadable (levels are warning/critical)');
    expect(stateFromPerfdata(p)).toBe('OK');
  });

  it('gives perfdata of a percentage level resolved against the plan, and subscriber levels as counts of the limit', async () => {
    const r = await check(yaml('rich'), `${RULES}
    smtpEmailsLeft: { warning: 50%, critical: 10% }
    subscribers: { warning: 0.2, critical: 0.9 }`);
    const p = plugin(r);
    const byLabel = Object.fromEntries(p.perfdata.map((i) => [i.label, i]));
    expect(byLabel.rich_smtp_emails_left).toMatchObject({ value: 11876, max: 12000, warn: { start: 6000, inside: false }, crit: { start: 1200, inside: false } });
    // 2350 of 10000 subscribers is at or above 20 %: the warning range alerts, as the rule does.
    expect(byLabel.rich_subscribers).toMatchObject({ value: 2350, warn: { start: 2000, end: Infinity, inside: true }, crit: { start: 9000, inside: true } });
    expect(p.state).toBe('WARNING');
    expect(stateFromPerfdata(p)).toBe('WARNING');
  });

  it('WARNING and CRITICAL by the alert rules, the critical account first, and perfdata that agrees', async () => {
    const warn = await check(yaml('low'));
    expect(warn.code).toBe(1);
    expect(plugin(warn)).toMatchObject({ state: 'WARNING', text: 'low: balance 5.00 USD is below 10 USD' });
    expect(stateFromPerfdata(plugin(warn))).toBe('WARNING');
    const crit = await check(yaml('low') + yaml('broke'));
    expect(crit.code).toBe(2);
    const p = plugin(crit);
    expect(p.state).toBe('CRITICAL');
    expect(p.text).toBe('broke: balance 1.00 USD is below 2 USD, e-mails left 50 is below 100; low: balance 5.00 USD is below 10 USD');
    expect(p.perfdata.find((i) => i.label === 'broke_balance')).toMatchObject({ value: 1 });
    expect(stateFromPerfdata(p)).toBe('CRITICAL');
    expect(p.longOutput).toContain('broke: CRITICAL: balance 1.00 USD is below 2 USD');
  });

  it('says plainly when an account has no value rule (0.37 USD and 3 e-mails left is OK without thresholds), while tariffExpiry is on by default', async () => {
    const quiet = await check(yaml('lowshop'), '');
    expect(quiet.code).toBe(0);
    const p = plugin(quiet);
    expect(p.text).toBe('1 account polled, no rule fires (no value rule for lowshop)');
    expect(p.longOutput).toContain('lowshop: rules: tariffExpiry below 7d/1d, credentials, stale, unreadable (levels are warning/critical); '
      + 'no value rule: balance, emailsLeft, smtpEmailsLeft, smtpTraffic, subscribers, runway are off until alerts.rules gives their thresholds');
    const ending = await check(yaml('ending'), '');
    expect(ending.code).toBe(1);
    expect(plugin(ending).text).toMatch(/^ending: email tariff ends in 1d 23h, less than 7d$|^ending: email tariff ends in 2d, less than 7d$/);
  });

  it('CRITICAL on rejected credentials, the failure reported once for the three endpoints, never the key', async () => {
    const r = await check(yaml('wrong', 'apiKey: not-a-real-key-123'));
    expect(r.code).toBe(2);
    expect(plugin(r).text).toBe('wrong: authentication with SendPulse is failing');
    const line = 'user_info, team, balance: authentication failed: the API key was rejected';
    expect(r.stdout.split(line)).toHaveLength(2);
    expect(r.out).not.toContain('not-a-real-key-123');
  });

  it('asks for one OAuth token per account per run, and reports a rejected secret once', async () => {
    let since = Date.now();
    const ok = await check(yaml('tok', 'clientId: client-tok\n    clientSecret: secret-tok'));
    expect(ok.code).toBe(0);
    expect(env.sim.requests({ endpoint: 'oauth_token', since })).toHaveLength(1);
    since = Date.now();
    const bad = await check(yaml('tok', 'clientId: client-tok\n    clientSecret: wrong-secret-456'));
    expect(bad.code).toBe(2);
    expect(env.sim.requests({ endpoint: 'oauth_token', since })).toHaveLength(1);
    expect(bad.stdout.match(/client credentials rejected/g)).toHaveLength(1);
    expect(bad.stdout).toMatch(/\ntok +- +- +- +- +- +user_info, team, balance: oauth_token: /);
    expect(bad.stdout).toContain('user_info, team, balance: oauth_token: client credentials rejected (invalid_client)');
    expect(bad.out).not.toContain('wrong-secret-456');
  });

  it('UNKNOWN with a status line when SendPulse answers 5xx and no rule fires', async () => {
    env.sim.setFault({ kind: 'http_5xx', status: 502, account: 'rich' });
    try {
      const r = await check(yaml('rich'));
      expect(r.code).toBe(3);
      expect(plugin(r).text).toBe('rich: no data (user_info, team, balance: HTTP 502: server error (HTML page))');
    } finally {
      env.sim.clearFaults();
    }
  });

  it('names the host and port it cannot reach, once, and never the path or query', async () => {
    const dead = await freePort();
    const file = join(env.dir, 'unreachable.yaml');
    writeFileSync(file, `sendpulse: { baseUrl: "http://127.0.0.1:${dead}/api/v1?token=t0k3n" }\naccounts:${yaml('rich')}\n`);
    const p = spawnCli(['check', '--config', file]);
    const code = await p.exited;
    expect(code).toBe(3);
    const error = `user_info, team, balance: network error: cannot reach 127.0.0.1:${dead} (ECONNREFUSED)`;
    expect(parsePluginOutput(p.stdout(), 3).text).toBe(`rich: no data (${error})`);
    expect(p.stdout().split('\n').filter((l) => l.includes('ECONNREFUSED'))).toHaveLength(2); // the status line and the table row
    expect(p.output()).not.toMatch(/api\/v1|t0k3n|\/user\//);
  });

  it('UNKNOWN with a status line first on a configuration problem or a usage mistake, and then checks nothing', async () => {
    const bad = await check(`${yaml('rich')}\n    intervals: { balance: 5x }`);
    expect(bad.code).toBe(3);
    expect(plugin(bad).text).toBe('invalid configuration: accounts[0].intervals.balance: "5x" is not a duration (use 30s, 5m, 1h, 7d)');
    const since = Date.now();
    const p = spawnCli(['check', '--confg', env.writeConfig(yaml('rich'))], { SENDPULSE_API_KEY: 'key-rich', SENDPULSE_API_URL: env.sim.url });
    expect(await p.exited).toBe(3);
    expect(parsePluginOutput(p.stdout(), 3).text).toBe('unknown option --confg (did you mean --config?)');
    expect(env.sim.requests({ since })).toHaveLength(0);
    const fmt = await check(yaml('rich'), RULES, ['--format', 'xml']);
    expect(plugin(fmt).text).toBe('--format: "xml" is not one of nagios, table, json');
  });

  it('--format table prints the table first; --format json the state and each account', async () => {
    const table = await check(yaml('low'), RULES, ['--format', 'table']);
    expect(table.code).toBe(1);
    expect(table.stdout.split('\n')[0]).toMatch(/^ACCOUNT\s+BALANCE/);
    expect(table.stdout).toContain('low: WARNING: balance 5.00 USD is below 10 USD');
    const json = await check(yaml('low') + yaml('rich'), RULES, ['--format', 'json']);
    expect(json.code).toBe(1);
    const body = JSON.parse(json.stdout) as { status: string; exitCode: number; accounts: { name: string; status: string; problems: unknown[]; noValueRule: boolean }[] };
    expect(body).toMatchObject({ status: 'WARNING', exitCode: 1 });
    expect(body.accounts.map((a) => [a.name, a.status, a.problems.length, a.noValueRule])).toEqual([['low', 'WARNING', 1, false], ['rich', 'OK', 0, false]]);
  });

  it('needs neither SMTP_URL nor Redis: the alert channels and Redis are not checked (case 10)', async () => {
    const extra = `${RULES}
  email: { smtpUrl: "\${SMTP_URL}", from: monitor@example.com, to: [ops@example.com] }
  webhook: { url: "\${HOOK_URL}" }`;
    const file = env.writeConfig(yaml('rich'), extra);
    const withUnsetVars = spawnCli(['check', '--config', file], { SMTP_URL: '', HOOK_URL: '' });
    expect(await withUnsetVars.exited).toBe(0);
    const vars = { SENDPULSE_API_KEY: 'key-rich', SENDPULSE_API_URL: env.sim.url, ALERT_EMAIL_FROM: 'monitor@example.com', ALERT_EMAIL_TO: 'ops@example.com', SMTP_URL: '', REDIS_URL: 'not a url' };
    const envOnly = spawnCli(['check'], vars);
    expect(await envOnly.exited).toBe(0);
    // validate checks everything run would use, and says what is missing.
    const validate = spawnCli(['validate'], vars);
    expect(await validate.exited).toBe(1);
    expect(validate.output()).toContain('SMTP_URL: is required with ALERT_EMAIL_FROM and ALERT_EMAIL_TO');
  });
});
