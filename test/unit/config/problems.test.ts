import { join, resolve } from 'node:path';
import { loadConfig } from '../../../src/config/load-config';
import { ConfigError } from '../../../src/errors';
import { problemsOf, tempConfigDir } from './config-files';

const FIXTURES = resolve(__dirname, '../../fixtures/config');
const ONE_ACCOUNT = 'accounts:\n  - { name: main, apiKey: k }\n';

describe('configuration problems', () => {
  const t = tempConfigDir();
  afterAll(() => t.cleanup());

  it('reports every problem in the file at once, one line each, naming the key path', () => {
    const problems = problemsOf(() => loadConfig({ file: join(FIXTURES, 'many-problems.yaml'), env: {} }));
    expect([...problems].sort()).toEqual(
      [
        'accounts[2].apiKey: environment variable MISSING_KEY is not set (set it, or write ${MISSING_KEY:-default})',
        'sendpulse.baseUrl: "ftp://api.example.com" is not a valid URL (must be a URL starting with http:// or https://)',
        'sendpulse.timeout: "5x" is not a duration (use 30s, 5m, 1h, 7d)',
        'redis.url: is invalid (must be a URL starting with redis:// or rediss://)',
        'redis.prefix: "a b" may only use A-Z, a-z, 0-9, _, -, :, { and }',
        'server.port: 70000 is not a port number (0 to 65535)',
        'server.hots: unknown key (did you mean host?)',
        'logLevel: "loud" is not one of debug, info, warn, error',
        'accounts[0].name: "Main" may only use a-z, 0-9, _ and - (it is the metric label)',
        'accounts[0].intervalls: unknown key (did you mean intervals?)',
        'accounts[0]: set either apiKey (or apiKeyFile) or clientId with clientSecret (or clientSecretFile), not both',
        'accounts[1].plan: "gold" is not one of free, standard, enterprise',
        'accounts[1].timezone: "Mars/Olympus_Mons" is not an IANA time zone (e.g. UTC, Europe/Berlin, America/New_York)',
        'accounts[1].intervals.balance: "5x" is not a duration (use 30s, 5m, 1h, 7d)',
        'accounts[1].intervals.team: "500ms" is below the minimum of 1s',
        'accounts[1].budget.perSecond: 20 is not a whole number from 1 to 10',
        'accounts[1].clientId: is required with clientSecret',
        'accounts[2].name: "shop" is already used by accounts[1] (names must be unique)',
        'accounts[2].alerts.rules.balance: critical (20) must be below warning (2)',
        'alerts.rules.balance: critical (5) must be below warning (2)',
        'alerts.rules.tariffExpiry: critical (7d) must be below warning (1d)',
        'alerts.rules.subscribers: critical (0.8) must be above warning (0.9)',
        'alerts.rules.emailsLeft.warning: "lots" is not a number of e-mails (0 or more)',
        'alerts.email.smtpUrl: is invalid (must be a URL starting with smtp:// or smtps://)',
        'alerts.email.from: "nobody" is not an e-mail address',
        'alerts.webhook.url: is invalid (must be a URL starting with http:// or https://)',
        'alerts.webhook.headers.X-Token: is invalid (must be non-empty text; quote it)',
      ].sort(),
    );
  });

  it('never puts a secret value in a problem, whatever is wrong around it', () => {
    const problems = problemsOf(() => loadConfig({ file: join(FIXTURES, 'many-problems.yaml'), env: {} }));
    const secretFile = t.write('secret-file', 'FILE-SECRET-NOT-A-URL\n');
    const more = [
      ...problems,
      ...t.problems(`
redis: { url: "redis://:SECRET-PW@", urlFile: ${secretFile} }
accounts:
  - { name: a, apiKey: [SECRET-IN-A-LIST] }
  - { name: b, apiKey: SECRET-TWICE, apiKeyFile: ${secretFile} }
  - { name: c, clientId: id, clientSecret: { nested: SECRET-NESTED } }
alerts:
  email: { smtpUrlFile: ${secretFile}, from: m@example.com, to: [ops@example.com] }
  webhook: { urlFile: ${secretFile} }
`),
      ...t.problems(`${ONE_ACCOUNT}\nbroken: "SECRET-IN-SYNTAX-ERROR\n`),
    ];
    expect(more.length).toBeGreaterThan(30);
    for (const line of more) expect(line).not.toMatch(/SECRET-(API|CLIENT|SMTP|WEBHOOK|REDIS|PW|IN|TWICE|NESTED)|FILE-SECRET/);
    expect(more).toContain(`redis.urlFile: the content of ${secretFile} is invalid (must be a URL starting with redis:// or rediss://)`);
  });

  it.each([
    ['neither kind', '  - { name: a }', 'accounts[0]: no credentials: set apiKey (or apiKeyFile), or clientId with clientSecret (or clientSecretFile)'],
    ['both kinds', '  - { name: a, apiKey: k, clientId: i, clientSecret: s }', 'accounts[0]: set either apiKey (or apiKeyFile) or clientId with clientSecret (or clientSecretFile), not both'],
    ['a key twice', '  - { name: a, apiKey: k, apiKeyFile: /k }', 'accounts[0]: set only one of apiKey and apiKeyFile'],
    ['a client id alone', '  - { name: a, clientId: i }', 'accounts[0].clientSecret: is required with clientId (or clientSecretFile)'],
    ['a client secret twice', '  - { name: a, clientId: i, clientSecret: s, clientSecretFile: /s }', 'accounts[0]: set only one of clientSecret and clientSecretFile'],
  ])('says which credentials to set when an account has %s', (_case, account, problem) => {
    expect(t.problems(`accounts:\n${account}\n`)).toContain(problem);
  });

  it('names the key and the file when a secret file is missing or empty', () => {
    const empty = t.write('empty-secret', '\n');
    expect(t.problems(`accounts:\n  - { name: a, apiKeyFile: /nonexistent/api-key }\n  - { name: b, clientId: i, clientSecretFile: ${empty} }\n`)).toEqual([
      'accounts[0].apiKeyFile: cannot read /nonexistent/api-key (no such file)',
      `accounts[1].clientSecretFile: ${empty} is empty`,
    ]);
    expect(t.problems(`${ONE_ACCOUNT}redis: { passwordFile: missing-password }\n`)).toEqual([
      `redis.passwordFile: cannot read ${join(t.dir, 'missing-password')} (no such file)`,
    ]);
  });

  it('gives the line and column of a YAML syntax error, without the offending text', () => {
    const file = join(t.dir, 'config.yaml');
    expect(t.problems('accounts:\n  - name: a\n    apiKey: "unterminated\n')).toEqual([`${file}:4:1: YAML syntax error: Missing closing "quote`]);
    expect(t.problems('accounts: []\naccounts: []\n')).toEqual([`${file}:2:1: YAML syntax error: Map keys must be unique`]);
  });

  it('explains an empty file, a file that is not a mapping, and a missing file', () => {
    const file = join(t.dir, 'config.yaml');
    expect(t.problems('# nothing yet\n')).toEqual([`${file}: the file is empty (it needs at least an accounts: list)`]);
    expect(t.problems('- a\n- b\n')).toEqual([`${file}: must be a mapping of keys (sendpulse:, redis:, accounts:, ...)`]);
    expect(problemsOf(() => loadConfig({ file: '/nonexistent/config.yaml', env: {} }))).toEqual(['cannot read config file /nonexistent/config.yaml: no such file']);
  });

  it('requires at least one account', () => {
    expect(t.problems('logLevel: info\n')).toEqual(['accounts: is required (at least one account)']);
    expect(t.problems('accounts: []\n')).toEqual(['accounts: needs at least one account']);
    expect(t.problems('accounts: { name: a }\n')).toEqual(['accounts: must be a list (lines starting with "- ")']);
  });

  it('checks budgets against the plan tier quota', () => {
    expect(
      t.problems(`accounts:
  - { name: a, apiKey: k, budget: { perMinute: 1001, perDay: 600000 } }
  - { name: b, apiKey: k, plan: standard, budget: { share: 0.0001 } }
  - { name: c, apiKey: k, budget: { share: 1.5, onOverflow: crash } }
`),
    ).toEqual([
      'accounts[2].budget.share: 1.5 is not a fraction above 0 and at most 1 (0.01 = 1 %)',
      'accounts[2].budget.onOverflow: "crash" is not one of stretch, refuse',
      "accounts[0].budget.perMinute: 1001 is above the free plan's quota of 1000 requests per minute",
      "accounts[0].budget.perDay: 600000 is above the free plan's quota of 500000 requests per day",
      "accounts[1].budget.share: 0.0001 of the standard plan's 2000 requests per minute is less than one request (raise share or set perMinute)",
    ]);
  });

  it('checks the thresholds of every rule for type and order, globally and per account', () => {
    expect(
      t.problems(`accounts:
  - name: a
    apiKey: k
    alerts: { rules: { tariffExpiry: { critical: 10d }, runway: { warning: 1d }, subscribers: { critical: 0.5 } } }
alerts:
  rules:
    balance: { warning: ten, critical: 2 }
    emailsLeft: { warning: 100, critical: 100 }
    tariffExpiry: { warning: 7d, critical: 1d }
    subscribers: { warning: 0.9, critical: 1.2 }
    runway: { warning: 3d, critical: 14d }
    stale: maybe
`),
    ).toEqual([
      'alerts.rules.balance.warning: "ten" is not a number',
      'alerts.rules.subscribers.critical: 1.2 is not a fraction from 0 to 1 (0.9 = 90 %)',
      'alerts.rules.stale: "maybe" is not true or false',
      'alerts.rules.emailsLeft: critical (100) must be below warning (100)',
      'alerts.rules.runway: critical (14d) must be below warning (3d)',
      'accounts[0].alerts.rules.tariffExpiry: critical (10d) must be below warning (7d)',
      'accounts[0].alerts.rules.runway: critical (14d) must be below warning (1d)',
    ]);
  });

  it('asks for the missing level of an account rule when there is no global rule to inherit it from', () => {
    expect(t.problems('accounts:\n  - { name: a, apiKey: k, alerts: { rules: { balance: { warning: 5 } } } }\n')).toEqual([
      'accounts[0].alerts.rules.balance.critical: is required (alerts.rules.balance has no critical to inherit)',
    ]);
  });

  it('needs somewhere to send alert e-mails and someone to send them to', () => {
    expect(t.problems('accounts:\n  - { name: a, apiKey: k, alerts: { to: [x@example.com] } }\n')).toEqual([
      'accounts[0].alerts.to: needs alerts.email (the SMTP server and sender) to send to',
    ]);
    expect(t.problems(`${ONE_ACCOUNT}alerts: { email: { from: m@example.com } }\n`)).toEqual([
      'alerts.email.smtpUrl: is required (or smtpUrlFile, or the environment variable SMTP_URL)',
      'alerts.email.to: no recipients for "main" (set alerts.email.to or accounts[].alerts.to)',
    ]);
  });

  it('rejects a server.auth with neither or both ways to log in', () => {
    expect(t.problems(`${ONE_ACCOUNT}server: { auth: {} }\n`)).toEqual(['server.auth: set bearerTokenFile or basicAuth']);
    const token = t.write('token', 't\n');
    expect(t.problems(`${ONE_ACCOUNT}server: { auth: { bearerTokenFile: ${token}, basicAuth: { username: u, passwordFile: ${token} } } }\n`)).toEqual([
      'server.auth: set only one of bearerTokenFile and basicAuth',
    ]);
  });

  it('flags a ${ that is not a variable reference', () => {
    expect(t.problems(`${ONE_ACCOUNT}redis: { prefix: "spm\${" }\n`)).toEqual([
      'redis.prefix: has a "${" that is not a variable reference (write ${NAME}, ${NAME:-default}, or $${ for a literal ${)',
    ]);
  });

  it('throws a ConfigError with the stable code, so callers need not read the text', () => {
    expect.assertions(2);
    try {
      t.load('accounts: []\n');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).code).toBe('SPM_ERR_CONFIG');
    }
  });
});
