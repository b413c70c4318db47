import { collectDefaultMetrics, type Registry } from 'prom-client';

// prom-client exports these gauges twice, once with a `_total` suffix that Prometheus reserves for
// counters; `promtool check metrics` rejects them. The unsuffixed twins carry the same values.
const MISNAMED = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/** Registers the Node.js process metrics (CPU, memory, event loop, GC) on `registry`, minus the misnamed twins. */
export function registerProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
  for (const name of MISNAMED) registry.removeSingleMetric(name);
}
