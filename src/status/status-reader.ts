import type { ChainableCommander, Cluster, Redis } from 'ioredis';
import { decodeEvents, type AlertEvent } from '../alerts/alert-history';
import { AlertStore } from '../alerts/alert-store';
import { INITIAL_ALERT_STATE, notificationId, type AlertState } from '../alerts/alert-types';
import { CHART_FIELDS, historyFields } from '../alerts/observe-rules';
import { ALERT_RULES, ruleNamed } from '../alerts/rules';
import { configuredChannels } from '../alerts/channels';
import { acceptsAlert } from '../alerts/channels/channel';
import type { ConfigPlan } from '../budget/planner';
import type { RequestBudget } from '../budget/request-budget';
import type { AccountConfig, MonitorConfig } from '../config/types';
import { ENDPOINT_DEFS, ENDPOINTS } from '../sendpulse/endpoints';
import { isUnreadable, numberField, textField } from '../sendpulse/readings';
import { decodeHistoryPoint, HistoryStore, type HistoryPoint } from '../state/history-store';
import { decodeAccount, ReadingStore } from '../state/reading-store';
import { Shards } from '../state/shards';
import { SplitPipeline } from '../state/split-pipeline';
import { accountSummary, SPARKLINE_POINTS, trendOf } from './account-summary';
import { formatFieldValue, formatLevel } from './format-value';
import { selectAccounts, type FiringEntry } from './overview-query';
import type { AccountDetail, AlertsData, FiringAlert, FiringRef, OverviewData, OverviewQuery } from './status-types';

/** What the status page reads from; the worker provides it. */
export interface StatusDeps {
  redis: Redis | Cluster;
  config: MonitorConfig;
  /** The budget plan (effective intervals, stretch). */
  plan: ConfigPlan;
  /** Limits, usage and this process's 429 count. */
  budget: RequestBudget;
  /** The clock, ms; default Date.now. */
  now?: () => number;
  /** Where each account's keys are (redis.shards); default one shard under `config.redis.prefix`. */
  shards?: Shards;
}

/** The stores of one shard's keys. */
interface ShardStores {
  readings: ReadingStore;
  history: HistoryStore;
  alerts: AlertStore;
}

/** Alerts per page of /alerts unless `per` says otherwise. */
export const ALERTS_PER_PAGE = 100;

const SEVERITY_ORDER = { critical: 0, warning: 1 } as const;

type Reply = [Error | null, unknown];

async function run(pipe: ChainableCommander): Promise<unknown[]> {
  const res = ((await pipe.exec()) ?? []) as Reply[];
  return res.map(([err, v]) => {
    if (err) throw err;
    return v;
  });
}

function iso(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString();
}

function parseJson<T>(raw: unknown): T | null {
  if (typeof raw !== 'string' || raw === '') return null;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return null;
  }
}

/**
 * Reads the status page's data from Redis, never from SendPulse, in a fixed number of pipelined
 * round trips per page whatever the number of accounts: the overview reads the firing index, then
 * the shown rows' state in one pipeline; an account page and /alerts add two small ones for the
 * firing alerts' states and deliveries. Sorting and search use only names held in memory and the
 * firing index. With several shards (redis.shards) each round trip is one pipeline per shard, sent
 * at once (SplitPipeline): a Redis Cluster pipeline stays on one master; an account page reads one shard.
 */
export class StatusReader {
  readonly #redis: Redis | Cluster;
  readonly #config: MonitorConfig;
  readonly #accounts: Map<string, AccountConfig>;
  readonly #shards: Shards;
  readonly #stores: ShardStores[];
  /** Shard 0's history store: the window and the runway rule, the same in every shard. */
  readonly #history: HistoryStore;
  readonly #now: () => number;

  constructor(private readonly deps: StatusDeps) {
    this.#redis = deps.redis;
    this.#config = deps.config;
    this.#accounts = new Map(deps.config.accounts.map((a) => [a.name, a]));
    this.#shards = deps.shards ?? new Shards(deps.config.redis.prefix, 1);
    this.#stores = this.#shards.prefixes.map((prefix) => ({
      readings: new ReadingStore(deps.redis, prefix),
      history: new HistoryStore(deps.redis, prefix, { windowMs: deps.config.alerts.runwayWindow }),
      alerts: new AlertStore(deps.redis, prefix),
    }));
    this.#history = this.#stores[0].history;
    this.#now = deps.now ?? Date.now;
  }

  /** Whether an account of that name is watched. */
  has(name: string): boolean {
    return this.#accounts.has(name);
  }

  /** The stores of an account's shard. */
  #of(account: string): ShardStores {
    return this.#stores[this.#shards.of(account)];
  }

  /** The firing index of every shard, for watched accounts only. */
  async #firing(): Promise<FiringEntry[]> {
    const all = await Promise.all(this.#stores.map((st) => st.alerts.firing()));
    return all.flat().filter((f) => this.#accounts.has(f.account));
  }

  /** One page of the overview. Two round trips: the firing index, then the shown rows. */
  async overview(q: OverviewQuery): Promise<OverviewData> {
    const now = this.#now();
    const firing = await this.#firing();
    const names = this.deps.config.accounts.map((a) => a.name);
    const sel = selectAccounts(names, firing, q);
    const shownFiring = new Map<string, FiringEntry[]>();
    const shown = new Set(sel.names);
    for (const f of firing) if (shown.has(f.account)) shownFiring.set(f.account, [...(shownFiring.get(f.account) ?? []), f]);
    const pipe = new SplitPipeline(this.#redis);
    for (const name of sel.names) {
      const at = this.#shards.of(name);
      const st = this.#stores[at];
      pipe.add(at, (p) => p.hgetall(st.readings.key(name)));
      for (const field of CHART_FIELDS) pipe.add(at, (p) => p.zrangebyscore(st.history.key(name, field), now - this.#history.windowMs, '+inf'));
      pipe.add(at, (p) => p.get(this.deps.budget.key(name, 'pause')));
    }
    const refs = [...shownFiring.values()].flat();
    for (const f of refs) pipe.add(this.#shards.of(f.account), (p) => p.hget(this.#of(f.account).alerts.events.latestKey, `${f.account}|${f.rule}|${f.service}`));
    const res = await pipe.exec();
    const per = 2 + CHART_FIELDS.length;
    const headlines = new Map(refs.map((f, i) => [f, parseJson<AlertEvent>(res[sel.names.length * per + i])?.headline ?? null]));
    const accounts = sel.names.map((name, k) => {
      const r = res.slice(k * per, (k + 1) * per);
      const points: Record<string, HistoryPoint[]> = {};
      CHART_FIELDS.forEach((f, i) => { points[f] = (r[1 + i] as string[]).map(decodeHistoryPoint); });
      const pause = Number(r[per - 1] ?? NaN);
      return accountSummary({
        name, state: decodeAccount(r[0] as Record<string, string>), now, points,
        firing: (shownFiring.get(name) ?? []).map((f): FiringRef => ({ rule: f.rule, service: f.service, severity: f.severity, headline: headlines.get(f) ?? null })),
        pausedUntilMs: Number.isFinite(pause) ? pause : null,
        runwayRule: this.#history, maxTrendPoints: SPARKLINE_POINTS,
      });
    });
    const worst = new Map<string, 'critical' | 'warning'>();
    for (const f of firing) if (worst.get(f.account) !== 'critical') worst.set(f.account, f.severity);
    return {
      version: 1, generatedAt: new Date(now).toISOString(),
      query: { ...q, page: sel.page }, total: sel.total, pages: sel.pages,
      counts: {
        accounts: names.length,
        critical: [...worst.values()].filter((s) => s === 'critical').length,
        warning: [...worst.values()].filter((s) => s === 'warning').length,
        firingAlerts: firing.length,
      },
      services: [...new Set(firing.map((f) => f.service))].sort(),
      accounts,
    };
  }

  /** Everything firing, worst first, one page. Three round trips. */
  async alerts(page: number, perPage = ALERTS_PER_PAGE): Promise<AlertsData> {
    const now = this.#now();
    const firing = (await this.#firing()).sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]
      || (a.account < b.account ? -1 : a.account > b.account ? 1 : 0) || (a.rule + a.service < b.rule + b.service ? -1 : 1));
    const pages = Math.max(1, Math.ceil(firing.length / perPage));
    const p = Math.min(Math.max(1, page), pages);
    return {
      version: 1, generatedAt: new Date(now).toISOString(), total: firing.length, page: p, pages, perPage,
      alerts: await this.#details(firing.slice((p - 1) * perPage, p * perPage)),
    };
  }

  /** The states, latest notifications and deliveries of some firing alerts: two round trips. */
  async #details(entries: readonly FiringEntry[]): Promise<FiringAlert[]> {
    if (entries.length === 0) return [];
    const pipe = new SplitPipeline(this.#redis);
    for (const f of entries) {
      const at = this.#shards.of(f.account);
      const st = this.#stores[at];
      pipe.add(at, (p) => p.hget(st.alerts.accountKey(f.account), AlertStore.field(f.rule, f.service)));
      pipe.add(at, (p) => p.hget(st.alerts.events.latestKey, `${f.account}|${f.rule}|${f.service}`));
    }
    const res = await pipe.exec();
    const states = entries.map((_, i) => ({ ...INITIAL_ALERT_STATE, ...parseJson<AlertState>(res[2 * i]) }));
    const latest = entries.map((_, i) => parseJson<AlertEvent>(res[2 * i + 1]));
    const ids = entries.map((f, i) => (states[i].seq > 0 ? notificationId(f.account, f.rule, f.service, states[i].seq) : null));
    const pipe2 = new SplitPipeline(this.#redis);
    ids.forEach((id, i) => {
      if (!id) return;
      const at = this.#shards.of(entries[i].account);
      const st = this.#stores[at];
      pipe2.add(at, (p) => p.hgetall(st.alerts.sentKey(id)));
      pipe2.add(at, (p) => p.hexists(st.alerts.outboxKey, id));
    });
    const res2 = pipe2.length > 0 ? await pipe2.exec() : [];
    const configured = configuredChannels(this.#config.alerts);
    let k = 0;
    return entries.map((f, i) => {
      let sent: Record<string, string> = {};
      let pending = false;
      if (ids[i]) {
        sent = res2[k++] as Record<string, string>;
        pending = res2[k++] === 1;
      }
      // The channels whose filters (accounts, severities) take this alert, and any that has it.
      const meant = configured.filter((c) => acceptsAlert(this.#config.alerts[c]!, f.account, [f.severity]));
      const names = [...new Set([...meant, ...Object.keys(sent)])];
      return {
        account: f.account, url: `/accounts/${encodeURIComponent(f.account)}`, rule: f.rule, alertname: ruleNamed(f.rule)?.alertnames[f.severity] ?? null,
        service: f.service, severity: f.severity, since: iso(states[i].sinceMs), headline: latest[i]?.headline ?? null,
        lastNotification: {
          at: iso(states[i].lastNotifiedMs), kind: latest[i]?.kind ?? null, pending,
          channels: ids[i] ? names.map((channel) => ({ channel, sentAt: iso(sent[channel] === undefined ? null : Number(sent[channel])) })) : [],
        },
      };
    });
  }

  /** Everything about one account, or null when it is not watched. Three to four round trips. */
  async account(name: string): Promise<AccountDetail | null> {
    const account = this.#accounts.get(name);
    if (!account) return null;
    const now = this.#now();
    const series = historyFields(account);
    // One shard holds every key of the account: one pipeline.
    const st = this.#of(name);
    const pipe = this.#redis.pipeline();
    pipe.hgetall(st.alerts.firingKey);
    pipe.hgetall(st.readings.key(name));
    for (const field of series) pipe.zrangebyscore(st.history.key(name, field), now - this.#history.windowMs, '+inf');
    pipe.lrange(st.alerts.events.key(name), 0, -1);
    pipe.get(this.deps.budget.key(name, 'pause'));
    pipe.get(this.deps.budget.key(name, 'streak'));
    const [res, usage] = await Promise.all([run(pipe), this.deps.budget.usageMany([name])]);
    const firing: FiringEntry[] = Object.entries(res[0] as Record<string, string>).flatMap(([field, severity]) => {
      const [a, rule, service] = field.split('|');
      return a === name ? [{ account: a, rule, service, severity: severity as 'warning' | 'critical' }] : [];
    });
    const state = decodeAccount(res[1] as Record<string, string>);
    const points: Record<string, HistoryPoint[]> = {};
    series.forEach((f, i) => { points[f] = (res[2 + i] as string[]).map(decodeHistoryPoint); });
    const at = 2 + series.length;
    const events = decodeEvents(res[at] as string[]);
    const pause = Number(res[at + 1] ?? NaN);
    const alerts = await this.#details(firing.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]));
    const summary = accountSummary({
      name, state, now, points, pausedUntilMs: Number.isFinite(pause) ? pause : null, runwayRule: this.#history,
      firing: alerts.map((a) => ({ rule: a.rule, service: a.service, severity: a.severity, headline: a.headline })),
    });
    const currency = textField(state.endpoints.balance.reading, 'balance.currency');
    const plan = this.deps.plan.accounts.find((p) => p.account === name);
    const used = usage.get(name) ?? { second: 0, minute: 0, day: 0 };
    return {
      version: 1, generatedAt: new Date(now).toISOString(), summary,
      endpoints: ENDPOINTS.map((e, i) => {
        const def = ENDPOINT_DEFS[e];
        const reading = state.endpoints[e].reading;
        return {
          status: summary.endpoints[i], path: def.path, doc: def.doc,
          interval: { configured: account.intervals[e] / 1000, effective: (plan?.effectiveIntervals[e] ?? account.intervals[e]) / 1000 },
          fields: def.fields.filter((row) => row.keep !== false).map((row) => {
            const value = reading?.values[row.path];
            const problem = reading?.unreadable.find((u) => u.path === row.path || row.path.startsWith(`${u.path}.`))?.problem ?? null;
            return {
              path: row.path, doc: row.doc, value: value ?? null, unreadable: reading && isUnreadable(reading, row.path) ? problem : null,
              text: reading ? formatFieldValue(row, value, { timeZone: account.timezone, currency }) : 'not polled yet',
            };
          }),
        };
      }),
      series: series.map((f) => trendOf(f, points[f], ENDPOINTS.map((e) => numberField(state.endpoints[e].reading, f)).find((v) => v !== null) ?? null, this.#history)),
      alerts,
      history: events.map((e) => ({
        at: new Date(e.atMs).toISOString(), kind: e.kind, rule: e.rule, service: e.service, severity: e.severity,
        headline: e.headline, channel: e.channel ?? null, error: e.error ?? null,
      })),
      budget: {
        limits: { ...this.deps.budget.limits(name) }, used,
        pausedUntil: summary.pausedUntil, pauseStreak: Number(res[at + 2] ?? 0) || 0,
        rateLimitedHere: this.deps.budget.rateLimitedCounts().get(name) ?? 0,
      },
      plan: { tier: account.plan, status: plan?.status ?? 'fits', stretchFactor: plan?.stretchFactor ?? null },
      rules: ALERT_RULES.flatMap((rule) => {
        const levels = account.alerts.rules[rule.name];
        // As the engine reads them: a value rule is on with its levels, an operational one unless false.
        if (rule.kind === 'operational') return levels === false ? [] : [{ rule: rule.name, levels: 'on' }];
        if (typeof levels !== 'object') return [];
        return [{ rule: rule.name, levels: `warning ${formatLevel(levels.warning, rule.levelUnit, currency)}, critical ${formatLevel(levels.critical, rule.levelUnit, currency)}` }];
      }),
    };
  }
}
