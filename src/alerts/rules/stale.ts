import { ENDPOINTS } from '../../sendpulse/endpoints';
import type { OperationalRule } from './rule-def';

/**
 * `stale`: no good poll of an endpoint for `alerts.staleAfter` × its interval (warning). Held while
 * `credentials` fires, which already says why no poll succeeds (as an Alertmanager inhibit rule
 * would), instead of one more mail per endpoint. On by default.
 */
export const staleRule: OperationalRule = {
  name: 'stale',
  alertnames: { warning: 'SendPulseDataStale', critical: 'SendPulseDataStale' },
  kind: 'operational',
  doc: {
    fires: 'no good poll of an endpoint for `alerts.staleAfter` (default 3) × that endpoint\'s interval (warning); held while `credentials` fires, which already says why',
    services: '`user_info`, `team`, `balance`', example: 'on by default',
  },
  observe({ account, alerts, state, now, intervalFor, firstSeenMs }) {
    const inhibited = account.alerts.rules.credentials !== false && state.auth === 'failing';
    return ENDPOINTS.map((ep) => {
      const last = state.endpoints[ep].lastSuccessMs ?? firstSeenMs;
      return {
        rule: 'stale', service: ep, value: last === null || inhibited ? null : Math.max(0, now - last),
        thresholds: { warning: alerts.staleAfterIntervals * intervalFor(ep), critical: Infinity },
        direction: 'above' as const, unit: 'duration' as const, currency: null,
      };
    });
  },
  headline: (o, severity, vt, tt) => (severity !== 'ok' ? `no good poll of ${o.service} for ${vt}, more than ${tt}` : `polls of ${o.service} succeed again`),
};
