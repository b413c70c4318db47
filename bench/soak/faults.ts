import type { FaultSpec } from '../../src/simulator/types';
import { sleep } from '../wait';
import type { Prng } from './prng';
import { KNOBS, LEVELS, knobPatch, type Knob, type Level, type World } from './world';

/** Faults of the whole system (one at a time) and of the simulator for some accounts (their own lane, so the two stack). */
export type FaultKind =
  | 'kill-replica' | 'term-replica' | 'kill-all' | 'pause-replica'
  | 'sentinel-failover' | 'kill-master' | 'redis-restart' | 'redis-wipe'
  | 'smtp-down' | 'webhook-down'
  | 'api-5xx' | 'api-html' | 'api-reset' | 'api-timeout' | 'api-401' | 'api-429-storm' | 'api-odd-fields' | 'api-truncated';

/** One entry of the fault log. */
export interface FaultRecord {
  n: number;
  kind: FaultKind;
  /** Replica index, Redis port, or account ids. */
  target: string;
  /** Accounts it hits (simulator faults); empty: the whole system. */
  accounts: string[];
  start: number;
  /** When it was healed (the process back, the fault cleared); set when it ends. */
  end?: number;
  /** Retry-After of a 429 storm, s. */
  retryAfterS?: number;
  detail?: string;
}

/** One value move: `knob` of `account` set to `level` at `at`. */
export interface ValueSet {
  at: number;
  account: string;
  knob: Knob;
  level: Level;
}

const INFRA: [FaultKind, number][] = [
  ['kill-replica', 3], ['term-replica', 2], ['kill-all', 0.5], ['pause-replica', 1],
  ['sentinel-failover', 2], ['kill-master', 1], ['redis-restart', 1], ['redis-wipe', 0.5],
  ['smtp-down', 2], ['webhook-down', 2],
];
const API: [FaultKind, number][] = [
  ['api-5xx', 2], ['api-html', 1], ['api-reset', 1], ['api-timeout', 1], ['api-401', 1],
  ['api-429-storm', 2], ['api-odd-fields', 1], ['api-truncated', 1],
];

function weighted(rng: Prng, table: [FaultKind, number][]): FaultKind {
  const total = table.reduce((s, [, w]) => s + w, 0);
  let x = rng.next() * total;
  for (const [k, w] of table) {
    x -= w;
    if (x < 0) return k;
  }
  return table[table.length - 1][0];
}

/** Drives the faults and value moves of a run from seeded streams, and keeps their log. */
export class FaultScheduler {
  readonly log: FaultRecord[] = [];
  readonly sets: ValueSet[] = [];
  /** Faults the harness failed to carry out (each also ends its fault record). */
  readonly harnessErrors: string[] = [];
  private running = true;
  private readonly lanes: Promise<void>[] = [];
  private readonly level = new Map<string, Level>();
  private readonly lastSet = new Map<string, number>();

  constructor(private readonly world: World, private readonly rng: Prng, private readonly say: (line: string) => void) {}

  /** Starts the three lanes: system faults, simulator faults, value moves. */
  start(): void {
    const infra = this.rng.fork('infra');
    const api = this.rng.fork('api');
    const values = this.rng.fork('values');
    this.lanes.push(this.lane(infra, 4000, 12_000, () => this.infraFault(infra)));
    this.lanes.push(this.lane(api, 2000, 8000, () => this.apiFault(api)));
    this.lanes.push(this.lane(values, 500, 2500, async () => this.moveValue(values)));
  }

  /** Stops starting faults and waits until every running one is healed. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.lanes);
  }

  private async lane(rng: Prng, minGap: number, maxGap: number, step: () => Promise<void>): Promise<void> {
    while (this.running) {
      await sleep(rng.int(minGap, maxGap));
      if (!this.running) break;
      try {
        await step();
      } catch (err) {
        // A fault the harness could not carry out (say, Sentinel refused a failover): logged, not hidden.
        const open = this.log.filter((r) => r.end === undefined);
        for (const r of open) { r.detail = `harness error: ${(err as Error).message}`; this.end(r); }
        this.say(`harness error: ${(err as Error).message}`);
        this.harnessErrors.push((err as Error).message);
      }
    }
  }

  private begin(kind: FaultKind, target: string, accounts: string[] = [], extra: Partial<FaultRecord> = {}): FaultRecord {
    const rec: FaultRecord = { n: this.log.length + 1, kind, target, accounts, start: Date.now(), ...extra };
    this.log.push(rec);
    return rec;
  }

  private end(rec: FaultRecord): void {
    rec.end = Date.now();
    this.say(`fault #${rec.n} ${rec.kind} ${rec.target} ${((rec.end - rec.start) / 1000).toFixed(1)} s${rec.detail ? ` (${rec.detail})` : ''}`);
  }

  private async infraFault(rng: Prng): Promise<void> {
    const w = this.world;
    const kind = weighted(rng, INFRA);
    // Replica 0 is the long-lived one whose memory is watched: only kill-all stops it.
    const i = rng.int(1, w.replicas.length - 1);
    const r = w.replicas[i];
    switch (kind) {
      case 'kill-replica':
      case 'term-replica': {
        const rec = this.begin(kind, `replica ${i}`);
        await r.stop(kind === 'kill-replica' ? 'SIGKILL' : 'SIGTERM');
        await sleep(rng.int(500, 8000));
        r.start();
        this.end(rec);
        return;
      }
      case 'kill-all': {
        const rec = this.begin(kind, 'replicas 0-2');
        await Promise.all(w.replicas.map((x) => x.stop('SIGKILL')));
        await sleep(rng.int(500, 5000));
        for (const x of w.replicas) x.start();
        this.end(rec);
        return;
      }
      case 'pause-replica': {
        // Past the 15 s job lock, so its deliveries are taken over as stalled (its polls' leases last 25 s).
        const rec = this.begin(kind, `replica ${i}`);
        r.pause(true);
        await sleep(rng.int(18_000, 25_000));
        r.pause(false);
        this.end(rec);
        return;
      }
      case 'sentinel-failover': {
        const from = await w.redis.masterPort();
        const rec = this.begin(kind, `master ${from}`);
        const to = await w.redis.failover();
        await w.redis.settled();
        rec.detail = `new master ${to}`;
        this.end(rec);
        return;
      }
      case 'kill-master': {
        const port = await w.redis.masterPort();
        const node = w.redis.nodes.find((n) => n.port === port)!;
        const rec = this.begin(kind, `master ${port}`);
        await node.stop('SIGKILL');
        await sleep(rng.int(2000, 8000));
        await node.start();
        await w.redis.settled();
        rec.detail = `master now ${await w.redis.masterPort()}`;
        this.end(rec);
        return;
      }
      case 'redis-restart': {
        const port = await w.redis.masterPort();
        const node = w.redis.nodes.find((n) => n.port === port)!;
        const rec = this.begin(kind, `master ${port}`, [], { detail: 'with its data (AOF)' });
        await node.stop('SIGTERM');
        await node.start();
        await w.redis.settled();
        this.end(rec);
        return;
      }
      case 'redis-wipe': {
        const port = await w.redis.masterPort();
        const rec = this.begin(kind, `master ${port} and replica`, [], { detail: 'both restarted without data' });
        await Promise.all(w.redis.nodes.map((n) => n.stop('SIGKILL')));
        for (const n of w.redis.nodes) n.wipeData();
        const master = w.redis.nodes.find((n) => n.port === port)!;
        await master.start();
        for (const n of w.redis.nodes) await n.start();
        await w.redis.settled();
        this.end(rec);
        return;
      }
      case 'smtp-down':
      case 'webhook-down': {
        const recv = kind === 'smtp-down' ? w.smtp : w.webhook;
        const rec = this.begin(kind, kind === 'smtp-down' ? 'smtp' : 'webhook');
        await recv.down();
        await sleep(rng.int(5000, 40_000));
        await recv.up();
        this.end(rec);
        return;
      }
      default:
        throw new Error(`not a system fault: ${kind}`);
    }
  }

  private async apiFault(rng: Prng): Promise<void> {
    const w = this.world;
    const kind = weighted(rng, API);
    const n = rng.int(1, 3);
    const accounts: string[] = [];
    while (accounts.length < n) {
      const a = rng.pick(w.accounts).id;
      if (!accounts.includes(a)) accounts.push(a);
    }
    const retryAfterS = rng.int(2, 6);
    const spec = (account: string): FaultSpec => {
      switch (kind) {
        case 'api-5xx': return { kind: 'http_5xx', account, status: rng.pick([500, 502, 503, 504]) };
        case 'api-html': return { kind: 'html', account };
        case 'api-reset': return { kind: 'reset', account };
        case 'api-timeout': return { kind: 'slow', account, delayMs: 3000 };
        case 'api-401': return { kind: 'unauthorized', account };
        case 'api-429-storm': return { kind: 'status_429', account, retryAfterSeconds: retryAfterS };
        case 'api-odd-fields': return { kind: 'wrong_shape', account, endpoint: 'balance', shape: rng.pick(['balance_na', 'section_as_list'] as const) };
        case 'api-truncated': return { kind: 'truncated', account };
        default: throw new Error(`not an API fault: ${kind}`);
      }
    };
    const rec = this.begin(kind, accounts.join(','), accounts, kind === 'api-429-storm' ? { retryAfterS } : {});
    const ids = accounts.map((a) => w.sim.setFault(spec(a)).id);
    await sleep(rng.int(3000, 20_000));
    for (const id of ids) w.sim.clearFaults(id);
    this.end(rec);
  }

  /** Moves one account's knob to another level; a knob keeps each level at least 12 s, so the monitor can see it. */
  private moveValue(rng: Prng): void {
    const w = this.world;
    const account = rng.pick(w.accounts).id;
    const knob = rng.pick(KNOBS);
    const key = `${account}/${knob}`;
    const now = Date.now();
    if (now - (this.lastSet.get(key) ?? 0) < 12_000) return;
    const current = this.level.get(key) ?? 'ok';
    const level = rng.pick(LEVELS.filter((l) => l !== current));
    w.sim.updateAccount(account, { balanceDetail: knobPatch(knob, level, now) as never });
    this.level.set(key, level);
    this.lastSet.set(key, now);
    this.sets.push({ at: now, account, knob, level });
  }

  /** Puts every knob back to ok (the end of a run), recording the moves. */
  resetValues(): void {
    const now = Date.now();
    for (const [key, level] of this.level) {
      if (level === 'ok') continue;
      const [account, knob] = key.split('/') as [string, Knob];
      this.world.sim.updateAccount(account, { balanceDetail: knobPatch(knob, 'ok', now) as never });
      this.level.set(key, 'ok');
      this.sets.push({ at: now, account, knob, level: 'ok' });
    }
  }
}
