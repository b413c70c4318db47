import { Histogram, type Registry } from 'prom-client';

/**
 * Registers sendpulse_poll_lag_seconds: how long after its due time each poll job started. A growing
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

/** The moment (ms epoch) a poll job was due: the time a job scheduler wrote into its id, else timestamp + delay. */
export function jobDueMs(job: { id?: string; timestamp: number; opts?: { delay?: number } }): number {
  // BullMQ job schedulers name their jobs `repeat:<scheduler id>:<due ms>`; the job's own `delay` is
  // zeroed when it is promoted from delayed to waiting, so the id is the reliable record.
  const m = /:(\d{10,})$/.exec(job.id ?? '');
  return m ? Number(m[1]) : job.timestamp + (job.opts?.delay ?? 0);
}
