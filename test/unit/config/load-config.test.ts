import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from '../../../src/config/load-config';
import { Secret } from '../../../src/config/secret';
import { problemsOf, tempConfigDir } from './config-files';

const FIXTURES = resolve(__dirname, '../../fixtures/config');
const ONE_ACCOUNT = 'accounts:\n  - { name: main, apiKey: k }\n';

describe('loading a config file', () => {
  const t = tempConfigDir();
  afterAll(() => t.cleanup());

  it('loads the example of issue 2 with ${SENDPULSE_API_KEY} from the environment', () => {
    const config = loadConfig({ file: join(FIXTURES, 'issue-2-example.yaml'), env: { SENDPULSE_API_KEY: 'key-from-env' } });
    expect(config.accounts).toHaveLength(1);
    const [main] = config.accounts;
    expect(main.name).toBe('main');
    expect(main.auth.kind).toBe('apiKey');
    expect(main.auth.kind === 'apiKey' && main.auth.apiKey.reveal()).toBe('key-from-env');
    expect(main.intervals).toEqual({ balance: 300_000, user_info: 3_600_000, team: 3_600_000 });
    expect(main.budget).toEqual({ perMinute: 10, perDay: 5000, perSecond: 5, share: 0.01, onOverflow: 'stretch' });
    expect(config.sendpulse).toEqual({ baseUrl: 'https://api.sendpulse.com', timeout: 10_000, authBackoff: { initialMs: 60_000, maxMs: 1_800_000 } });
    expect(config.redis.url.reveal()).toBe('redis://127.0.0.1:6379');
    expect(config.server).toEqual({ host: '0.0.0.0', port: 9464 });
  });

  it('takes the poll concurrency from worker.concurrency, 32 by default, and names a bad value', () => {
    expect(t.load(ONE_ACCOUNT).worker).toEqual({ concurrency: 32 });
    expect(t.load(`worker: { concurrency: 200 }\n${ONE_ACCOUNT}`).worker).toEqual({ concurrency: 200 });
    expect(() => t.load(`worker: { concurrency: 0 }\n${ONE_ACCOUNT}`)).toThrow('worker.concurrency: 0 is not a number of polls at once (1 to 1000)');
  });

  it('takes the shard count from redis.shards, 1 by default, and names a bad value', () => {
    expect(t.load(ONE_ACCOUNT).redis.shards).toBe(1);
    expect(t.load(`redis: { shards: 3 }\n${ONE_ACCOUNT}`).redis.shards).toBe(3);
    expect(() => t.load(`redis: { shards: 0 }\n${ONE_ACCOUNT}`)).toThrow('redis.shards: 0 is not a number of shards (an integer from 1 to 256)');
    expect(() => t.load(`redis: { shards: 2.5 }\n${ONE_ACCOUNT}`)).toThrow('redis.shards: 2.5 is not a number of shards (an integer from 1 to 256)');
  });

  it('takes the credential back-off from sendpulse.authBackoff (1m doubling to 30m by default) and names a bad one', () => {
    expect(t.load(`sendpulse: { authBackoff: { initial: 1s, max: 30s } }\n${ONE_ACCOUNT}`).sendpulse.authBackoff).toEqual({ initialMs: 1000, maxMs: 30_000 });
    expect(() => t.load(`sendpulse: { authBackoff: { initial: 5m, max: 1m } }\n${ONE_ACCOUNT}`)).toThrow('sendpulse.authBackoff.max: must not be below initial');
    expect(() => t.load(`sendpulse: { authBackoff: { initial: 10ms } }\n${ONE_ACCOUNT}`)).toThrow('sendpulse.authBackoff.initial: "10ms" is below the minimum of 1s');
  });

  it('fills every default when only an account is given', () => {
    const config = t.load(ONE_ACCOUNT);
    expect(config.sendpulse).toEqual({ baseUrl: 'https://api.sendpulse.com', timeout: 10_000, authBackoff: { initialMs: 60_000, maxMs: 1_800_000 } });
    expect(config.redis.url).toBeInstanceOf(Secret);
    expect(config.redis.url.reveal()).toBe('redis://127.0.0.1:6379');
    expect(config.redis.prefix).toBe('spm');
    expect(config.redis.password).toBeUndefined();
    expect(config.server).toEqual({ host: '0.0.0.0', port: 9464 });
    expect(config.logLevel).toBe('info');
    expect(config.accounts[0]).toMatchObject({
      name: 'main',
      plan: 'free',
      timezone: 'UTC',
      intervals: { balance: 300_000, user_info: 3_600_000, team: 3_600_000 },
      // 1 % of the free tier's 1,000/min and 500,000/day (issue 3).
      budget: { perMinute: 10, perDay: 5000, perSecond: 5, share: 0.01, onOverflow: 'stretch' },
      alerts: { rules: { tariffExpiry: { warning: 604_800_000, critical: 86_400_000 }, credentials: true, stale: true, unreadable: true }, to: [] },
    });
    expect(config.alerts).toEqual({
      rules: { tariffExpiry: { warning: 604_800_000, critical: 86_400_000 }, credentials: true, stale: true, unreadable: true },
      repeatInterval: 86_400_000,
      sendResolved: true,
      hysteresis: 0.05,
      pendingPolls: 1,
      runwayWindow: 604_800_000,
      staleAfterIntervals: 3,
      maxAttempts: 10,
    });
  });

  it('loads a file that sets every key, reading secrets from files relative to it', () => {
    const dir = join(t.dir, 'full');
    mkdirSync(join(dir, 'secrets'), { recursive: true });
    copyFileSync(join(FIXTURES, 'full.yaml'), join(dir, 'config.yaml'));
    const secrets: Record<string, string> = {
      'redis-url': 'rediss://redis.internal:6380/0\n',
      'redis-password': 'redis-pass\n',
      'metrics-password': 'metrics-pass\n',
      'main-api-key': 'main-key\r\n',
      'smtp-url': 'smtps://mailer:mail-pass@smtp.example.com:465\n',
    };
    for (const [name, content] of Object.entries(secrets)) writeFileSync(join(dir, 'secrets', name), content);
    const config = loadConfig({
      file: join(dir, 'config.yaml'),
      env: { SHOP_CLIENT_ID: 'shop-id', SHOP_CLIENT_SECRET: 'shop-secret', WEBHOOK_URL: 'https://hooks.example.com/x', WEBHOOK_TOKEN: 'tok' },
    });

    expect(config.sendpulse).toEqual({ baseUrl: 'http://127.0.0.1:8080', timeout: 2000, authBackoff: { initialMs: 60_000, maxMs: 1_800_000 } });
    expect(config.redis.url.reveal()).toBe('rediss://redis.internal:6380/0');
    expect(config.redis.password?.reveal()).toBe('redis-pass');
    expect(config.redis.prefix).toBe('{spm}');
    expect(config.server.port).toBe(9100);
    expect(config.server.auth?.kind === 'basic' && [config.server.auth.username, config.server.auth.password.reveal()]).toEqual(['prometheus', 'metrics-pass']);
    expect(config.logLevel).toBe('debug');

    const [main, shop] = config.accounts;
    expect(main.auth.kind === 'apiKey' && main.auth.apiKey.reveal()).toBe('main-key');
    expect(main).toMatchObject({ plan: 'standard', timezone: 'Europe/Berlin', intervals: { balance: 60_000, user_info: 7_200_000, team: 1_800_000 } });
    // share 0.02 of the standard tier: 2 % of 2,000/min and 1,000,000/day.
    expect(main.budget).toEqual({ perMinute: 40, perDay: 20_000, perSecond: 2, share: 0.02, onOverflow: 'refuse' });
    expect(shop.auth).toEqual({ kind: 'oauth', clientId: 'shop-id', clientSecret: expect.any(Secret) });
    expect(shop.auth.kind === 'oauth' && shop.auth.clientSecret.reveal()).toBe('shop-secret');
    expect(shop.budget).toMatchObject({ perMinute: 30, perDay: 20_000 });

    expect(config.alerts).toMatchObject({
      repeatInterval: 43_200_000,
      sendResolved: false,
      hysteresis: 0.1,
      pendingPolls: 2,
      runwayWindow: 259_200_000,
      staleAfterIntervals: 5,
      maxAttempts: 4,
      dashboardUrl: 'https://grafana.example.com/d/sendpulse',
    });
    expect(config.alerts.rules).toEqual({
      balance: { warning: 10, critical: 2 },
      emailsLeft: { warning: 1000, critical: 100 },
      tariffExpiry: { warning: 604_800_000, critical: 86_400_000 },
      subscribers: { warning: 0.9, critical: 0.98 },
      runway: { warning: 1_209_600_000, critical: 259_200_000 },
      credentials: true,
      stale: true,
      unreadable: true,
    });
    expect(config.alerts.email?.smtpUrl.reveal()).toBe('smtps://mailer:mail-pass@smtp.example.com:465');
    expect(config.alerts.email).toMatchObject({ from: 'monitor@example.com', to: ['ops@example.com'] });
    expect(config.alerts.webhook?.url.reveal()).toBe('https://hooks.example.com/x');
    expect(config.alerts.webhook?.headers.Authorization.reveal()).toBe('Bearer tok');
  });

  it('merges an account\'s rule overrides over the global rules, level by level', () => {
    const config = t.load(`
accounts:
  - name: main
    apiKey: k
    alerts: { rules: { balance: { critical: 1 }, runway: false, stale: false, subscribers: { warning: 0.8, critical: 0.95 } }, to: [cfo@example.com] }
  - { name: other, apiKey: k }
alerts:
  rules:
    balance: { warning: 10, critical: 2 }
    runway: { warning: 14d, critical: 3d }
  email: { smtpUrl: "smtp://localhost:25", from: m@example.com, to: [ops@example.com] }
`);
    const [main, other] = config.accounts;
    expect(main.alerts.rules).toEqual({
      balance: { warning: 10, critical: 1 },
      subscribers: { warning: 0.8, critical: 0.95 },
      // On by default: it needs no currency or plan size (alerts.rules.tariffExpiry: false turns it off).
      tariffExpiry: { warning: 604_800_000, critical: 86_400_000 },
      credentials: true,
      stale: false,
      unreadable: true,
    });
    expect(main.alerts.to).toEqual(['cfo@example.com']);
    expect(other.alerts.rules).toEqual(config.alerts.rules);
    expect(other.alerts.rules.runway).toEqual({ warning: 1_209_600_000, critical: 259_200_000 });
  });

  it('has tariffExpiry on by default at 7d/1d: false turns it off, an account override inherits the default levels', () => {
    const off = t.load('accounts:\n  - { name: main, apiKey: k }\nalerts: { rules: { tariffExpiry: false } }\n');
    expect(off.accounts[0].alerts.rules.tariffExpiry).toBeUndefined();
    const own = t.load('accounts:\n  - { name: main, apiKey: k, alerts: { rules: { tariffExpiry: { warning: 14d } } } }\n  - { name: quiet, apiKey: k, alerts: { rules: { tariffExpiry: false } } }\n');
    expect(own.accounts[0].alerts.rules.tariffExpiry).toEqual({ warning: 1_209_600_000, critical: 86_400_000 });
    expect(own.accounts[1].alerts.rules.tariffExpiry).toBeUndefined();
    expect(problemsOf(() => t.load('accounts:\n  - { name: main, apiKey: k, alerts: { rules: { tariffExpiry: { warning: 12h } } } }\n')))
      .toEqual(['accounts[0].alerts.rules.tariffExpiry: critical (1d) must be below warning (12h)']);
  });

  it('leaves out the sections a command skips: neither their ${VAR}s nor their problems count, accounts[].alerts.to goes with the channels', () => {
    const text = `
redis: { url: "\${REDIS_URL_UNSET}", prefix: "bad prefix" }
server: { port: 99999 }
accounts:
  - { name: main, apiKey: k, alerts: { to: [cfo@example.com] } }
alerts:
  email: { smtpUrl: "\${SMTP_URL}", from: monitor@example.com }
  webhook: { url: "\${HOOK}" }
  slack: { url: "\${SLACK}" }
`;
    expect(problemsOf(() => t.load(text)).length).toBeGreaterThan(3);
    const config = loadConfig({ file: t.write('skip.yaml', text), env: {}, skip: ['redis', 'server', 'channels'] });
    expect(config.redis.url.reveal()).toBe('redis://127.0.0.1:6379');
    expect(config.server.port).toBe(9464);
    expect(config.alerts.email).toBeUndefined();
    expect(config.alerts.webhook).toBeUndefined();
    expect(config.alerts.slack).toBeUndefined();
    expect(config.accounts[0].alerts.to).toEqual([]);
    // Without a file: the variables of a skipped section are not read.
    expect(loadConfig({ env: { SENDPULSE_API_KEY: 'k', ALERT_EMAIL_FROM: 'a@example.com', REDIS_URL: 'nope' }, skip: ['redis', 'channels'] }).alerts.email).toBeUndefined();
  });

  it('substitutes ${VAR} and ${VAR:-default} in every string, and $${ stays a literal ${', () => {
    const config = t.load(
      `
sendpulse: { baseUrl: "http://\${SP_HOST}:\${SP_PORT:-8080}" }
redis: { prefix: "\${PREFIX:-spm}-\${ENVIRONMENT}" }
server: { port: "\${PORT}" }
accounts:
  - { name: "\${ACCOUNT:-main}", apiKey: "\${KEY}", timezone: "\${TZ_NAME:-UTC}" }
alerts: { dashboardUrl: "https://grafana/d?var=$\${account}" }
`,
      { SP_HOST: 'sim', ENVIRONMENT: 'prod', PORT: '9200', KEY: 'secret-key', TZ_NAME: '' },
    );
    expect(config.sendpulse.baseUrl).toBe('http://sim:8080');
    expect(config.redis.prefix).toBe('spm-prod');
    expect(config.server.port).toBe(9200);
    expect(config.accounts[0].name).toBe('main');
    expect(config.accounts[0].timezone).toBe('UTC');
    expect(config.accounts[0].auth.kind === 'apiKey' && config.accounts[0].auth.apiKey.reveal()).toBe('secret-key');
    expect(config.alerts.dashboardUrl).toBe('https://grafana/d?var=${account}');
  });

  it('reads secret files without their trailing newline, from absolute paths too', () => {
    const keyFile = t.write('abs/api-key', 'file-key\n\n');
    const secretFile = t.write('abs/client-secret', 'file-secret\n');
    const config = t.load(`
accounts:
  - { name: a, apiKeyFile: ${keyFile} }
  - { name: b, clientId: id, clientSecretFile: ${secretFile} }
`);
    const [a, b] = config.accounts;
    expect(a.auth.kind === 'apiKey' && a.auth.apiKey.reveal()).toBe('file-key');
    expect(b.auth.kind === 'oauth' && b.auth.clientSecret.reveal()).toBe('file-secret');
  });

  it('takes the SMTP URL from the env SMTP_URL when alerts.email sets none', () => {
    const config = t.load(`${ONE_ACCOUNT}alerts: { email: { from: m@example.com, to: [ops@example.com] } }\n`, { SMTP_URL: 'smtp://u:p@mail:2525' });
    expect(config.alerts.email?.smtpUrl.reveal()).toBe('smtp://u:p@mail:2525');
  });

  it('protects the pages with a bearer token read from a file', () => {
    const token = t.write('token', 'tkn\n');
    const config = t.load(`${ONE_ACCOUNT}server: { auth: { bearerTokenFile: ${token} } }\n`);
    expect(config.server.auth?.kind === 'bearer' && config.server.auth.token.reveal()).toBe('tkn');
  });

  it('reads the file named by SENDPULSE_MONITOR_CONFIG when no file is passed', () => {
    const file = t.write('from-env.yaml', 'accounts:\n  - { name: via-env, apiKey: k }\n');
    expect(loadConfig({ env: { SENDPULSE_MONITOR_CONFIG: file } }).accounts[0].name).toBe('via-env');
  });

  it('accepts YAML anchors and merge keys, with the shared block under an ignored x- key (as in compose files)', () => {
    const config = t.load(`
x-common: &common { plan: standard, intervals: { balance: 10m } }
accounts:
  - { <<: *common, name: a, apiKey: k }
  - { <<: *common, name: b, apiKey: k }
`);
    expect(config.accounts.map((a) => [a.name, a.plan, a.intervals.balance])).toEqual([
      ['a', 'standard', 600_000],
      ['b', 'standard', 600_000],
    ]);
  });
});

describe('examples/config.yaml', () => {
  const example = resolve(__dirname, '../../../examples/config.yaml');

  it('loads, and every value it shows is the default', () => {
    const fromExample = loadConfig({ file: example, env: { SENDPULSE_API_KEY: 'k' } });
    const t = tempConfigDir();
    try {
      expect(fromExample).toEqual(t.load('accounts:\n  - { name: main, apiKey: k }\n'));
    } finally {
      t.cleanup();
    }
  });

  it('loads with every commented key switched on', () => {
    const t = tempConfigDir();
    try {
      t.write('secrets/metrics-token', 'x\n');
      const text = readFileSync(example, 'utf8')
        .replace(/^(\s*)# (\s*)(balance|emailsLeft|smtpEmailsLeft|smtpTraffic|tariffExpiry|subscribers|runway|dashboardUrl|publicUrl|email|smtpUrl|from|to|webhook|url|headers):(?= |$)/gm, '$1$2$3:')
        .replace(/^(\s*)# (auth):/m, '$1$2:')
        .replace(/^(\s*)# (\s*)(bearerTokenFile): \/run\/secrets\//m, '$1$2$3: secrets/');
      const config = loadConfig({
        file: t.write('config.yaml', text),
        env: { SENDPULSE_API_KEY: 'k', SMTP_URL: 'smtp://mail:25', ALERT_WEBHOOK_URL: 'https://hooks.example.com/x', ALERT_WEBHOOK_TOKEN: 't' },
      });
      expect(Object.keys(config.alerts.rules).sort()).toEqual(['balance', 'credentials', 'emailsLeft', 'runway', 'smtpEmailsLeft', 'smtpTraffic', 'stale', 'subscribers', 'tariffExpiry', 'unreadable']);
      expect(config.alerts.email?.to).toEqual(['ops@example.com']);
      expect(config.alerts.webhook?.headers.Authorization.reveal()).toBe('Bearer t');
      expect(config.server.auth?.kind).toBe('bearer');
      expect(config.server.publicUrl).toBe('https://monitor.example.com');
    } finally {
      t.cleanup();
    }
  });
});
