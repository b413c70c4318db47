import { Counter, Gauge, type Registry } from 'prom-client';
import type { AlertStore } from './alert-store';
import { alertmanagerPostsTotal } from './alertmanager-sink';

/**
 * Counts notification deliveries per channel and outcome: `sent`, `rejected` (refused for good by
 * the service, not retried), `failed` (an attempt that will be retried), `dropped` (after the last
 * attempt); per process.
 */
export const notificationsTotal = new Counter({
  name: 'sendpulse_alert_notifications_total',
  help: 'Alert notifications handled by this process, by channel and outcome (sent, rejected by the service and not retried, failed attempt, dropped after the last attempt).',
  labelNames: ['channel', 'outcome'] as const,
  registers: [],
});

/** What the firing gauge reads at scrape time. */
export interface AlertMetricsDeps {
  /** The alert store of each shard (each has its own firing index; one without `redis.shards`). */
  stores: readonly AlertStore[];
  /** The configured account names: alerts of removed accounts are not shown. */
  accounts: () => readonly string[];
  /** False while Redis is unreachable: the firing series are then left out at once (no waiting on retries). */
  available?: () => boolean;
  /** The configured channels: their notification counters start at 0 (so rate() and panels show 0, not nothing). */
  channels?: readonly string[];
  /** Alertmanager is configured: its re-post counter starts at 0 (without it the counter has no series). */
  alertmanager?: boolean;
}

/** The outcomes of sendpulse_alert_notifications_total. */
export const NOTIFICATION_OUTCOMES = ['sent', 'rejected', 'failed', 'dropped'] as const;

/**
 * Registers sendpulse_alert_firing{account,alert,severity,service} (1 while firing, read from Redis
 * at scrape time in one command per shard so every replica shows the same), the notifications counter and
 * the Alertmanager re-post counter.
 */
export function registerAlertMetrics(registry: Registry, deps: AlertMetricsDeps): void {
  const firing = new Gauge({
    name: 'sendpulse_alert_firing',
    help: 'Built-in alerts firing now (1), from the alert state shared in Redis; values come from background polls.',
    labelNames: ['account', 'alert', 'severity', 'service'] as const,
    registers: [],
    async collect() {
      const known = new Set(deps.accounts());
      this.reset();
      if (deps.available && !deps.available()) return;
      let rows: Awaited<ReturnType<AlertStore['firing']>>;
      try {
        rows = (await Promise.all(deps.stores.map((st) => st.firing()))).flat();
      } catch {
        // Redis unreachable: leave the series out rather than fail the whole scrape (the budget gauges
        // do the same); the server already logs that account state is unavailable for this scrape.
        return;
      }
      for (const a of rows) {
        if (known.has(a.account)) this.set({ account: a.account, alert: a.rule, severity: a.severity, service: a.service }, 1);
      }
    },
  });
  registry.registerMetric(firing);
  if (!registry.getSingleMetric('sendpulse_alert_notifications_total')) registry.registerMetric(notificationsTotal);
  for (const channel of deps.channels ?? []) for (const outcome of NOTIFICATION_OUTCOMES) notificationsTotal.inc({ channel, outcome }, 0);
  if (!registry.getSingleMetric('sendpulse_alertmanager_posts_total')) registry.registerMetric(alertmanagerPostsTotal);
  if (deps.alertmanager) for (const outcome of ['ok', 'failed']) alertmanagerPostsTotal.inc({ outcome }, 0);
}
