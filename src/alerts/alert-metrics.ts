import { Counter, Gauge, type Registry } from 'prom-client';
import type { AlertStore } from './alert-store';

/** Counts notification deliveries per channel and outcome (`sent`, `failed` for a failed attempt, `dropped`); per process. */
export const notificationsTotal = new Counter({
  name: 'sendpulse_alert_notifications_total',
  help: 'Alert notifications handled by this process, by channel (email, webhook) and outcome (sent, failed attempt, dropped after the last attempt).',
  labelNames: ['channel', 'outcome'] as const,
  registers: [],
});

/** What the firing gauge reads at scrape time. */
export interface AlertMetricsDeps {
  store: AlertStore;
  /** The configured account names: alerts of removed accounts are not shown. */
  accounts: () => readonly string[];
  /** False while Redis is unreachable: the firing series are then left out at once (no waiting on retries). */
  available?: () => boolean;
}

/**
 * Registers sendpulse_alert_firing{account,alert,severity,service} (1 while firing, read from Redis
 * at scrape time in one command so every replica shows the same) and the notifications counter.
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
        rows = await deps.store.firing();
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
}
