import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import type { NotificationRecord } from '../../src/alerts/alert-types';
import { CHANNEL_NAMES, sendThrough, type Channel, type ChannelConfigs } from '../../src/alerts/channels';
import { sendContextFor } from '../../src/alerts/send-context';
import { Secret } from '../../src/config/secret';
import { sampleBalanceDetail, sampleTeam, sampleUserInfo } from '../../src/simulator/default-accounts';
import { freePort } from '../helpers/free-port';
import { killAll, spawnCli, startMonitorEnv, type CliProcess, type MonitorEnv } from '../helpers/monitor-env';
import { startHttpReceiver, type HttpReceiver, type ReceivedRequest } from '../helpers/receivers/http-receiver';
import { waitFor } from '../helpers/wait-for';
import { closedPort } from '../unit/alerts/alert-harness';
import { makeConfig } from '../unit/alerts/config-fixture';

// Recognisable secrets of every channel: any of these (raw, percent-encoded or base64) in an output is a leak.
const SMTP_PASSWORD = 'SECRETsmtppass-71c2e0';
const WEBHOOK_TOKEN = 'SECRETwebhooktoken-55aa12';
const WEBHOOK_HEADER = 'SECRETheadertoken-9f9f9f';
const SLACK_TOKEN = 'SECRETslackhook-0123456789';
const DISCORD_TOKEN = 'SECRETdiscordtoken-abcdef0123';
const TEAMS_SIG = 'SECRETteamssig-fedcba9876';
const TELEGRAM_TOKEN = '123456789:SECRETtelegramtoken-AAbbCC';
const AM_PASSWORD = 'SECRETampass-31337x';
const AM_BEARER = 'SECRETambearer-4242ab';
const SECRETS = [SMTP_PASSWORD, WEBHOOK_TOKEN, WEBHOOK_HEADER, SLACK_TOKEN, DISCORD_TOKEN, TEAMS_SIG, TELEGRAM_TOKEN, AM_PASSWORD, AM_BEARER];

/** Fails naming the place and the secret when `text` holds any secret, raw, percent-encoded or in a basic-auth header. */
function expectNoSecret(where: string, text: string): void {
  const found = SECRETS.filter((s) => text.includes(s) || text.includes(encodeURIComponent(s))
    || text.includes(Buffer.from(`am:${s}`).toString('base64')) || text.includes(s.split(':').pop()!));
  expect({ where, found }).toEqual({ where, found: [] });
}

/**
 * The worst receiver: it answers with the status its path asks for and echoes back everything it
 * got (the URL with its query, the headers, the body), as some services' error pages do.
 */
function echo(req: ReceivedRequest) {
  const status = /\/status(\d{3})\//.exec(req.path)?.[1];
  // Credentials first: reasons are cut at 200 characters, and a leak must not hide behind the cut.
  const said = `${req.method} ${req.path}?${req.query.toString()} auth=${req.headers.authorization ?? ''} headers=${JSON.stringify(req.headers)} body=${req.text.slice(0, 300)}`;
  return {
    status: Number(status ?? 500),
    headers: status === '429' ? { 'retry-after': '1' } : undefined,
    body: { message: said, description: said, error: { code: 'Echo', message: said }, parameters: { retry_after: 1 } },
  };
}

const RECORD: NotificationRecord = {
  id: 'main.balance.balance.1', kind: 'firing', account: 'main', rule: 'balance', service: 'balance', severity: 'critical', previousSeverity: 'ok',
  value: 1.5, threshold: 2, valueText: '1.50 USD', thresholdText: '2 USD', headline: 'balance 1.50 USD is below 2 USD',
  sinceMs: Date.now(), createdMs: Date.now(), runwayMs: null, recent: [],
};

describe('no channel leaks its secrets (the shared test every channel runs, as Alertmanager\'s notify/test)', () => {
  let receiver: HttpReceiver;
  let smtp: SMTPServer;
  let smtpPort: number;
  let dead: number;
  let env: MonitorEnv;
  const procs: CliProcess[] = [];

  beforeAll(async () => {
    receiver = await startHttpReceiver(echo);
    dead = await closedPort();
    smtpPort = await freePort();
    // An SMTP server that refuses the login and quotes the password back.
    smtp = new SMTPServer({ authOptional: false, allowInsecureAuth: true, disabledCommands: ['STARTTLS'], logger: false,
      onAuth: (auth, _s, cb) => cb(new Error(`Invalid login ${auth.username}:${auth.password}`)) });
    await new Promise<void>((res) => smtp.listen(smtpPort, '127.0.0.1', () => res()));
    env = await startMonitorEnv([{ id: 'main', apiKey: 'key-main', userInfo: sampleUserInfo(9, 'A B'), team: sampleTeam(), balanceDetail: sampleBalanceDetail(Date.now(), '50.00') }]);
  }, 30_000);
  afterAll(async () => {
    await killAll(procs);
    await Promise.all([receiver?.close(), new Promise<void>((res) => smtp.close(() => res())), env?.close()]);
  });

  /** Each channel's config pointed at `base` (http://host:port/statusNNN) with its secrets; a new channel must be added here. */
  const FIXTURES: { [K in Channel]: (base: string, smtpPortOrDead: number) => ChannelConfigs[K][] } = {
    email: (_b, port) => [{ smtpUrl: new Secret(`smtp://monitor:${SMTP_PASSWORD}@127.0.0.1:${port}`), from: 'm@example.org', to: ['ops@example.org'] }],
    webhook: (b) => [{ url: new Secret(`${b}/hooks/${WEBHOOK_TOKEN}`), headers: { Authorization: new Secret(`Bearer ${WEBHOOK_HEADER}`) } }],
    slack: (b) => [{ url: new Secret(`${b}/services/T0AAA/B0BBB/${SLACK_TOKEN}`) }],
    discord: (b) => [{ url: new Secret(`${b}/api/webhooks/123/${DISCORD_TOKEN}`) }],
    teams: (b) => [{ url: new Secret(`${b}/workflows/abc/triggers/manual/paths/invoke?api-version=1&sig=${TEAMS_SIG}`) }],
    telegram: (b) => [{ botToken: new Secret(TELEGRAM_TOKEN), chatId: -100123, apiUrl: b }],
    alertmanager: (b) => [
      { urls: [b], resendInterval: 30_000, labels: {}, auth: { kind: 'basic', username: 'am', password: new Secret(AM_PASSWORD) } },
      { urls: [b], resendInterval: 30_000, labels: {}, auth: { kind: 'bearer', token: new Secret(AM_BEARER) } },
    ],
  };

  it('covers every channel in the index', () => {
    expect(Object.keys(FIXTURES).sort()).toEqual([...CHANNEL_NAMES].sort());
  });

  it.each(CHANNEL_NAMES)('%s: no secret in the error of a refusal (400), a 429, a 5xx or a network failure, even when the service echoes the request', async (name) => {
    const targets = [`${receiver.url}/status400`, `${receiver.url}/status429`, `${receiver.url}/status500`, `http://127.0.0.1:${dead}`];
    for (const base of targets) {
      for (const cfg of FIXTURES[name](base, base.includes(String(dead)) ? dead : smtpPort)) {
        const config = makeConfig({ alerts: { [name]: cfg } });
        const err = await sendThrough(name, config.alerts, RECORD, sendContextFor(config)).then(() => null, (e: Error) => e);
        expect(err).not.toBeNull();
        expectNoSecret(`${name} → ${base}`, `${err!.message} ${JSON.stringify(err)} ${String((err as { reason?: string }).reason)}`);
      }
    }
  });

  /** A config file with every channel, its secrets inline and in files, pointed at the echoing receiver. */
  function writeAllChannels(): string {
    const dir = env.dir;
    writeFileSync(join(dir, 'slack-url'), `${receiver.url}/status404/services/T0AAA/B0BBB/${SLACK_TOKEN}\n`);
    writeFileSync(join(dir, 'teams-url'), `${receiver.url}/status400/workflows/abc/triggers/manual/paths/invoke?api-version=1&sig=${TEAMS_SIG}\n`);
    writeFileSync(join(dir, 'telegram-token'), `${TELEGRAM_TOKEN}\n`);
    writeFileSync(join(dir, 'am-password'), `${AM_PASSWORD}\n`);
    return env.writeConfig(`
  - name: main
    apiKey: key-main
    intervals: { balance: 1s, userInfo: 1h, team: 1h }
    budget: { perMinute: 600, perDay: 200000, perSecond: 10 }`, `
alerts:
  rules: { balance: { warning: 100, critical: 60 }, stale: false }
  email: { smtpUrl: "smtp://monitor:${SMTP_PASSWORD}@127.0.0.1:${smtpPort}", from: m@example.org, to: [ops@example.org] }
  webhook: { url: "${receiver.url}/status500/hooks/${WEBHOOK_TOKEN}", headers: { Authorization: "Bearer ${WEBHOOK_HEADER}" } }
  slack: { urlFile: slack-url }
  discord: { url: "${receiver.url}/status429/api/webhooks/123/${DISCORD_TOKEN}" }
  teams: { urlFile: teams-url }
  telegram: { botTokenFile: telegram-token, chatId: -100123, apiUrl: "${receiver.url}/status500" }
  alertmanager: { urls: ["${receiver.url}/status503"], basicAuth: { username: am, passwordFile: am-password }, resendInterval: 1s }`);
  }

  it('a running monitor at debug level, test-alert and validate leak none of them to logs, /metrics, the status page or their output', async () => {
    const file = writeAllChannels();
    const p = spawnCli(['run', '--config', file], { LOG_LEVEL: 'debug' });
    procs.push(p);
    const url = await p.url();
    // The alert fires at once (50 is below 60): every channel is tried, refused or failing, and Alertmanager re-posted.
    await waitFor('every channel tried', () => ['slack', 'teams', 'email'].every((c) => p.output().includes(`"channel":"${c}"`))
      && /will retry|rate limited/.test(p.output()) && receiver.requests.filter((r) => r.path.startsWith('/status503')).length >= 2, 30_000);
    expect(p.output()).toMatch(/"channel":"slack","reason":"HTTP 404: .*"msg":"alert notification rejected by the channel; not retried"/);
    for (const page of ['/metrics', '/', '/readyz']) {
      const res = await fetch(url + page);
      expectNoSecret(`GET ${page}`, (await res.text()) + JSON.stringify([...res.headers]));
    }
    p.proc.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expectNoSecret('run log (debug)', p.output());

    const t = spawnCli(['test-alert', '--config', file], { LOG_LEVEL: 'debug' });
    procs.push(t);
    expect(await t.exited).toBe(1);
    for (const c of CHANNEL_NAMES) expect(t.output()).toMatch(new RegExp(`^${c}: (rejected|failed)`, 'm'));
    expectNoSecret('test-alert output', t.output());

    const bad = join(env.dir, 'bad.yaml');
    writeFileSync(bad, `accounts: [{ name: main, apiKey: k }]
alerts:
  telegram: { botToken: "${TELEGRAM_TOKEN.replace(':', ' ')}", chatId: -100123 }
  slack: { url: "hooks.slack.com/services/T/B/${SLACK_TOKEN}" }
  alertmanager: { urls: ["http://am:${AM_PASSWORD}@alertmanager:9093"] }
`);
    const v = spawnCli(['validate', '--config', bad]);
    procs.push(v);
    expect(await v.exited).toBe(1);
    expect(v.output()).toMatch(/alerts\.telegram\.botToken: is not a bot token/);
    expect(v.output()).toMatch(/alerts\.slack\.url: is invalid/);
    expect(v.output()).toMatch(/alerts\.alertmanager\.urls\[0\]: must not carry a user or password/);
    expectNoSecret('validate output', v.output());
  }, 90_000);
});
