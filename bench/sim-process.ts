import { generateAccount } from '../src/simulator/default-accounts';
import { startSimulator } from '../src/simulator/simulator';

/**
 * The simulator in its own process for the benchmark: `node sim-process.js <accounts> <tokenTtlS>`.
 * Prints `{"url": ...}` once listening and runs until SIGTERM. Quotas are raised above the
 * benchmark's load (the defaults would be fine at the compressed rates, but the saturation run polls
 * every endpoint every second), keeping SendPulse's 10 per second.
 */
async function main(): Promise<void> {
  const count = Number(process.argv[2]);
  const ttl = Number(process.argv[3] ?? '3600');
  const now = Date.now();
  const accounts = Array.from({ length: count }, (_, k) => ({
    ...generateAccount(k + 1, now),
    tokenTtlSeconds: ttl,
    plan: 'enterprise' as const,
    quota: { perMinute: 3000, perDay: 3_000_000, perSecond: 10 },
  }));
  const sim = await startSimulator({ accounts, requestLogSize: 600_000 });
  process.stdout.write(`${JSON.stringify({ url: sim.url })}\n`);
  process.once('SIGTERM', () => void sim.close().then(() => process.exit(0)));
}

void main();
