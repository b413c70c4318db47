import { z } from 'zod';
import { CHANNEL_NAMES, CHANNELS, type Channel } from '../alerts/channels';
import { MAX_REQUESTS_PER_SECOND } from '../budget/plan-quotas';
import { ALERT_RULES } from '../alerts/rules';
import { ENDPOINT_DEFS, ENDPOINTS } from '../sendpulse/endpoints';
import { field, list, secretFile } from './schema-fields';
import * as p from './value-parsers';
import type { Parser } from './value-parsers';
import type { Level, RedisNode } from './types';

/**
 * The zod schema of the YAML file as written (before defaults from the plan tier, rule merging
 * and the auth choice, which build-config.ts does). Every object is strict so a typo is an
 * "unknown key", and every leaf goes through a value parser so messages are ours and never quote
 * a secret.
 */

/** Each channel's section of `alerts:` (email, webhook, slack, ...), from the channel list; each is optional. */
function channelSchemas(baseDir: string) {
  return Object.fromEntries(CHANNEL_NAMES.map((name) => [name, CHANNELS[name].schema(baseDir).optional()])) as {
    [K in Channel]: z.ZodOptional<ReturnType<(typeof CHANNELS)[K]['schema']>>;
  };
}

/** Account names: they become the `account` label. */
export const NAME_PATTERN = /^[a-z0-9_-]+$/;
/** Redis key prefixes; braces allow a Redis Cluster hash tag such as `{spm}`. */
export const PREFIX_PATTERN = /^[A-Za-z0-9_{}:-]+$/;

/** A rule's `{ warning, critical }` or `false` (off); in an account override either level may be left to the global rule. */
function thresholds(level: Parser<Level>, partial: boolean) {
  const levelField = partial ? field(level).optional() : field(level);
  const shape = z.strictObject({ warning: levelField, critical: levelField });
  return z.unknown().transform((input, ctx) => {
    if (input === false) return false as const;
    const r = shape.safeParse(input, { reportInput: true });
    if (r.success) return r.data as { warning?: Level; critical?: Level };
    for (const issue of r.error.issues) ctx.issues.push(issue as never);
    return z.NEVER;
  });
}

/** `alerts.rules` (and an account's override): one key per rule of src/alerts/rules/index.ts. */
function rules<F extends z.ZodType>(partial: boolean, flag: F) {
  return z.strictObject(Object.fromEntries(ALERT_RULES.map((r) =>
    [r.name, r.kind === 'value' ? thresholds(r.level, partial).optional() : flag])) as Record<string, z.ZodType>);
}

const REDIS_URL = ['redis:', 'rediss:'];
const HTTP_URL = ['http:', 'https:'];
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** A `host:port` (or, for cluster nodes, also `redis://host:port` / `rediss://host:port`) address of a Redis node. */
export function redisNode(urls: boolean): Parser<RedisNode> {
  const want = urls ? 'a node address (host:port, redis://host:port or rediss://host:port)' : 'a sentinel address (host:port)';
  return (input) => {
    if (typeof input !== 'string') return { ok: false, problem: `${p.show(input)} is not ${want}` };
    let parsed: URL | undefined;
    try {
      parsed = new URL(/^[a-z]+:\/\//.test(input) ? input : `redis://${input}`);
    } catch {
      parsed = undefined;
    }
    const port = Number(parsed?.port);
    const okScheme = parsed && (urls ? REDIS_URL.includes(parsed.protocol) : parsed.protocol === 'redis:' && !/^[a-z]+:\/\//.test(input));
    if (!parsed || !okScheme || parsed.hostname === '' || !Number.isInteger(port) || port < 1 || (parsed.pathname !== '' && parsed.pathname !== '/')) {
      // Never quote an address that carries credentials.
      return { ok: false, problem: parsed?.password || parsed?.username ? `is not ${want}` : `${p.show(input)} is not ${want}` };
    }
    if (parsed.username || parsed.password) return { ok: false, problem: 'must not carry a user or password: put the password in redis.password or redis.passwordFile' };
    // URL keeps IPv6 hosts in brackets; net.connect wants them bare.
    return { ok: true, value: { host: parsed.hostname.replace(/^\[|\]$/g, ''), port, tls: parsed.protocol === 'rediss:' } };
  };
}

/** One way to reach Redis (url, cluster or sentinel), and one source per secret. */
function redisChoices(redis: Record<string, unknown>, ctx: z.core.$RefinementCtx): void {
  const has = (key: string) => redis[key] !== undefined;
  const ways = [has('url') || has('urlFile') ? 'url' : '', has('cluster') ? 'cluster' : '', has('sentinel') ? 'sentinel' : ''].filter(Boolean);
  if (ways.length > 1) ctx.addIssue({ code: 'custom', message: `set only one of url, cluster and sentinel (found ${ways.join(' and ')})`, path: [] });
  if (has('password') && has('passwordFile')) ctx.addIssue({ code: 'custom', message: 'set only one of password and passwordFile', path: [] });
}

/** `accounts[].intervals`: one duration per endpoint, under the endpoint's config key, with its default. */
function intervalFields() {
  return Object.fromEntries(ENDPOINTS.map((e) => [ENDPOINT_DEFS[e].configKey, field(p.duration(1000)).default(ENDPOINT_DEFS[e].defaultIntervalMs)]));
}

/** The schema for a config file whose relative `...File` paths are read from `baseDir`. */
export function buildConfigSchema(baseDir: string) {
  const file = secretFile(baseDir);
  const positiveInt = p.numberIn({ min: 1, integer: true, what: 'a whole number of 1 or more' });

  const account = z.strictObject({
    name: field(p.text(NAME_PATTERN, 'may only use a-z, 0-9, _ and - (it is the metric label)')),
    apiKey: field(p.secretText).optional(),
    apiKeyFile: file.optional(),
    clientId: field(p.text()).optional(),
    clientSecret: field(p.secretText).optional(),
    clientSecretFile: file.optional(),
    plan: field(p.oneOf(['free', 'standard', 'enterprise'])).default('free'),
    timezone: field(p.timeZone).default('UTC'),
    intervals: z.strictObject(intervalFields()).prefault({}),
    budget: z
      .strictObject({
        perMinute: field(positiveInt).optional(),
        perDay: field(positiveInt).optional(),
        share: field(p.numberIn({ min: 0, minExclusive: true, max: 1, what: 'a fraction above 0 and at most 1 (0.01 = 1 %)' })).default(0.01),
        perSecond: field(p.numberIn({ min: 1, max: MAX_REQUESTS_PER_SECOND, integer: true, what: `a whole number from 1 to ${MAX_REQUESTS_PER_SECOND}` })).default(5),
        onOverflow: field(p.oneOf(['stretch', 'refuse'])).default('stretch'),
      })
      .prefault({}),
    alerts: z.strictObject({ rules: rules(true, field(p.bool).optional()).prefault({}), to: list(p.email).default([]) }).prefault({}),
  });

  return z.strictObject({
    sendpulse: z
      .strictObject({
        baseUrl: field(p.url(HTTP_URL, false)).default('https://api.sendpulse.com'),
        timeout: field(p.duration(100)).default(10_000),
        // Pauses after rejected credentials; shorter ones are for tests that need an hour of back-off in a minute.
        authBackoff: z
          .strictObject({
            initial: field(p.duration(1000)).default(MINUTE),
            max: field(p.duration(1000)).default(30 * MINUTE),
          })
          .refine((b) => b.max >= b.initial, { message: 'must not be below initial', path: ['max'] })
          .prefault({}),
      })
      .prefault({}),
    redis: z
      .strictObject({
        url: field(p.secretUrl(REDIS_URL)).optional(),
        urlFile: secretFile(baseDir, p.secretUrl(REDIS_URL)).optional(),
        password: field(p.secretText).optional(),
        passwordFile: file.optional(),
        prefix: field(p.text(PREFIX_PATTERN, 'may only use A-Z, a-z, 0-9, _, -, :, { and }')).default('spm'),
        allowEviction: field(p.bool).default(false),
        shards: field(p.numberIn({ min: 1, max: 256, integer: true, what: 'a number of shards (an integer from 1 to 256)' })).default(1),
        tls: z
          .strictObject({ caFile: file.optional(), insecureSkipVerify: field(p.bool).default(false) })
          .optional(),
        cluster: z.strictObject({ nodes: z.array(field(redisNode(true))).min(1) }).optional(),
        sentinel: z
          .strictObject({
            sentinels: z.array(field(redisNode(false))).min(1),
            name: field(p.text()),
            passwordFile: file.optional(),
          })
          .optional(),
      })
      // `when`: report a second way to reach Redis even when another redis key has a problem (all problems at once).
      .superRefine(redisChoices, { when: (payload) => typeof payload.value === 'object' && payload.value !== null })
      .prefault({}),
    server: z
      .strictObject({
        host: field(p.text()).default('0.0.0.0'),
        port: field(p.numberIn({ min: 0, max: 65535, integer: true, what: 'a port number (0 to 65535)' })).default(9464),
        publicUrl: field(p.url(HTTP_URL, false)).optional(),
        auth: z
          .strictObject({
            bearerTokenFile: file.optional(),
            basicAuth: z.strictObject({ username: field(p.text()), passwordFile: file }).optional(),
          })
          .optional(),
      })
      .prefault({}),
    worker: z
      .strictObject({
        concurrency: field(p.numberIn({ min: 1, max: 1000, integer: true, what: 'a number of polls at once (1 to 1000)' })).default(32),
      })
      .prefault({}),
    logLevel: field(p.oneOf(['debug', 'info', 'warn', 'error'])).default('info'),
    accounts: z.array(account).min(1),
    alerts: z
      .strictObject({
        rules: rules(false, field(p.bool).default(true)).prefault({}),
        repeatInterval: field(p.duration(1000)).default(24 * HOUR),
        sendResolved: field(p.bool).default(true),
        hysteresis: field(p.numberIn({ min: 0, max: 0.5, what: 'a fraction from 0 to 0.5 (0.05 = 5 %)' })).default(0.05),
        pendingPolls: field(positiveInt).default(1),
        runwayWindow: field(p.duration(1000)).default(7 * 24 * HOUR),
        staleAfter: field(p.numberIn({ min: 1, what: 'a number of poll intervals (1 or more)' })).default(3),
        maxAttempts: field(positiveInt).default(10),
        dashboardUrl: field(p.url(HTTP_URL, false)).optional(),
        ...channelSchemas(baseDir),
      })
      .prefault({}),
  });
}

/** The file as the schema returns it: defaults filled, secrets read, cross-field choices still open. */
export type RawConfig = z.output<ReturnType<typeof buildConfigSchema>>;
/** One account as the schema returns it. */
export type RawAccount = RawConfig['accounts'][number];
