import { childLogger } from '../logger';
import { startMonitor } from '../worker';
import { loadConfigOrReport } from './load-config-or-report';
import { waitForSignal } from './wait-for-signal';

/** `sendpulse-monitor run [--config FILE]`: the long-running worker and metrics server. */
export async function main(argv: string[]): Promise<number> {
  const config = loadConfigOrReport(argv);
  if (!config) return 1;
  const log = childLogger({ component: 'run' });
  const monitor = await startMonitor(config);
  const sig = await waitForSignal();
  log.info({ signal: sig }, 'shutting down: finishing polls in flight');
  await monitor.close(8000);
  log.info('stopped');
  return 0;
}
