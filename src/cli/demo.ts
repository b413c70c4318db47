import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDuration } from '../config/duration';
import { loadConfig } from '../config/load-config';
import { childLogger } from '../logger';
import { demoAccount, generateAccount } from '../simulator/default-accounts';
import { startSimulator } from '../simulator/simulator';
import { hasRedisServer, startPrivateRedis, type PrivateRedis } from '../state/private-redis';
import { startMonitor } from '../worker';
import { parseCommandLine, stringOption } from './parse-command-line';
import { waitForSignal } from './wait-for-signal';

/** When the demo lowers the `demo` account's balance, so the user sees a value change. */
const BALANCE_DROP_AFTER_MS = 60_000;

/** The demo's config: two simulated accounts (OAuth and API key), short intervals, a roomy budget. */
function demoConfigYaml(simUrl: string, redisUrl: string, port: number): string {
  return `# Written by "sendpulse-monitor demo"; a real config looks the same with real credentials.
sendpulse: { baseUrl: "${simUrl}", timeout: 5s }
redis: { url: "${redisUrl}", prefix: spm-demo }
server: { host: 127.0.0.1, port: ${port} }
accounts:
  - name: demo
    clientId: sim-demo-client
    clientSecret: sim-demo-secret
    timezone: Europe/Kyiv
    intervals: { balance: 5s, userInfo: 30s, team: 30s }
    budget: { perMinute: 60, perDay: 50000 }
  - name: shop
    apiKey: sim-key-00001
    intervals: { balance: 10s, userInfo: 1m, team: 1m }
    budget: { perMinute: 60, perDay: 50000 }
`;
}

/**
 * `sendpulse-monitor demo`: everything on this machine, nothing to configure. A private redis-server
 * (unless REDIS_URL is set), the simulator, the worker; prints the metrics URL; Ctrl-C stops it all.
 */
export async function main(argv: string[]): Promise<number> {
  const cli = parseCommandLine('demo', argv);
  if (!cli.ok) return cli.exitCode;
  const log = childLogger({ component: 'demo' });
  const out = (s: string) => process.stdout.write(s + '\n');
  let redis: PrivateRedis | null = null;
  let redisUrl = process.env.REDIS_URL;
  if (!redisUrl) {
    if (!hasRedisServer()) {
      process.stderr.write('sendpulse-monitor demo: redis-server was not found on PATH.\n' +
        '  Debian/Ubuntu: sudo apt-get install -y redis-server\n' +
        '  macOS:         brew install redis\n' +
        '  or point the demo at a running Redis: REDIS_URL=redis://host:6379 npm run demo\n');
      return 1;
    }
    redis = await startPrivateRedis();
    redisUrl = redis.url;
  }
  const sim = await startSimulator({ accounts: [demoAccount(), { ...generateAccount(1), id: 'shop' }] });
  const port = Number(stringOption(cli.values, 'port') ?? process.env.PORT ?? 9464);
  const drop = stringOption(cli.values, 'drop-after');
  const dropAfterMs = drop !== undefined ? parseDuration(drop, '--drop-after') : BALANCE_DROP_AFTER_MS;
  const dir = mkdtempSync(join(tmpdir(), 'spm-demo-'));
  const file = join(dir, 'config.yaml');
  writeFileSync(file, demoConfigYaml(sim.url, redisUrl, port));
  const monitor = await startMonitor(loadConfig({ file, env: {} }));
  out('');
  out('sendpulse-monitor demo is running');
  out(`  metrics:    ${monitor.url}/metrics`);
  out(`  status:     ${monitor.url}/`);
  out(`  simulator:  ${sim.url} (SendPulse API simulator; control API under ${sim.url}/_control/)`);
  out(`  redis:      ${redisUrl}${redis ? ' (private, removed on exit)' : ''}`);
  out(`  config:     ${file}`);
  out(`In ${dropAfterMs / 1000} s the "demo" account's balance drops from 9.36 to 1.50 USD: watch sendpulse_balance.`);
  out('Press Ctrl-C to stop.');
  const dropTimer = setTimeout(() => {
    sim.updateAccount('demo', { balanceDetail: { balance: { main: '1.50' } } });
    out('demo: the simulator lowered the "demo" balance to 1.50 USD; the next poll shows it in sendpulse_balance.');
  }, dropAfterMs);
  await waitForSignal();
  clearTimeout(dropTimer);
  out('stopping...');
  await monitor.close(3000);
  await sim.close();
  await redis?.close();
  rmSync(dir, { recursive: true, force: true });
  log.info('demo stopped');
  return 0;
}
