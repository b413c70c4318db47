import { sampleValue, scrape } from '../helpers/metrics-text';
import { spawnCli } from '../helpers/monitor-env';
import { waitFor } from '../helpers/wait-for';

describe('npm run demo', () => {
  it('serves live metrics from the simulator, shows the balance drop, and stops everything on Ctrl-C', async () => {
    const p = spawnCli(['demo', '--port', '0', '--drop-after', '3s'], { REDIS_URL: '' });
    try {
      const url = await waitFor('the printed metrics URL', () => /metrics:\s+(http:\/\/127\.0\.0\.1:\d+)\/metrics/.exec(p.output())?.[1], 20000);
      const first = await waitFor('both demo accounts polled', async () => {
        const s = await scrape(url);
        return sampleValue(s, 'sendpulse_up', { account: 'demo' }) === 1 && sampleValue(s, 'sendpulse_up', { account: 'shop' }) === 1 && s;
      }, 20000);
      expect(sampleValue(first, 'sendpulse_balance', { account: 'demo', kind: 'main', currency: 'USD' })).toBe(9.36);
      await waitFor('the lowered balance', async () =>
        sampleValue(await scrape(url), 'sendpulse_balance', { account: 'demo', kind: 'main', currency: 'USD' }) === 1.5, 20000);
      expect(p.output()).not.toContain('stretched');
      p.proc.kill('SIGINT');
      expect(await p.exited).toBe(0);
      await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    } finally {
      if (p.proc.exitCode === null) p.proc.kill('SIGKILL');
    }
  });
});
