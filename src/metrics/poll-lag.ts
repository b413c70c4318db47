import { Histogram, type Registry } from 'prom-client';

/**
 * Registers sendpulse_poll_lag_seconds: how long after its due time each poll started (the poll schedule's due time against its claim: src/poller/poll-runner.ts). A growing
 * lag is the first sign that the workers cannot keep up with the schedules (add replicas or concurrency).
 */
export function createPollLag(registry: Registry): Histogram {
  return new Histogram({
    name: 'sendpulse_poll_lag_seconds',
    help: 'Delay between when a background poll was due and when this process started it.',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers: [registry],
  });
}
