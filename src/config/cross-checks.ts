import { CHANNEL_NAMES, CHANNELS } from '../alerts/channels';
import { PLAN_QUOTAS } from '../budget/plan-quotas';
import { formatDuration } from './duration';
import type { Problem } from './key-path';
import { VALUE_RULES, type ValueRule } from '../alerts/rules';
import { formatTrafficBytes } from '../sendpulse/fields/traffic-bytes';
import { globalLevels, mergeThresholds, type RuleInput } from './merge-alert-rules';
import { shareOf } from './resolve-budget';
import * as p from './value-parsers';
import type { Level, PlanTier } from './types';

/**
 * The checks that need more than one key (auth choice, unique names, threshold order, budget
 * against the plan quota, recipients). They read the raw tree with the same value parsers as the
 * schema and skip whatever the schema already rejects, so that every problem in the file is
 * reported in one run (zod skips an object's own checks once one of its fields failed).
 */
export function crossChecks(root: unknown): Problem[] {
  const problems: Problem[] = [];
  const add = (path: PropertyKey[], message: string) => problems.push({ path, message });
  const cfg = obj(root) ?? {};
  const alerts = obj(cfg.alerts) ?? {};
  const globalRules = obj(alerts.rules) ?? {};
  const email = obj(alerts.email);

  const globals = new Map<string, Levels>();
  for (const rule of VALUE_RULES) {
    const written = readLevels(rule, globalRules[rule.name]);
    globals.set(rule.name, written === INVALID ? INVALID : globalLevels(rule.name, written));
    checkOrder(rule, written, ['alerts', 'rules', rule.name], add);
  }

  const seen = new Map<string, number>();
  const withoutRecipients: string[] = [];
  const accounts = Array.isArray(cfg.accounts) ? cfg.accounts : [];
  accounts.forEach((raw, i) => {
    const acc = obj(raw);
    if (!acc) return;
    const at = ['accounts', i];
    checkAuth(acc, at, add);

    const name = p.text()(acc.name);
    if (name.ok) {
      const first = seen.get(name.value);
      if (first !== undefined) add([...at, 'name'], `${p.show(name.value)} is already used by accounts[${first}] (names must be unique)`);
      else seen.set(name.value, i);
    }

    checkBudget(acc, at, add);

    const accAlerts = obj(acc.alerts) ?? {};
    const accRules = obj(accAlerts.rules) ?? {};
    for (const rule of VALUE_RULES) {
      const own = readLevels(rule, accRules[rule.name]);
      if (own === undefined || own === false || own === INVALID) continue;
      const global = globals.get(rule.name);
      const merged = mergeThresholds(global === INVALID ? undefined : global, own);
      const rulePath = [...at, 'alerts', 'rules', rule.name];
      if (global === INVALID) continue;
      for (const level of ['warning', 'critical'] as const) {
        if (merged?.[level] === undefined) add([...rulePath, level], `is required (alerts.rules.${rule.name} has no ${level} to inherit)`);
      }
      checkOrder(rule, merged, rulePath, add);
    }

    const to = Array.isArray(accAlerts.to) ? accAlerts.to : [];
    if (to.length > 0 && !email) add([...at, 'alerts', 'to'], 'needs alerts.email (the SMTP server and sender) to send to');
    if (to.length === 0 && name.ok) withoutRecipients.push(name.value);
  });

  const redis = obj(cfg.redis);
  if (redis && redis.url !== undefined && redis.urlFile !== undefined) add(['redis'], 'set only one of url and urlFile');

  const auth = obj(obj(cfg.server)?.auth);
  if (auth) {
    const kinds = [auth.bearerTokenFile, auth.basicAuth].filter((v) => v !== undefined).length;
    if (kinds === 0) add(['server', 'auth'], 'set bearerTokenFile or basicAuth');
    if (kinds === 2) add(['server', 'auth'], 'set only one of bearerTokenFile and basicAuth');
  }

  const accountNames = accounts.map((a) => obj(a)?.name).filter((n): n is string => typeof n === 'string');
  for (const name of CHANNEL_NAMES) {
    const section = obj(alerts[name]);
    if (!section) continue;
    const at = ['alerts', name];
    CHANNELS[name].checks?.(section, at, add, { accountNames, withoutRecipients });
    const wanted = Array.isArray(section.accounts) ? section.accounts : [];
    wanted.forEach((n, i) => {
      if (typeof n === 'string' && !accountNames.includes(n)) add([...at, 'accounts', i], `${p.show(n)} is not the name of an account`);
    });
  }
  return problems;
}

const INVALID = Symbol('invalid');
type Levels = RuleInput | typeof INVALID;
type Add = (path: PropertyKey[], message: string) => void;

function obj(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** The parsed levels of a rule; INVALID when the schema will already complain about it. */
function readLevels(rule: ValueRule, raw: unknown): Levels {
  if (raw === undefined || raw === false) return raw;
  const o = obj(raw);
  if (!o) return INVALID;
  const out: { warning?: Level; critical?: Level } = {};
  for (const level of ['warning', 'critical'] as const) {
    if (o[level] === undefined) continue;
    const r = rule.level(o[level]);
    if (!r.ok) return INVALID;
    out[level] = r.value;
  }
  return out;
}

function checkOrder(rule: ValueRule, levels: Levels, path: PropertyKey[], add: Add): void {
  if (levels === undefined || levels === false || levels === INVALID) return;
  const { warning, critical } = levels;
  if (warning === undefined || critical === undefined) return;
  // An amount and a percentage of a limit cannot be compared until the limit is known.
  if (typeof warning !== typeof critical) return;
  const amount = (l: Level) => (typeof l === 'number' ? l : l.fraction);
  const shown = (l: Level) => {
    if (typeof l !== 'number') return `${Number((l.fraction * 100).toFixed(4))}%`;
    return rule.levelUnit === 'duration' ? formatDuration(l) : rule.levelUnit === 'bytes' ? formatTrafficBytes(l) : String(l);
  };
  const below = rule.direction === 'below';
  const [w, c] = [amount(warning), amount(critical)];
  if (below ? c >= w : c <= w) {
    add(path, `critical (${shown(critical)}) must be ${below ? 'below' : 'above'} warning (${shown(warning)})`);
  }
}

function checkAuth(acc: Record<string, unknown>, at: PropertyKey[], add: Add): void {
  const has = (k: string) => acc[k] !== undefined;
  const keyAuth = has('apiKey') || has('apiKeyFile');
  const oauth = has('clientId') || has('clientSecret') || has('clientSecretFile');
  if (has('apiKey') && has('apiKeyFile')) add(at, 'set only one of apiKey and apiKeyFile');
  if (has('clientSecret') && has('clientSecretFile')) add(at, 'set only one of clientSecret and clientSecretFile');
  if (keyAuth && oauth) {
    add(at, 'set either apiKey (or apiKeyFile) or clientId with clientSecret (or clientSecretFile), not both');
  } else if (!keyAuth && !oauth) {
    add(at, 'no credentials: set apiKey (or apiKeyFile), or clientId with clientSecret (or clientSecretFile)');
  } else if (oauth && !has('clientId')) {
    add([...at, 'clientId'], 'is required with clientSecret');
  } else if (oauth && !has('clientSecret') && !has('clientSecretFile')) {
    add([...at, 'clientSecret'], 'is required with clientId (or clientSecretFile)');
  }
}

function checkBudget(acc: Record<string, unknown>, at: PropertyKey[], add: Add): void {
  const plan = p.oneOf(['free', 'standard', 'enterprise'])(acc.plan ?? 'free');
  const budget = obj(acc.budget);
  if (!plan.ok || !budget) return;
  const tier = plan.value as PlanTier;
  const share = p.numberIn({ min: 0, minExclusive: true, max: 1, what: '' })(budget.share ?? 0.01);
  for (const [key, window] of [['perMinute', 'minute'], ['perDay', 'day']] as const) {
    const quota = PLAN_QUOTAS[tier][key];
    if (budget[key] !== undefined) {
      const n = p.numberIn({ min: 1, integer: true, what: '' })(budget[key]);
      if (n.ok && n.value > quota) add([...at, 'budget', key], `${n.value} is above the ${tier} plan's quota of ${quota} requests per ${window}`);
    } else if (share.ok && shareOf(share.value, quota) < 1) {
      add([...at, 'budget', 'share'], `${share.value} of the ${tier} plan's ${quota} requests per ${window} is less than one request (raise share or set ${key})`);
    }
  }
}

