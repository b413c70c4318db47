import { Counter } from 'prom-client';
import { childLogger } from '../logger';
import type { RedisClient } from '../state/redis-connection';
import type { AlertStore } from './alert-store';
import { AlertmanagerStore, type PostedAlert } from './alertmanager-store';
import { acceptsAlert } from './channels/channel';
import { bareAnnotations, endsAhead, postable, type PostableAlert } from './alertmanager-alerts';
import { postToAll, type AlertmanagerConfig } from './channels/alertmanager';
import { RedisLease } from './lease';

const log = childLogger({ component: 'alertmanager' });

/** Counts the periodic re-posts to each Alertmanager by outcome (`ok`, `failed`); per process. */
export const alertmanagerPostsTotal = new Counter({
  name: 'sendpulse_alertmanager_posts_total',
  help: 'Periodic posts of the firing alerts to each configured Alertmanager by this process, by outcome (ok, failed).',
  labelNames: ['outcome'] as const,
  registers: [],
});

/** What the sink needs. */
export interface AlertmanagerSinkOptions {
  redis: RedisClient;
  prefix: string;
  config: AlertmanagerConfig;
  /** The alert state (its firing index is the truth of what fires). */
  alerts: AlertStore;
  /** Names of the configured accounts: alerts of removed accounts are resolved. */
  accounts: () => readonly string[];
  dashboardUrl?: string;
  /** Per request, ms; default 10 s. */
  timeoutMs?: number;
  now?: () => number;
}

/** One pass's result, for logs and tests. */
export interface SinkPass {
  firing: number;
  resolved: number;
  delivered: number;
}

/**
 * Keeps Alertmanager's view equal to the monitor's: every `resendInterval` the replica that holds
 * the lease posts every firing alert (endsAt 4 periods ahead) to every configured Alertmanager,
 * and the end (endsAt now) of every alert it posted before that no longer fires. Alertmanager
 * forgets an alert that is not re-posted before its endsAt (notify/ and Prometheus' resend_delay).
 */
export class AlertmanagerSink {
  readonly store: AlertmanagerStore;
  readonly lease: RedisLease;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();
  private readonly now: () => number;

  constructor(private readonly opts: AlertmanagerSinkOptions) {
    this.store = new AlertmanagerStore(opts.redis, opts.prefix);
    // A holder that died is replaced within 2 periods, well before endsAt (4 periods) resolves anything.
    this.lease = new RedisLease(opts.redis, `${opts.prefix}:alerts:alertmanager:lease`, 2 * opts.config.resendInterval);
    this.now = opts.now ?? Date.now;
  }

  /** Starts the periodic pass (one at once, now and then every resendInterval). */
  start(): void {
    const tick = () => {
      this.running = this.running.then(() => this.tick()).catch((err: Error) => log.warn({ err: err.message }, 'alertmanager re-post failed'));
    };
    tick();
    this.timer = setInterval(tick, this.opts.config.resendInterval);
    this.timer.unref();
  }

  /** Stops the timer, waits for a pass under way, and hands the lease on. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
    await this.lease.release().catch(() => undefined);
  }

  /** One pass if this replica holds (or takes) the lease; null when another replica holds it. */
  async tick(): Promise<SinkPass | null> {
    if (!(await this.lease.hold())) return null;
    return this.pass();
  }

  /** Posts every firing alert and the end of every kept alert that stopped firing; keeps the kept set in step. */
  async pass(): Promise<SinkPass> {
    const cfg = this.opts.config;
    const dash = this.opts.dashboardUrl;
    const now = this.now();
    const known = new Set(this.opts.accounts());
    const [firing, kept] = await Promise.all([this.opts.alerts.firing(), this.store.all()]);
    const wanted = firing.filter((f) => known.has(f.account) && acceptsAlert(cfg, f.account, [f.severity]));
    const posts: PostableAlert[] = [];
    const keep: PostedAlert[] = [];
    const drop: string[] = [];
    // An alert firing without kept texts (its notification not delivered yet) gets a bare summary; its start is in its state.
    const bare = wanted.filter((f) => kept.get(AlertmanagerStore.field(f.account, f.rule, f.service))?.severity !== f.severity);
    const states = await this.opts.alerts.load(bare);
    const startOf = new Map(bare.map((f, i) => [AlertmanagerStore.field(f.account, f.rule, f.service), states[i].state.sinceMs ?? now]));
    const seen = new Set<string>();
    for (const f of wanted) {
      const field = AlertmanagerStore.field(f.account, f.rule, f.service);
      seen.add(field);
      const old = kept.get(field);
      let alert = old;
      if (!old || old.severity !== f.severity) {
        // A severity change is another alert for Alertmanager (severity is a label): the old one ends.
        if (old) posts.push(postable(cfg, old, now, dash));
        alert = { account: f.account, rule: f.rule, service: f.service, severity: f.severity, startsMs: startOf.get(field) ?? now, annotations: bareAnnotations(f, dash) };
        keep.push(alert);
      }
      posts.push(postable(cfg, alert as PostedAlert, endsAhead(cfg, now), dash));
    }
    for (const [field, old] of kept) {
      if (seen.has(field)) continue;
      posts.push(postable(cfg, old, now, dash));
      drop.push(field);
    }
    if (posts.length === 0) return { firing: 0, resolved: 0, delivered: 0 };
    const outcome = await postToAll(cfg, posts, this.opts.timeoutMs ?? 10_000);
    alertmanagerPostsTotal.inc({ outcome: 'ok' }, outcome.delivered);
    alertmanagerPostsTotal.inc({ outcome: 'failed' }, outcome.errors.length);
    for (const e of outcome.errors) log.warn({ error: e.message }, 'an Alertmanager did not take the re-posted alerts');
    // Ended alerts are forgotten once one Alertmanager has the end; otherwise the next pass sends it again.
    if (outcome.delivered > 0) await this.store.remove(drop);
    for (const a of keep) await this.store.putUnlessKept(a);
    await this.endResolvedMeanwhile(wanted, now);
    return { firing: wanted.length, resolved: drop.length, delivered: outcome.delivered };
  }

  /**
   * An alert that resolved while this pass ran was just posted as firing after its resolution went
   * out: its end is posted again at once, rather than Alertmanager keeping it until its endsAt.
   */
  private async endResolvedMeanwhile(posted: Awaited<ReturnType<AlertStore['firing']>>, now: number): Promise<void> {
    const still = new Set((await this.opts.alerts.firing()).map((f) => `${AlertmanagerStore.field(f.account, f.rule, f.service)}|${f.severity}`));
    const gone = posted.filter((f) => !still.has(`${AlertmanagerStore.field(f.account, f.rule, f.service)}|${f.severity}`));
    if (gone.length === 0) return;
    const kept = await this.store.all();
    const ends = gone.map((f) => {
      const k = kept.get(AlertmanagerStore.field(f.account, f.rule, f.service));
      return postable(this.opts.config, k && k.severity === f.severity ? k
        : { ...f, startsMs: now, annotations: bareAnnotations(f, this.opts.dashboardUrl) }, this.now(), this.opts.dashboardUrl);
    });
    await postToAll(this.opts.config, ends, this.opts.timeoutMs ?? 10_000);
  }
}
