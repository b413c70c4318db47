import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sampleBalanceDetail, sampleTeam, sampleUserInfo } from '../../src/simulator/default-accounts';
import { startSimulator } from '../../src/simulator/simulator';
import type { SimAccountDef, SimEndpoint, Simulator } from '../../src/simulator/types';
import { startPrivateRedis, type PrivateRedis } from '../../src/state/private-redis';
import { TestSmtp } from './test-smtp';
import { parseMetrics, sampleValue, type Sample } from './metrics-text';
import { killAll as killProcesses, spawnCli, type CliProcess } from './monitor-env';

/** What a fault test's config holds besides the accounts; defaults next to each. */
export interface FaultConfigOptions {
  /** YAML list items under `accounts:` (see accountYaml). */
  accounts: string;
  /** sendpulse.timeout; default 2s. */
  timeout?: string;
  /** alerts.staleAfter in poll intervals; default 30, so short outages under test are not "stale". */
  staleAfter?: number;
  /** redis.prefix; default a fresh one per config. */
  prefix?: string;
  /** More keys of the `redis:` block, e.g. `allowEviction: true`; default none. */
  redis?: string;
}

/**
 * A real redis-server, the simulator, a real SMTP server and the `run` processes started against
 * them, for the fault suite. The alert rule is always on with thresholds far below the simulated
 * balance (50), so any mail that arrives when no value crossed them is a false alert.
 */
export interface FaultRig {
  redis: PrivateRedis;
  /** Replaced by restartSimulator(). */
  sim: Simulator;
  smtp: TestSmtp;
  /** Writes a config file pointing at this rig and returns its path. */
  config(opts: FaultConfigOptions): string;
  /** Spawns `sendpulse-monitor run --config file`; killed by close() or killAll(). */
  run(file: string): CliProcess;
  /** SIGKILLs every process this rig started that still runs. */
  killAll(): Promise<void>;
  /** Closes the simulator; `start` brings a fresh one back on the same port with the same accounts. */
  stopSimulator(): Promise<{ start(): Promise<void> }>;
  close(): Promise<void>;
}

let seq = 0;

/** A simulated account `id` with key `key-<id>`, client `client-<id>`/`secret-<id>` and a main balance of 50.00 USD. */
export function simAccount(id: string, extra: Partial<SimAccountDef> = {}): SimAccountDef {
  return {
    id, apiKey: `key-${id}`, clientId: `client-${id}`, clientSecret: `secret-${id}`,
    userInfo: sampleUserInfo(100 + seq++, 'A B'), team: sampleTeam(), balanceDetail: sampleBalanceDetail(Date.now(), '50.00'), ...extra,
  };
}

/** A YAML `accounts:` item for the simulated account `id`, every endpoint polled each `every`. */
export function accountYaml(id: string, opts: { oauth?: boolean; every?: string } = {}): string {
  const every = opts.every ?? '1s';
  const auth = opts.oauth ? `clientId: client-${id}\n    clientSecret: secret-${id}` : `apiKey: key-${id}`;
  return `
  - name: ${id}
    ${auth}
    intervals: { balance: ${every}, userInfo: ${every}, team: ${every} }
    budget: { perMinute: 900, perDay: 500000, perSecond: 10 }`;
}

/** Starts a FaultRig; `appendonly` gives Redis an AOF so its data survives a SIGKILL; `redisArgs` go to redis-server. */
export async function startFaultRig(accounts: SimAccountDef[], opts: { appendonly?: boolean; redisArgs?: string[] } = {}): Promise<FaultRig> {
  const redis = await startPrivateRedis({ appendonly: opts.appendonly ?? false, args: opts.redisArgs });
  const smtp = await TestSmtp.start();
  const dir = mkdtempSync(join(tmpdir(), 'spm-fault-'));
  const procs: CliProcess[] = [];
  const rig: FaultRig = {
    redis,
    sim: await startSimulator({ accounts }),
    smtp,
    config: (o) => {
      const file = join(dir, `config-${++seq}.yaml`);
      writeFileSync(file, `sendpulse: { baseUrl: "${rig.sim.url}", timeout: ${o.timeout ?? '2s'} }
redis: { url: "${redis.url}", prefix: ${o.prefix ?? `f${process.pid}x${seq}`}${o.redis ? `, ${o.redis}` : ''} }
server: { host: 127.0.0.1, port: 0 }
accounts:
${o.accounts}
alerts:
  staleAfter: ${o.staleAfter ?? 30}
  rules:
    balance: { warning: 10, critical: 2 }
  email: { smtpUrl: "${smtp.url}", from: monitor@example.com, to: [ops@example.com] }
`);
      return file;
    },
    run: (file) => {
      const p = spawnCli(['run', '--config', file]);
      procs.push(p);
      return p;
    },
    killAll: () => killProcesses(procs),
    stopSimulator: async () => {
      const port = rig.sim.port;
      await rig.sim.close();
      return { start: async () => { rig.sim = await startSimulator({ port, accounts }); } };
    },
    close: async () => {
      await rig.killAll();
      await rig.sim.close();
      await smtp.down();
      await redis.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return rig;
}

/** `/metrics` of a running process (throws unless 200), parsed. */
export async function scrapeOk(url: string, timeoutMs = 5000): Promise<Sample[]> {
  const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  return parseMetrics(await res.text());
}

/** sendpulse_poll_errors_total for one account and reason, summed over endpoints (0 when absent). */
export function pollErrors(samples: Sample[], account: string, reason: string, endpoint?: string): number {
  return samples
    .filter((s) => s.name === 'sendpulse_poll_errors_total' && s.labels.account === account && s.labels.reason === reason
      && (endpoint === undefined || s.labels.endpoint === endpoint))
    .reduce((sum, s) => sum + s.value, 0);
}

/** sendpulse_up of an account (undefined while its state cannot be read). */
export function up(samples: Sample[], account: string): number | undefined {
  return sampleValue(samples, 'sendpulse_up', { account });
}

/** Successful (200) requests the simulator answered for the account since `since` (ms epoch). */
export function okPolls(sim: Simulator, account: string, since: number, endpoint?: SimEndpoint): number {
  return sim.requests({ account, since, status: 200, ...(endpoint ? { endpoint } : {}) }).length;
}

/** The JSON log records (pino lines) in a process's output, from character `offset` on. */
export function logRecords(output: string, offset = 0): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of output.slice(offset).split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // a line cut at the offset or still being written
    }
  }
  return out;
}
