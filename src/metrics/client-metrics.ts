import { Counter, Histogram, type Registry } from 'prom-client';
import { AccountCounter } from './account-counter';
import { ENDPOINTS } from '../sendpulse/endpoints';
import { FAILURE_REASONS } from '../state/reading-store';

/**
 * Per-process counters of the requests this replica made (Prometheus sums them across replicas). The
 * two labelled by account are AccountCounters, written as cached text (tens of thousands of series at
 * scale), and served through their `family`; the others are prom-client metrics on the registry.
 */
export interface ClientMetrics {
  requests: AccountCounter<'endpoint' | 'code'>;
  duration: Histogram<'endpoint'>;
  pollErrors: AccountCounter<'endpoint' | 'reason'>;
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
    requests: new AccountCounter('sendpulse_api_requests_total',
      'HTTP requests this process made to the SendPulse API, token requests included (endpoint="oauth_token"); code is the HTTP status, or timeout/network.',
      ['endpoint', 'code']),
    duration: new Histogram({
      name: 'sendpulse_api_request_duration_seconds',
      help: 'Duration of HTTP requests this process made to the SendPulse API.',
      labelNames: ['endpoint'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    pollErrors: new AccountCounter('sendpulse_poll_errors_total',
      'Background polls of the SendPulse API by this process that failed, by reason (timeout, network, http_5xx, rate_limited, auth, invalid_response).',
      ['endpoint', 'reason']),
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
