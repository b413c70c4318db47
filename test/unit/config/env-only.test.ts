import { loadConfig } from '../../../src/config/load-config';
import { problemsOf } from './config-files';

describe('configuration from the environment alone', () => {
  it('watches one account named "default" with SENDPULSE_API_KEY', () => {
    const config = loadConfig({ env: { SENDPULSE_API_KEY: 'env-key' } });
    expect(config.accounts).toHaveLength(1);
    const [account] = config.accounts;
    expect(account.name).toBe('default');
    expect(account.auth.kind === 'apiKey' && account.auth.apiKey.reveal()).toBe('env-key');
    expect(account.budget.perMinute).toBe(10);
    expect(config.redis.url.reveal()).toBe('redis://127.0.0.1:6379');
    expect(config.server.port).toBe(9464);
    expect(config.alerts.email).toBeUndefined();
  });

  it('uses OAuth client credentials with SENDPULSE_CLIENT_ID and SENDPULSE_CLIENT_SECRET, plus the other variables', () => {
    const config = loadConfig({
      env: {
        SENDPULSE_CLIENT_ID: 'env-id',
        SENDPULSE_CLIENT_SECRET: 'env-secret',
        SENDPULSE_API_URL: 'http://127.0.0.1:8099',
        REDIS_URL: 'redis://redis:6380/2',
        PORT: '9500',
        LOG_LEVEL: 'debug',
        SMTP_URL: 'smtp://mail:25',
        ALERT_EMAIL_FROM: 'monitor@example.com',
        ALERT_EMAIL_TO: 'ops@example.com, cfo@example.com',
      },
    });
    const [account] = config.accounts;
    expect(account.auth.kind).toBe('oauth');
    expect(account.auth.kind === 'oauth' && [account.auth.clientId, account.auth.clientSecret.reveal()]).toEqual(['env-id', 'env-secret']);
    expect(config.sendpulse.baseUrl).toBe('http://127.0.0.1:8099');
    expect(config.redis.url.reveal()).toBe('redis://redis:6380/2');
    expect(config.server.port).toBe(9500);
    expect(config.logLevel).toBe('debug');
    expect(config.alerts.email?.smtpUrl.reveal()).toBe('smtp://mail:25');
    expect(config.alerts.email).toMatchObject({ from: 'monitor@example.com', to: ['ops@example.com', 'cfo@example.com'] });
  });

  it('explains the three ways to configure when there is neither a file nor credentials', () => {
    expect(problemsOf(() => loadConfig({ env: { REDIS_URL: 'redis://x:1' } }))).toEqual([
      'no configuration: pass --config FILE, or set SENDPULSE_MONITOR_CONFIG=FILE, or set SENDPULSE_API_KEY (or SENDPULSE_CLIENT_ID and SENDPULSE_CLIENT_SECRET) to watch one account',
    ]);
  });

  it('names the environment variables, not config keys, in its problems, and never their secret values', () => {
    const problems = problemsOf(() =>
      loadConfig({
        env: {
          SENDPULSE_CLIENT_SECRET: 'ENV-SECRET-VALUE',
          SENDPULSE_API_URL: 'not a url',
          REDIS_URL: 'http://:ENV-REDIS-PASSWORD@x',
          PORT: 'eighty',
          LOG_LEVEL: 'verbose',
          ALERT_EMAIL_TO: 'ops@example.com,not-an-address',
        },
      }),
    );
    expect(problems).toEqual([
      'SENDPULSE_CLIENT_ID: is required with SENDPULSE_CLIENT_SECRET',
      'SMTP_URL: is required with ALERT_EMAIL_FROM and ALERT_EMAIL_TO',
      'ALERT_EMAIL_FROM: is required with SMTP_URL',
      'SENDPULSE_API_URL: "not a url" is not a valid URL (must be a URL starting with http:// or https://)',
      'REDIS_URL: is invalid (must be a URL starting with redis:// or rediss://)',
      'PORT: "eighty" is not a port number (0 to 65535)',
      'LOG_LEVEL: "verbose" is not one of debug, info, warn, error',
      'ALERT_EMAIL_TO: "not-an-address" is not an e-mail address',
    ]);
    expect(problems.join('\n')).not.toMatch(/ENV-SECRET-VALUE|ENV-REDIS-PASSWORD/);
  });

  it('refuses an API key together with client credentials', () => {
    expect(problemsOf(() => loadConfig({ env: { SENDPULSE_API_KEY: 'k', SENDPULSE_CLIENT_ID: 'i', SENDPULSE_CLIENT_SECRET: 's' } }))).toEqual([
      'SENDPULSE_API_KEY: set either SENDPULSE_API_KEY or SENDPULSE_CLIENT_ID with SENDPULSE_CLIENT_SECRET, not both',
    ]);
  });
});
