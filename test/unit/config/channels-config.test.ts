import { tempConfigDir } from './config-files';

const ACCOUNTS = 'accounts:\n  - { name: main, apiKey: k }\n  - { name: shop, apiKey: k2 }\n';

describe('notification channels in the config', () => {
  const t = tempConfigDir();
  afterAll(() => t.cleanup());

  it('loads every channel, secrets inline or from files, with filters and Alertmanager\'s defaults', () => {
    t.write('secrets/teams-url', 'https://prod.example.logic.azure.com/workflows/1/triggers/manual/paths/invoke?sig=abc\n');
    t.write('secrets/bot-token', '123456:AAF-secret_token\n');
    t.write('secrets/am-password', 'pw\n');
    const c = t.load(`${ACCOUNTS}alerts:
  slack: { url: "https://hooks.slack.com/services/T/B/x", severities: [critical] }
  discord: { url: "https://discord.com/api/webhooks/1/tok", accounts: [shop] }
  teams: { urlFile: secrets/teams-url }
  telegram: { botTokenFile: secrets/bot-token, chatId: "-1001234567890" }
  alertmanager:
    urls: [http://am-0:9093/, http://am-1:9093]
    basicAuth: { username: monitor, passwordFile: secrets/am-password }
    labels: { team: billing }
`);
    expect(c.alerts.slack?.url.reveal()).toBe('https://hooks.slack.com/services/T/B/x');
    expect(c.alerts.slack?.severities).toEqual(['critical']);
    expect(c.alerts.discord?.accounts).toEqual(['shop']);
    expect(c.alerts.teams?.url.reveal()).toContain('sig=abc');
    expect(c.alerts.telegram).toMatchObject({ chatId: -1001234567890, apiUrl: 'https://api.telegram.org' });
    expect(c.alerts.telegram?.botToken.reveal()).toBe('123456:AAF-secret_token');
    expect(c.alerts.alertmanager).toMatchObject({ urls: ['http://am-0:9093', 'http://am-1:9093'], resendInterval: 30_000, labels: { team: 'billing' } });
    expect(c.alerts.alertmanager?.auth).toMatchObject({ kind: 'basic', username: 'monitor' });
    // Secrets print as [redacted], wherever the config goes.
    expect(JSON.stringify(c.alerts)).not.toMatch(/AAF-secret|sig=abc|services\/T\/B\/x|api\/webhooks\/1\/tok|"pw"/);
  });

  it('names the key path of every channel problem, all at once, without quoting a secret', () => {
    t.write('secrets/bad-token', 'SECRET-NOT-A-TOKEN\n');
    expect(t.problems(`${ACCOUNTS}alerts:
  slack: { url: "https://hooks.slack.com/services/T/B/x", urlFile: secrets/x, severities: [urgent] }
  discord: { accounts: [main, nobody] }
  teams: { url: "not a url SECRET-SIG" }
  telegram: { botToken: "SECRET token", botTokenFile: secrets/bad-token, chatId: "general" }
  alertmanager: { urls: [], basicAuth: { username: u }, bearerTokenFile: secrets/bad-token, labels: { severity: x, "bad-name": y } }
  pagerduty: {}
`).sort()).toEqual([
      'alerts.alertmanager: set only one of basicAuth and bearerTokenFile',
      'alerts.alertmanager.basicAuth.password: is required (or passwordFile)',
      'alerts.alertmanager.labels: "bad-name" is not a label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with __)',
      'alerts.alertmanager.labels.severity: is set by the monitor (alertname, account, service, severity, endpoint, sendpulse_rule are)',
      'alerts.alertmanager.urls: needs at least 1 entries',
      'alerts.discord.accounts[1]: "nobody" is not the name of an account',
      'alerts.discord.url: is required (or urlFile)',
      `alerts.pagerduty: unknown key`,
      `alerts.slack.severities[0]: "urgent" is not one of warning, critical`,
      'alerts.slack.urlFile: cannot read ' + `${t.dir}/secrets/x (no such file)`,
      'alerts.slack: set only one of url and urlFile',
      'alerts.teams.url: is invalid (must be a URL starting with http:// or https://)',
      'alerts.telegram.botToken: is not a bot token (the <digits>:<letters> token from @BotFather)',
      `alerts.telegram.botTokenFile: the content of secrets/bad-token is not a bot token (the <digits>:<letters> token from @BotFather)`,
      'alerts.telegram.chatId: "general" is not a chat id (a number such as -1001234567890, or @channelname)',
      'alerts.telegram: set only one of botToken and botTokenFile',
    ].sort());
  });
});
