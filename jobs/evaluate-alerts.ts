import type { AlertEngine } from '../src/alerts/alert-engine';

/** The name of the periodic alert job (one job scheduler, e.g. every minute). */
export const EVALUATE_ALERTS_JOB = 'evaluate-alerts';

/**
 * The periodic alert pass: reminders, tariff end dates that moved closer with the clock, `stale`
 * for accounts whose polls stopped, and the outbox sweep that enqueues notifications a killed
 * worker left behind. Safe to run on every replica at once (transitions are compare-and-set).
 */
export async function evaluateAlerts(engine: AlertEngine): Promise<void> {
  await engine.evaluateAll();
}
