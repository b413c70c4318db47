import type { Queue } from 'bullmq';
import type { RedisClient } from '../state/redis-connection';
import type { AccountConfig, Endpoint, MonitorConfig } from '../config/types';
import { childLogger } from '../logger';
import { HistoryStore, type HistorySeries } from '../state/history-store';
import { ReadingStore, type AccountState } from '../state/reading-store';
import { notificationId, type AlertState, type NotificationRecord } from './alert-types';
import { AlertStore } from './alert-store';
import { describeAlert } from './describe-alert';
import { nextAlertState, type Transition } from './next-alert-state';
import { enqueueNotification, type NotificationJobData } from './notification-queue';
import { observeOperationalRules, observeValueRules, type Observation } from './observe-rules';
import { sweepOutbox } from './outbox-sweeper';
import { configuredChannels } from './send-to-channel';
import { severityFor } from './severity-for';

const log = childLogger({ component: 'alerts' });

/** Effective poll intervals of an account, ms. */
export type Intervals = { balance: number; userInfo: number; team: number };

/** What an AlertEngine needs. */
export interface AlertEngineOptions {
  redis: RedisClient;
  /** The monitor's key prefix (redis.prefix). */
  prefix: string;
  config: MonitorConfig;
  /** The effective (possibly stretched) intervals of an account. */
  intervalsFor: (account: string) => Intervals;
  /** The clock, ms; default Date.now. */
  now?: () => number;
  /** The notification queue (createNotificationQueue). */
  queue: Queue<NotificationJobData>;
  /** Default: a HistoryStore over alerts.runwayWindow. */
  history?: HistoryStore;
}

/** Observations of one evaluation and whether they may change a severity. */
interface Batch {
  obs: Observation[];
  /** False for data from a failed poll: only reminders then. */
  fresh: boolean;
  /** lastSuccessMs of the reading (the poll's identity), null for time-based rules. */
  pollMs: number | null;
  pendingPolls: number;
}

const MAX_CAS_ATTEMPTS = 20;
const RECENT_POINTS = 6;

/**
 * Evaluates alert rules after polls and periodically, and takes each transition atomically in Redis
 * (compare-and-set with the notification record in the same Lua script), so across replicas exactly
 * one notification is created and enqueued per transition.
 */
export class AlertEngine {
  readonly store: AlertStore;
  readonly history: HistoryStore;
  private readonly readings: ReadingStore;
  private readonly now: () => number;

  constructor(private readonly opts: AlertEngineOptions) {
    this.store = new AlertStore(opts.redis, opts.prefix);
    this.readings = new ReadingStore(opts.redis, opts.prefix);
    this.history = opts.history ?? new HistoryStore(opts.redis, opts.prefix, { windowMs: opts.config.alerts.runwayWindow });
    this.now = opts.now ?? Date.now;
  }

  /** Called by the poll job after it saved the outcome; never throws (alerts must not fail a poll). */
  async onPoll(account: AccountConfig, endpoint: Endpoint, outcome: 'ok' | 'failed'): Promise<void> {
    try {
      const now = this.now();
      const state = await this.readings.get(account.name);
      const balance = state.endpoints.balance;
      if (endpoint === 'balance' && outcome === 'ok' && balance.reading && balance.lastSuccessMs !== null) {
        const r = balance.reading;
        if (r.balance?.main != null) await this.history.record(account.name, 'balance', r.balance.main, balance.lastSuccessMs);
        if (r.email?.emailsLeft != null) await this.history.record(account.name, 'emailsLeft', r.email.emailsLeft, balance.lastSuccessMs);
      }
      const batches = [await this.operationalBatch(account, state, now)];
      if (endpoint === 'balance') batches.push(await this.valueBatch(account, state, now, outcome === 'ok' && balance.ok));
      await this.apply(account, batches, now);
    } catch (err) {
      log.error({ account: account.name, endpoint, err }, 'alert evaluation failed');
    }
  }

  /** Evaluates `stale` and `credentials` for one account. */
  async evaluateStale(account: AccountConfig): Promise<void> {
    const now = this.now();
    const state = await this.readings.get(account.name);
    await this.apply(account, [await this.operationalBatch(account, state, now)], now);
  }

  /**
   * The periodic pass: every account's rules (value rules only from a latest poll that succeeded;
   * tariff end dates move with the clock), reminders, then the outbox sweep.
   */
  async evaluateAll(): Promise<void> {
    const now = this.now();
    const accounts = this.opts.config.accounts;
    const states = await this.readings.getMany(accounts.map((a) => a.name));
    for (let i = 0; i < accounts.length; i += 50) {
      await Promise.all(accounts.slice(i, i + 50).map(async (account, j) => {
        const state = states[i + j];
        const batches = [await this.operationalBatch(account, state, now),
          await this.valueBatch(account, state, now, state.endpoints.balance.ok)];
        await this.apply(account, batches, now);
      }));
    }
    await sweepOutbox(this.store, this.opts.queue, configuredChannels(this.opts.config));
  }

  private async valueBatch(account: AccountConfig, state: AccountState, now: number, fresh: boolean): Promise<Batch> {
    const r = state.endpoints.balance.reading;
    const rules = account.alerts.rules;
    const runway = { balance: null as number | null, email: null as number | null };
    if (rules.runway && r) {
      if (r.balance?.main != null) runway.balance = await this.history.runway(account.name, 'balance', r.balance.main, now);
      if (r.email?.emailsLeft != null) runway.email = await this.history.runway(account.name, 'emailsLeft', r.email.emailsLeft, now);
    }
    return { obs: observeValueRules(account, state, now, runway), fresh, pollMs: state.endpoints.balance.lastSuccessMs,
      pendingPolls: this.opts.config.alerts.pendingPolls };
  }

  private async operationalBatch(account: AccountConfig, state: AccountState, now: number): Promise<Batch> {
    const neverPolled = Object.values(state.endpoints).some((e) => e.lastSuccessMs === null);
    const firstSeen = account.alerts.rules.stale && neverPolled ? await this.store.firstSeen(account.name, now) : null;
    const obs = observeOperationalRules(this.opts.config.alerts, account, state, now, this.opts.intervalsFor(account.name), firstSeen);
    return { obs, fresh: true, pollMs: null, pendingPolls: 1 };
  }

  private async apply(account: AccountConfig, batches: Batch[], now: number): Promise<void> {
    const items = batches.flatMap((b) => b.obs.map((o) => ({ o, b })));
    const loaded = await this.store.load(items.map(({ o }) => ({ account: account.name, rule: o.rule, service: o.service })));
    await Promise.all(items.map(({ o, b }, k) => this.applyOne(account, o, b, loaded[k], now)));
  }

  private async applyOne(account: AccountConfig, o: Observation, b: Batch, first: Awaited<ReturnType<AlertStore['load']>>[number], now: number): Promise<void> {
    const a = this.opts.config.alerts;
    let cur = first;
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const prev = cur.state;
      const observed = b.fresh && o.value !== null ? severityFor(o.value, o.thresholds, o.direction, prev.severity, a.hysteresis) : null;
      const t = nextAlertState(prev, observed, b.pollMs, now, { pendingPolls: b.pendingPolls, repeatInterval: a.repeatInterval, sendResolved: a.sendResolved });
      if (!t.changed) return;
      const record = t.kind ? await this.record(account, o, prev, t, now) : null;
      if (await this.store.compareAndSet(account.name, o.rule, o.service, cur.ver, t.state, record)) {
        if (record) {
          log.info({ account: account.name, alert: o.rule, service: o.service, kind: t.kind, severity: t.state.severity }, 'alert transition');
          await enqueueNotification(this.opts.queue, record.id);
        }
        return;
      }
      // Another replica wrote first: re-read and decide again on its state.
      [cur] = await this.store.load([{ account: account.name, rule: o.rule, service: o.service }]);
    }
    log.warn({ account: account.name, alert: o.rule, service: o.service }, 'alert state kept changing under us; skipped this evaluation');
  }

  private async record(account: AccountConfig, o: Observation, prev: AlertState, t: Transition, now: number): Promise<NotificationRecord> {
    const d = describeAlert(o, t.state.severity);
    const series: HistorySeries | null = o.rule === 'balance' || (o.rule === 'runway' && o.service === 'balance') ? 'balance'
      : o.rule === 'emailsLeft' || (o.rule === 'runway' && o.service === 'email') ? 'emailsLeft' : null;
    let runwayMs: number | null = o.rule === 'runway' ? o.value : null;
    let recent: NotificationRecord['recent'] = [];
    if (series) {
      recent = await this.history.recent(account.name, series, RECENT_POINTS);
      if (runwayMs === null && o.value !== null) runwayMs = await this.history.runway(account.name, series, o.value, now);
    }
    return {
      id: notificationId(account.name, o.rule, o.service, t.state.seq),
      kind: t.kind ?? 'reminder', account: account.name, rule: o.rule, service: o.service,
      severity: t.state.severity, previousSeverity: prev.severity, value: o.value, threshold: d.threshold,
      valueText: d.valueText, thresholdText: d.thresholdText, headline: d.headline,
      // A resolution clears sinceMs in the state; the mail still says since when it had fired.
      sinceMs: t.state.sinceMs ?? prev.sinceMs, createdMs: now, runwayMs, recent,
    };
  }
}
