import { deepMerge, isPlainObject } from './deep-merge';
import { demoAccount, sampleBalanceDetail, sampleTeam, sampleUserInfo } from './default-accounts';
import { QuotaCounter, resolveQuota } from './quota';
import type { JsonObject, SimAccount, SimAccountDef, SimAccountPatch, SimEndpoint } from './types';

const PLANS = ['free', 'standard', 'enterprise'];
const DEF_KEYS = new Set(['id', 'apiKey', 'clientId', 'clientSecret', 'tokenTtlSeconds', 'plan', 'quota', 'userInfo', 'team', 'balanceDetail']);

/** An account with what the server keeps beside it: its quota use and its serialised bodies. */
export interface AccountEntry {
  account: SimAccount;
  quota: QuotaCounter;
  /** Bodies as sent, built on first use and dropped on every update (the benchmark reads them a lot). */
  bodies: Partial<Record<SimEndpoint, string>>;
}

/** One line per problem in an account definition; empty when it can be used. */
export function accountDefProblems(def: unknown, where = 'account'): string[] {
  if (!isPlainObject(def)) return [`${where}: must be an object`];
  const p: string[] = [];
  for (const key of Object.keys(def)) if (!DEF_KEYS.has(key)) p.push(`${where}.${key}: unknown key`);
  if (typeof def.id !== 'string' || def.id === '') p.push(`${where}.id: must be a non-empty string`);
  for (const key of ['apiKey', 'clientId', 'clientSecret']) {
    if (def[key] !== undefined && (typeof def[key] !== 'string' || def[key] === '')) p.push(`${where}.${key}: must be a non-empty string`);
  }
  if ((def.clientId === undefined) !== (def.clientSecret === undefined)) p.push(`${where}: clientId and clientSecret go together`);
  if (def.tokenTtlSeconds !== undefined && !(typeof def.tokenTtlSeconds === 'number' && def.tokenTtlSeconds > 0)) {
    p.push(`${where}.tokenTtlSeconds: must be a positive number`);
  }
  if (def.plan !== undefined && !PLANS.includes(def.plan as string)) p.push(`${where}.plan: must be one of ${PLANS.join(', ')}`);
  if (def.quota !== undefined) {
    if (!isPlainObject(def.quota)) p.push(`${where}.quota: must be an object`);
    else {
      for (const key of ['perMinute', 'perDay', 'perSecond']) {
        const v = def.quota[key];
        if (v !== undefined && !(Number.isInteger(v) && (v as number) >= 0)) p.push(`${where}.quota.${key}: must be a whole number >= 0`);
      }
    }
  }
  for (const key of ['userInfo', 'balanceDetail']) {
    if (def[key] !== undefined && !isPlainObject(def[key])) p.push(`${where}.${key}: must be an object`);
  }
  if (def.team !== undefined && !Array.isArray(def.team)) p.push(`${where}.team: must be an array`);
  return p;
}

/** The stored account for a definition: defaults filled in, values copied. */
export function toAccount(def: SimAccountDef, now: number): SimAccount {
  const plan = def.plan ?? 'free';
  return {
    id: def.id,
    apiKey: def.apiKey,
    clientId: def.clientId,
    clientSecret: def.clientSecret,
    tokenTtlSeconds: def.tokenTtlSeconds ?? 3600,
    plan,
    quota: resolveQuota(plan, def.quota),
    userInfo: deepMerge(sampleUserInfo(7000000, 'Bilbo Baggins'), def.userInfo ?? {}) as JsonObject,
    team: structuredClone(def.team ?? sampleTeam()),
    balanceDetail: structuredClone(def.balanceDetail ?? sampleBalanceDetail(now)),
  };
}

/** The accounts, indexed by id, API key and client id so that each request costs O(1). */
export class AccountStore {
  readonly #byId = new Map<string, AccountEntry>();
  readonly #byApiKey = new Map<string, AccountEntry>();
  readonly #byClientId = new Map<string, AccountEntry>();

  /** Adds an account; throws with every problem when it is invalid or collides with another. */
  add(def: SimAccountDef, now: number): SimAccount {
    const problems = accountDefProblems(def);
    if (problems.length === 0) problems.push(...this.#collisions(def.id, def, undefined));
    if (problems.length > 0) throw new Error(problems.join('; '));
    const entry: AccountEntry = { account: toAccount(def, now), quota: new QuotaCounter(), bodies: {} };
    this.#index(entry);
    return entry.account;
  }

  /** Deep-merges a patch (quota and plan re-resolved); throws when the id is unknown or the result invalid. */
  update(id: string, patch: SimAccountPatch): SimAccount {
    const entry = this.#byId.get(id);
    if (!entry) throw new Error(`no account "${id}"`);
    const { quota: _q, ...current } = entry.account;
    const merged = deepMerge({ ...current, quota: this.#quotaOverrides(entry.account) }, { ...patch, id }) as SimAccountDef;
    const problems = [...accountDefProblems(merged), ...this.#collisions(id, merged, entry)];
    if (problems.length > 0) throw new Error(problems.join('; '));
    this.#unindex(entry);
    entry.account = { ...merged, tokenTtlSeconds: merged.tokenTtlSeconds ?? 3600, plan: merged.plan ?? 'free',
      quota: resolveQuota(merged.plan ?? 'free', merged.quota), userInfo: merged.userInfo ?? {},
      team: merged.team ?? [], balanceDetail: merged.balanceDetail ?? {} };
    entry.bodies = {};
    this.#index(entry);
    return entry.account;
  }

  /** Removes an account; false when there was none. */
  remove(id: string): boolean {
    const entry = this.#byId.get(id);
    if (!entry) return false;
    this.#unindex(entry);
    return true;
  }

  get(id: string): AccountEntry | undefined {
    return this.#byId.get(id);
  }

  byApiKey(key: string): AccountEntry | undefined {
    return this.#byApiKey.get(key);
  }

  byClientId(clientId: string): AccountEntry | undefined {
    return this.#byClientId.get(clientId);
  }

  ids(): string[] {
    return [...this.#byId.keys()];
  }

  get size(): number {
    return this.#byId.size;
  }

  // After a plan change the tier's numbers must apply again, so only explicit overrides are kept:
  // a value equal to the tier default is treated as not overridden.
  #quotaOverrides(a: SimAccount): Record<string, unknown> {
    const tier = resolveQuota(a.plan);
    const out: Record<string, unknown> = {};
    for (const key of ['perMinute', 'perDay', 'perSecond', 'retryAfterHeader'] as const) {
      if (a.quota[key] !== tier[key]) out[key] = a.quota[key];
    }
    return out;
  }

  #collisions(id: string, def: SimAccountDef, self: AccountEntry | undefined): string[] {
    const p: string[] = [];
    const other = this.#byId.get(id);
    if (other && other !== self) p.push(`account "${id}" already exists`);
    const k = def.apiKey === undefined ? undefined : this.#byApiKey.get(def.apiKey);
    if (k && k !== self) p.push(`account "${id}": apiKey already used by another account`);
    const c = def.clientId === undefined ? undefined : this.#byClientId.get(def.clientId);
    if (c && c !== self) p.push(`account "${id}": clientId already used by another account`);
    return p;
  }

  #index(e: AccountEntry): void {
    this.#byId.set(e.account.id, e);
    if (e.account.apiKey !== undefined) this.#byApiKey.set(e.account.apiKey, e);
    if (e.account.clientId !== undefined) this.#byClientId.set(e.account.clientId, e);
  }

  #unindex(e: AccountEntry): void {
    this.#byId.delete(e.account.id);
    if (e.account.apiKey !== undefined) this.#byApiKey.delete(e.account.apiKey);
    if (e.account.clientId !== undefined) this.#byClientId.delete(e.account.clientId);
  }
}

/** The accounts a simulator starts with when given none. */
export function defaultAccounts(now = Date.now()): SimAccountDef[] {
  return [demoAccount(now)];
}
