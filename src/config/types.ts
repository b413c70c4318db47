import type { PerEndpoint } from '../sendpulse/endpoints';
import type { Secret } from './secret';

/** Durations in this module are milliseconds; YAML gives them as `30s`, `5m`, `1h`, `7d` (or a number of seconds). */
export type Millis = number;

export type PlanTier = 'free' | 'standard' | 'enterprise';
export { ENDPOINTS, type Endpoint, type PerEndpoint } from '../sendpulse/endpoints';

/** How an account authenticates: a static API key or OAuth2 client credentials. */
export type AccountAuth =
  | { kind: 'apiKey'; apiKey: Secret }
  | { kind: 'oauth'; clientId: string; clientSecret: Secret };

/** Per-account budget (issue 3). Absolute numbers win over `share`. */
export interface BudgetConfig {
  /** Requests per minute; default `share` × the tier's per-minute quota. */
  perMinute: number;
  /** Requests per day; default `share` × the tier's per-day quota. */
  perDay: number;
  /** Requests per second; default 5 (half of SendPulse's hard 10/s). */
  perSecond: number;
  /** The share used when perMinute/perDay are not given; default 0.01. */
  share: number;
  /** What to do when the schedule does not fit: stretch the intervals (default) or refuse to start. */
  onOverflow: 'stretch' | 'refuse';
}

/** A threshold level as written: an amount (money, count, bytes, ms), or a fraction of the value's limit (`10%` → `{ fraction: 0.1 }`). */
export type Level = number | { fraction: number };

/** A two-level rule's levels as configured. */
export interface Levels {
  warning: Level;
  critical: Level;
}

/** Two levels resolved to amounts of the observed value (a fraction of a limit already multiplied out). */
export interface Thresholds {
  warning: number;
  critical: number;
}

/**
 * The rules in force, by rule name (src/alerts/rules/index.ts lists them): a two-level rule's Levels
 * when it is on (absent: off), an operational rule's on/off flag.
 */
export type AlertRules = Record<string, Levels | boolean | undefined>;

export interface AccountConfig {
  /** The metric label: [a-z0-9_-]+, unique. */
  name: string;
  auth: AccountAuth;
  /** Default `free`. */
  plan: PlanTier;
  /** IANA zone the tariff end dates are read in; default `UTC`. */
  timezone: string;
  /** Poll interval per endpoint, ms (YAML keys `balance`, `userInfo`, `team`, translated once); defaults 5m, 1h, 1h; minimum 1s. */
  intervals: PerEndpoint<Millis>;
  budget: BudgetConfig;
  /** Per-account alert overrides: merged over `alerts.rules`; extra recipients. */
  alerts: { rules: AlertRules; to: string[] };
}

/**
 * The config of each notification channel by name (alerts.email, alerts.slack, ...). Empty here:
 * each channel file in src/alerts/channels/ adds its own entry (`declare module` merging), so the
 * type follows the channel list without config/ importing alerts/.
 */
export interface ChannelConfigMap {}

/** The `alerts:` section: rules and their options, and each configured channel under its name. */
export interface AlertsConfig extends Partial<ChannelConfigMap> {
  /** Global rules (per-account rules are already merged into AccountConfig.alerts.rules). */
  rules: AlertRules;
  /** Default 24h. */
  repeatInterval: Millis;
  /** Default true. */
  sendResolved: boolean;
  /** Fraction of the threshold a value must pass it by to resolve; default 0.05. */
  hysteresis: number;
  /** Polls in a row that must agree before firing; default 1. */
  pendingPolls: number;
  /** Window of history used for the runway forecast; default 7d. */
  runwayWindow: Millis;
  /** No good poll for this many intervals makes `stale` fire; default 3. */
  staleAfterIntervals: number;
  /** Delivery attempts before a notification is dropped; default 10. */
  maxAttempts: number;
  dashboardUrl?: string;
}

/** Optional protection of `/metrics` and the pages (issue 6); secrets come from files. */
export type ServerAuth =
  | { kind: 'bearer'; token: Secret }
  | { kind: 'basic'; username: string; password: Secret };

/** A Redis node (cluster seed or sentinel); `tls` when it was given as `rediss://`. */
export interface RedisNode {
  host: string;
  port: number;
  tls: boolean;
}

/** TLS towards Redis: on for a `rediss://` URL or node, or whenever `redis.tls` is set. */
export interface RedisTls {
  /** PEM CA bundle (from `caFile`) that signs the server certificate; default: Node's public CAs. */
  ca?: Secret;
  /** Accept any certificate (self-signed, wrong host name); default false. */
  insecureSkipVerify: boolean;
}

/** Where Redis is and how to log in; exactly one of `url` (default), `cluster`, `sentinel` is used. */
export interface RedisConfig {
  /** A single Redis; ignored when `cluster` or `sentinel` is set. Default `redis://127.0.0.1:6379`. */
  url: Secret;
  /** Key prefix of every key (BullMQ's and ours); wrapped as `{spm}` for a cluster, see `prefixAsWritten`. */
  prefix: string;
  /** Set when `prefix` was wrapped in a hash tag for Redis Cluster: the prefix as written. */
  prefixAsWritten?: string;
  /**
   * Run on a Redis whose `maxmemory-policy` is not `noeviction` (with a warning, /readyz says so and
   * `sendpulse_redis_config_ok` is 0) instead of refusing to start; default false.
   */
  allowEviction: boolean;
  /**
   * Shards the accounts are spread over (src/state/shards.ts), each with its own queues and keys under
   * its own hash tag, so that a Redis Cluster spreads them over its masters; default 1 (keys under
   * `prefix` as they always were).
   */
  shards: number;
  password?: Secret;
  tls?: RedisTls;
  /** Redis Cluster: seed nodes; the rest are discovered. */
  cluster?: { nodes: RedisNode[] };
  /** Redis Sentinel: the sentinels and the name of the monitored master; `password` is the sentinels' own. */
  sentinel?: { sentinels: RedisNode[]; name: string; password?: Secret };
}

/** The whole validated configuration. */
export interface MonitorConfig {
  /**
   * `baseUrl` has no trailing slash. `authBackoff`: the pause after SendPulse rejects an account's
   * credentials, `initialMs` (default 1 min) doubling up to `maxMs` (default 30 min).
   */
  sendpulse: { baseUrl: string; timeout: Millis; authBackoff: { initialMs: Millis; maxMs: Millis } };
  /** `password` (from `redis.password` or `redis.passwordFile`) is for a Redis whose URL carries none. */
  redis: RedisConfig;
  /**
   * `auth` absent: the pages are open. `publicUrl` (no trailing slash): where people reach the
   * status page (e.g. behind an ingress); alert e-mails and webhooks then link to the account's page.
   */
  server: { host: string; port: number; publicUrl?: string; auth?: ServerAuth };
  /** Polls one process runs at once; default 32 (they wait on the network, not the CPU). */
  worker: { concurrency: number };
  accounts: AccountConfig[];
  alerts: AlertsConfig;
  /** Default `info`. */
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}
