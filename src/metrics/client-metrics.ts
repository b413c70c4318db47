import { Counter, Histogram, type Registry } from 'prom-client';
import { ENDPOINTS } from '../sendpulse/endpoints';
import { FAILURE_REASONS } from '../state/reading-store';

/** Per-process counters of the requests this replica made (Prometheus sums them across replicas). */
export interface ClientMetrics {
  requests: Counter<'account' | 'endpoint' | 'code'>;
  duration: Histogram<'endpoint'>;
  pollErrors: Counter<'account' | 'endpoint' | 'reason'>;
  /** Unreadable fields seen in good polls, by endpoint and field path (never the value, never the account: bounded by the field table). */
  fieldErrors: Counter<'endpoint' | 'field'>;
}

/**
 * Registers the per-process request and poll-error metrics on `registry`. The poll-error counter starts
 * at 0 for every account × endpoint × reason, so that `increase()` sees the first error (a series that
 * appears at 1 has no increase) and panels show 0 rather than nothing.
 */
export function createClientMetrics(registry: Registry, accounts: readonly string[] = []): ClientMetrics {
  const metrics: ClientMetrics = {
    requests: new Counter({
      name: 'sendpulse_api_requests_total',
      help: 'HTTP requests this process made to the SendPulse API, token requests included (endpoint="oauth_token"); code is the HTTP status, or timeout/network.',
      labelNames: ['account', 'endpoint', 'code'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'sendpulse_api_request_duration_seconds',
      help: 'Duration of HTTP requests this process made to the SendPulse API.',
      labelNames: ['endpoint'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    pollErrors: new Counter({
      name: 'sendpulse_poll_errors_total',
      help: 'Background polls of the SendPulse API by this process that failed, by reason (timeout, network, http_5xx, rate_limited, auth, invalid_response).',
      labelNames: ['account', 'endpoint', 'reason'],
      registers: [registry],
    }),
    fieldErrors: new Counter({
      name: 'sendpulse_response_field_errors_total',
      help: 'Fields of SendPulse answers this process could not read (wrong type, unknown flag, negative count, bad date), by endpoint and field path; the rest of each answer was kept.',
      labelNames: ['endpoint', 'field'],
      registers: [registry],
    }),
  };
  for (const account of accounts) {
    for (const endpoint of ENDPOINTS) for (const reason of FAILURE_REASONS) metrics.pollErrors.inc({ account, endpoint, reason }, 0);
  }
  return metrics;
}
