import { ENDPOINT_DEFS, ENDPOINTS, type Endpoint } from '../../sendpulse/endpoints';
import type { OperationalRule } from './rule-def';

/** The endpoint a field path belongs to. */
const ENDPOINT_OF = new Map<string, Endpoint>(ENDPOINTS.flatMap((e) => ENDPOINT_DEFS[e].fields.map((f) => [f.path, e] as [string, Endpoint])));

/** How long a field has been unreadable, given the since-map of its endpoint (a whole unreadable section counts for its fields). */
function unreadableFor(since: Record<string, number>, field: string, now: number): number {
  let from: number | null = null;
  for (const [path, at] of Object.entries(since)) {
    if (path === field || field.startsWith(`${path}.`)) from = from === null ? at : Math.min(from, at);
  }
  return from === null ? 0 : Math.max(0, now - from);
}

/**
 * `unreadable`: a field a value rule watches has been unreadable in every good poll for
 * `alerts.staleAfter` × its endpoint's interval (warning), one alert per field (its path is the
 * `service` label). While a field is unreadable the rules watching it neither fire nor resolve, so
 * without this nothing would say that a value is no longer watched. On by default.
 */
export const unreadableRule: OperationalRule = {
  name: 'unreadable',
  alertnames: { warning: 'SendPulseResponseUnreadable', critical: 'SendPulseResponseUnreadable' },
  kind: 'operational',
  doc: {
    fires: 'a field a rule watches has been unreadable (wrong type, bad date, negative count) for `alerts.staleAfter` × its endpoint\'s interval (warning); the other values are still read',
    services: 'the field path, e.g. `push.end_date`', example: 'on by default',
  },
  observe({ alerts, state, now, intervalFor, watchedFields }) {
    return watchedFields.flatMap((field) => {
      const ep = ENDPOINT_OF.get(field);
      if (!ep) return [];
      const es = state.endpoints[ep];
      // After a failed poll nothing new is known about the field: held (stale says the polls fail).
      return [{
        rule: 'unreadable', service: field, value: es.ok ? unreadableFor(es.unreadableSince, field, now) : null,
        thresholds: { warning: alerts.staleAfterIntervals * intervalFor(ep), critical: Infinity },
        direction: 'above' as const, unit: 'duration' as const, currency: null,
      }];
    });
  },
  headline: (o, severity, vt, tt) => (severity !== 'ok' ? `field ${o.service} unreadable for ${vt}, more than ${tt}` : `field ${o.service} reads again`),
};
