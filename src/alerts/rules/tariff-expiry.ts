import { numberField } from '../../sendpulse/readings';
import { humanDuration } from '../human-duration';
import { duration } from './levels';
import { twoLevel, type ValueRule } from './rule-def';

const DAY = 86_400_000;

/** The end date field of each service's tariff (the email section names it `finished_time`). */
const END_FIELDS = { email: 'email.finished_time', smtp: 'smtp.end_date', push: 'push.end_date' } as const;

/**
 * `tariffExpiry`: time left until a service's tariff ends below a threshold, one alert per service;
 * an end already past is below any threshold (critical). On by default (7d / 1d): it needs no
 * currency or plan size to be meaningful.
 */
export const tariffExpiryRule: ValueRule = {
  name: 'tariffExpiry',
  alertnames: { warning: 'SendPulseTariffExpiring', critical: 'SendPulseTariffCritical' },
  kind: 'value',
  doc: {
    fires: 'time left until `email.finished_time` / `smtp.end_date` / `push.end_date` is **below** (an end date already past is critical); one alert per service; dates are read in the account\'s `timezone`',
    services: '`email`, `smtp`, `push`', example: '`{ warning: 7d, critical: 1d }` (the default)',
  },
  level: duration,
  levelUnit: 'duration',
  direction: 'below',
  default: { warning: 7 * DAY, critical: DAY },
  endpoint: 'balance',
  watches: Object.values(END_FIELDS),
  history: [],
  observe(input) {
    const r = input.state.endpoints.balance.reading;
    return Object.entries(END_FIELDS).map(([service, field]) => {
      const end = numberField(r, field);
      // An end date already past gives a negative time left, below any critical threshold.
      return twoLevel(this, input, service, end === null ? null : end * 1000 - input.now, 'duration');
    });
  },
  valueText: (v) => (v < 0 ? `ended ${humanDuration(-v)} ago` : `ends in ${humanDuration(v)}`),
  headline: (o, severity, vt, tt) => `${o.service} tariff ${vt}${severity !== 'ok' && (o.value ?? 0) >= 0 ? `, less than ${tt}` : ''}`,
};
