import type { Queue } from 'bullmq';
import type { RedisClient } from '../state/redis-connection';
import { ENDPOINTS, type AccountConfig, type Endpoint, type MonitorConfig } from '../config/types';
import { childLogger } from '../logger';
import { numberField, type Reading } from '../sendpulse/readings';
import { HistoryStore } from '../state/history-store';
import { ReadingStore, type AccountState, type HistoryWrites } from '../state/reading-store';
import { notificationId, type AlertState, type NotificationRecord } from './alert-types';
import { AlertStore } from './alert-store';
import { describeAlert } from './describe-alert';
import { nextAlertState, type Transition } from './next-alert-state';
import { enqueueNotification, type NotificationJobData } from './notification-queue';
import { historyFields, observeOperationalRules, observeValueRules, type ObserveContext } from './observe-rules';
import { ruleNamed, type Observation } from './rules';
import { sweepOutbox } from './outbox-sweeper';
import { severityFor } from './severity-for';

const log = childLogger({ component: 'alerts' });

/** What an AlertEngine needs. */
export interface AlertEngineOptions {
  redis: RedisClient;
  /** The monitor's key prefix (redis.prefix). */
  prefix: string;
  config: MonitorConfig;
  /** The effective (possibly stretched) poll interval of an account's endpoint, ms. */
  intervalFor: (account: AccountConfig, endpoint: Endpoint) => number;
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

/** The account's status page under `server.publicUrl`, or null without one. */
export function accountPageUrl(publicUrl: string | undefined, account: string): string | null {
  return publicUrl ? `${publicUrl}/accounts/${encodeURIComponent(account)}` : null;
}
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

  /**
   * Called by the poll job after it saved the outcome, with the account's state as the save left it
   * (read here when not given); never throws (alerts must not fail a poll). The history of a good
   * poll is recorded by its save (ReadingStore.saveSuccess with historyWrites()).
   */
  async onPoll(account: AccountConfig, endpoint: Endpoint, outcome: 'ok' | 'failed', given?: AccountState): Promise<void> {
    try {
      const now = this.now();
      const state = given ?? await this.readings.get(account.name);
      const es = state.endpoints[endpoint];
      const batches = [await this.operationalBatch(account, state, now),
        await this.valueBatch(account, state, now, endpoint, outcome === 'ok' && es.ok)];
      await this.apply(account, batches, now);
    } catch (err) {
      log.error({ account: account.name, endpoint, err }, 'alert evaluation failed');
    }
  }

  /** The history points a good poll of `endpoint` records with its save: the account's history fields it has a number for. */
  historyWrites(account: AccountConfig, reading: Reading): HistoryWrites {
    const points = historyFields(account).flatMap((f) => {
      const v = numberField(reading, f);
      return v === null ? [] : [{ key: this.history.key(account.name, f), series: f, value: v }];
    });
    return { points, stepMs: this.history.stepMs, windowMs: this.history.windowMs };
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
          ...await Promise.all(ENDPOINTS.map((e) => this.valueBatch(account, state, now, e, state.endpoints[e].ok)))];
        await this.apply(account, batches, now);
      }));
    }
    await sweepOutbox(this.store, this.opts.queue, this.opts.config.alerts);
  }

  /** The value rules watching `endpoint`; `fresh` false (a failed poll) allows only reminders. */
  private async valueBatch(account: AccountConfig, state: AccountState, now: number, endpoint: Endpoint, fresh: boolean): Promise<Batch> {
    const reading = state.endpoints[endpoint].reading;
    const runways = new Map<string, number | null>();
    const runway = ruleNamed('runway');
    if (runway?.kind === 'value' && runway.endpoint === endpoint && typeof account.alerts.rules.runway === 'object' && reading) {
      for (const field of runway.history) {
        const v = numberField(reading, field);
        if (v !== null) runways.set(field, await this.history.runway(account.name, field, v, now));
      }
    }
    const obs = observeValueRules(this.context(account, state, now, null, runways), endpoint);
    return { obs, fresh, pollMs: state.endpoints[endpoint].lastSuccessMs, pendingPolls: this.opts.config.alerts.pendingPolls };
  }

  private async operationalBatch(account: AccountConfig, state: AccountState, now: number): Promise<Batch> {
    const neverPolled = Object.values(state.endpoints).some((e) => e.lastSuccessMs === null);
    const firstSeen = account.alerts.rules.stale !== false && neverPolled ? await this.store.firstSeen(account.name, now) : null;
    const obs = observeOperationalRules(this.context(account, state, now, firstSeen));
    return { obs, fresh: true, pollMs: null, pendingPolls: 1 };
  }

  private context(account: AccountConfig, state: AccountState, now: number, firstSeenMs: number | null, runways?: Map<string, number | null>): ObserveContext {
    return { account, alerts: this.opts.config.alerts, state, now, firstSeenMs, runways,
      intervalFor: (e) => this.opts.intervalFor(account, e) };
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
      // A state rebuilt from the ledger is written back even when unchanged: its firing index entry went with it.
      if (!t.changed && !cur.restored) return;
      const record = t.kind ? await this.record(account, o, prev, t, now) : null;
      if (await this.store.compareAndSet(account.name, o.rule, o.service, cur.ver, t.state, record)) {
        if (record) {
          log.info({ account: account.name, alert: o.rule, service: o.service, kind: t.kind, severity: t.state.severity }, 'alert transition');
          await this.store.events.transition(record);
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
    let runwayMs: number | null = o.rule === 'runway' ? o.value : null;
    let recent: NotificationRecord['recent'] = [];
    if (o.series) {
      recent = await this.history.recent(account.name, o.series, RECENT_POINTS);
      if (runwayMs === null && o.value !== null) runwayMs = await this.history.runway(account.name, o.series, o.value, now);
    }
    return {
      id: notificationId(account.name, o.rule, o.service, t.state.seq),
      kind: t.kind ?? 'reminder', account: account.name, rule: o.rule, service: o.service,
      severity: t.state.severity, previousSeverity: prev.severity, value: o.value, threshold: d.threshold,
      valueText: d.valueText, thresholdText: d.thresholdText, headline: d.headline,
      // A resolution clears sinceMs in the state; the mail still says since when it had fired.
      sinceMs: t.state.sinceMs ?? prev.sinceMs, createdMs: now, runwayMs, recent,
      accountUrl: accountPageUrl(this.opts.config.server.publicUrl, account.name),
    };
  }
}
