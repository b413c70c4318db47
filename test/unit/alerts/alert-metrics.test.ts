import { Registry } from 'prom-client';
import { registerAlertMetrics } from '../../../src/alerts/alert-metrics';
import type { AlertStore } from '../../../src/alerts/alert-store';

describe('alert notification counter', () => {
  it('starts at 0 for every outcome of every configured channel, so a panel shows 0 and the first failure is an increase', async () => {
    const registry = new Registry();
    const store = { firing: async () => [] } as unknown as AlertStore;
    registerAlertMetrics(registry, { stores: [store], accounts: () => ['main'], channels: ['email', 'webhook'] });
    const text = await registry.metrics();
    const lines = text.split('\n').filter((l) => l.startsWith('sendpulse_alert_notifications_total{'));
    expect(lines.sort()).toEqual(['email', 'webhook'].flatMap((channel) => ['dropped', 'failed', 'rejected', 'sent']
      .map((outcome) => `sendpulse_alert_notifications_total{channel="${channel}",outcome="${outcome}"} 0`)));
  });
});
