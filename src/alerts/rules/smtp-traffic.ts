import { numberField } from '../../sendpulse/readings';
import { trafficOrPercent } from './levels';
import { twoLevel, type ValueRule } from './rule-def';

/**
 * `smtpTraffic`: SMTP traffic left (`smtp.traffic_limit_left`, "12.50 Mb" read as binary units) below
 * a threshold: an amount (`500Mb`) or `10%` of the plan's traffic (`smtp.traffic_limit`).
 */
export const smtpTrafficRule: ValueRule = {
  name: 'smtpTraffic',
  alertnames: { warning: 'SendPulseSmtpTrafficLow', critical: 'SendPulseSmtpTrafficCritical' },
  kind: 'value',
  doc: {
    fires: '`smtp.traffic_limit_left` is **below** (an amount such as `500Mb`, 1 Mb = 2^20 bytes, or a percentage of `smtp.traffic_limit`)',
    services: '`smtp`', example: '`{ warning: 500Mb, critical: 50Mb }` or `{ warning: 20%, critical: 5% }`',
  },
  level: trafficOrPercent,
  levelUnit: 'bytes',
  direction: 'below',
  endpoint: 'balance',
  watches: ['smtp.traffic_limit_left', 'smtp.traffic_limit'],
  history: ['smtp.traffic_limit_left'],
  observe(input) {
    const r = input.state.endpoints.balance.reading;
    return [twoLevel(this, input, 'smtp', numberField(r, 'smtp.traffic_limit_left'), 'bytes',
      { limit: numberField(r, 'smtp.traffic_limit'), series: 'smtp.traffic_limit_left' })];
  },
  headline: (o, severity, vt, tt) => (severity !== 'ok' ? `SMTP traffic left ${vt} is below ${tt}` : `SMTP traffic left ${vt}`),
};
