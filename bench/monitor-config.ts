import { writeFileSync } from 'node:fs';
import { OAUTH_EVERY } from './bench-plan';

/** What a benchmark monitor config needs. */
export interface MonitorConfigSpec {
  file: string;
  simUrl: string;
  redisUrl: string;
  /** Redis Cluster seed nodes (`redis://host:port`); when set, used instead of `redisUrl`. Default none. */
  clusterNodes?: string[];
  prefix: string;
  /** `redis.shards`; default 1 (left out of the config). */
  shards?: number;
  port: number;
  accounts: number;
  intervalsS: { balance: number; userInfo: number; team: number };
}

// Written out per account: the yaml package refuses more than 100 aliases (a resource-exhaustion guard).
const BUDGET = '{ perMinute: 600, perDay: 1000000, perSecond: 10 }';

/**
 * Writes a `run` config for accounts acct-00001... of the simulator: every OAUTH_EVERY-th with client
 * credentials, the rest with API keys; a budget that holds the compressed schedule with room to spare,
 * so the planner stretches nothing.
 */
export function writeMonitorConfig(s: MonitorConfigSpec): void {
  const iv = `{ balance: ${s.intervalsS.balance}s, userInfo: ${s.intervalsS.userInfo}s, team: ${s.intervalsS.team}s }`;
  const lines: string[] = [];
  for (let i = 1; i <= s.accounts; i++) {
    const id = String(i).padStart(5, '0');
    const creds = i % OAUTH_EVERY === 0
      ? `clientId: sim-client-${id}, clientSecret: sim-secret-${id}`
      : `apiKey: sim-key-${id}`;
    lines.push(`  - { name: acct-${id}, ${creds}, plan: enterprise, intervals: ${iv}, budget: ${BUDGET} }`);
  }
  const where = s.clusterNodes ? `cluster: { nodes: [${s.clusterNodes.map((n) => `"${n}"`).join(', ')}] }` : `url: "${s.redisUrl}"`;
  writeFileSync(s.file, `sendpulse: { baseUrl: "${s.simUrl}", timeout: 10s }
redis: { ${where}, prefix: ${s.prefix}${s.shards && s.shards > 1 ? `, shards: ${s.shards}` : ''} }
server: { host: 127.0.0.1, port: ${s.port} }
logLevel: warn
accounts:
${lines.join('\n')}
`);
}
