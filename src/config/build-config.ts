import { CHANNEL_NAMES, CHANNELS } from '../alerts/channels';
import type { ChannelDefinition } from '../alerts/channels/channel';
import { ENDPOINT_DEFS, ENDPOINTS, type PerEndpoint } from '../sendpulse/endpoints';
import { mergeAlertRules, type RulesInput } from './merge-alert-rules';
import { resolveBudget } from './resolve-budget';
import type { RawAccount, RawConfig } from './schema';
import { Secret } from './secret';
import type { AccountAuth, AccountConfig, AlertRules, AlertsConfig, MonitorConfig, RedisConfig, ServerAuth } from './types';

const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** The MonitorConfig for a file that passed the schema and the cross-field checks (so every choice below is already known to be unambiguous). */
export function buildConfig(raw: RawConfig): MonitorConfig {
  const globalRules = raw.alerts.rules;
  const alerts: AlertsConfig = {
    rules: mergeAlertRules(globalRules as RulesInput, {}),
    repeatInterval: raw.alerts.repeatInterval,
    sendResolved: raw.alerts.sendResolved,
    hysteresis: raw.alerts.hysteresis,
    pendingPolls: raw.alerts.pendingPolls,
    runwayWindow: raw.alerts.runwayWindow,
    staleAfterIntervals: raw.alerts.staleAfter,
    maxAttempts: raw.alerts.maxAttempts,
  };
  if (raw.alerts.dashboardUrl !== undefined) alerts.dashboardUrl = raw.alerts.dashboardUrl;
  for (const name of CHANNEL_NAMES) {
    const section = raw.alerts[name];
    if (section !== undefined) (alerts as unknown as Record<string, unknown>)[name] = (CHANNELS[name] as unknown as ChannelDefinition).build(section);
  }

  const config: MonitorConfig = {
    // No trailing slash, so the client can append `/user/info` without doubling it.
    sendpulse: {
      baseUrl: raw.sendpulse.baseUrl.replace(/\/+$/, ''),
      timeout: raw.sendpulse.timeout,
      authBackoff: { initialMs: raw.sendpulse.authBackoff.initial, maxMs: raw.sendpulse.authBackoff.max },
    },
    redis: buildRedis(raw.redis),
    server: { host: raw.server.host, port: raw.server.port },
    worker: { concurrency: raw.worker.concurrency },
    accounts: raw.accounts.map((a) => buildAccount(a, globalRules)),
    alerts,
    logLevel: raw.logLevel,
  };
  // No trailing slash, so `/accounts/NAME` can be appended.
  if (raw.server.publicUrl !== undefined) config.server.publicUrl = raw.server.publicUrl.replace(/\/+$/, '');
  const auth = buildServerAuth(raw.server.auth);
  if (auth) config.server.auth = auth;
  return config;
}

function buildAccount(a: RawAccount, globalRules: RawConfig['alerts']['rules']): AccountConfig {
  const apiKey = a.apiKey ?? a.apiKeyFile;
  const auth: AccountAuth = apiKey
    ? { kind: 'apiKey', apiKey }
    : { kind: 'oauth', clientId: required(a.clientId), clientSecret: required(a.clientSecret ?? a.clientSecretFile) };
  const rules: AlertRules = mergeAlertRules(globalRules as RulesInput, a.alerts.rules as RulesInput);
  return {
    name: a.name,
    auth,
    plan: a.plan,
    timezone: a.timezone,
    // Translated once from the YAML keys (userInfo) to the endpoint names (user_info) used everywhere else.
    intervals: Object.fromEntries(ENDPOINTS.map((e) => [e, (a.intervals as Record<string, number>)[ENDPOINT_DEFS[e].configKey]])) as PerEndpoint<number>,
    budget: resolveBudget(a.plan, a.budget),
    alerts: { rules, to: a.alerts.to },
  };
}

function buildRedis(raw: RawConfig['redis']): RedisConfig {
  const redis: RedisConfig = { url: raw.url ?? raw.urlFile ?? new Secret(DEFAULT_REDIS_URL), prefix: raw.prefix, allowEviction: raw.allowEviction, shards: raw.shards };
  const password = raw.password ?? raw.passwordFile;
  if (password) redis.password = password;
  if (raw.tls) {
    redis.tls = { insecureSkipVerify: raw.tls.insecureSkipVerify };
    if (raw.tls.caFile) redis.tls.ca = raw.tls.caFile;
  }
  if (raw.sentinel) {
    redis.sentinel = { sentinels: raw.sentinel.sentinels, name: raw.sentinel.name };
    if (raw.sentinel.passwordFile) redis.sentinel.password = raw.sentinel.passwordFile;
  }
  if (raw.cluster) {
    redis.cluster = { nodes: raw.cluster.nodes };
    // BullMQ's scripts touch several keys of a queue at once, which a cluster allows only within one
    // hash slot: a `{...}` hash tag puts every key of ours and BullMQ's in the same slot.
    if (!/\{[^}]+\}/.test(raw.prefix)) {
      redis.prefix = `{${raw.prefix}}`;
      redis.prefixAsWritten = raw.prefix;
    }
  }
  return redis;
}

function buildServerAuth(raw: RawConfig['server']['auth']): ServerAuth | undefined {
  if (!raw) return undefined;
  if (raw.bearerTokenFile) return { kind: 'bearer', token: raw.bearerTokenFile };
  const basic = required(raw.basicAuth);
  return { kind: 'basic', username: basic.username, password: basic.passwordFile };
}

/** The cross-field checks guarantee these; a failure here is a bug in them, not in the file. */
function required<T>(v: T | undefined): T {
  if (v === undefined) throw new Error('config: a value the cross-field checks guarantee is missing');
  return v;
}
