import { request } from 'undici';
import type { World } from './world';

/** A /healthz answer of a replica that was meant to be up (running, not paused, not told to stop, started more than STARTUP_GRACE_MS ago). */
export interface HealthProbe {
  at: number;
  replica: number;
  ok: boolean;
  ms: number;
  error?: string;
}

/** The balance of an account as one replica's /metrics showed it, recorded when it changed. */
export interface SeenValue {
  at: number;
  replica: number;
  account: string;
  value: number;
}

/** A time the harness's own event loop was blocked (GC, a long check): arrival times recorded then are late by up to `ms`. */
export interface HarnessStall {
  at: number;
  ms: number;
}

/** The harness's event loop counts as stalled when a 100 ms timer fires this much late, ms. */
export const STALL_MS = 250;

/** A replica may take this long after its start to listen (node start-up, config, Redis). */
export const STARTUP_GRACE_MS = 8000;
/** How long a probe may take before it counts as unanswered. */
export const PROBE_TIMEOUT_MS = 3000;

const BALANCE = /^sendpulse_balance\{([^}]*)\} (\S+)$/gm;

async function get(url: string): Promise<{ status: number; text: string }> {
  const res = await request(url, { headersTimeout: PROBE_TIMEOUT_MS, bodyTimeout: PROBE_TIMEOUT_MS });
  return { status: res.statusCode, text: await res.body.text() };
}

/** Probes /healthz and scrapes /metrics of every live replica each second, and samples RSS every 5 s. */
export class Recorder {
  readonly health: HealthProbe[] = [];
  readonly seen: SeenValue[] = [];
  /**
   * The harness's own stalls. The simulator runs in this process and stamps a request when its handler
   * runs, so requests sent during a stall all get the stall's end as their arrival time: a budget
   * window over a stall is not a measurement of the monitor.
   */
  readonly stalls: HarnessStall[] = [];
  scrapes = 0;
  scrapeFailures = 0;
  private readonly last = new Map<string, number>();
  private timers: NodeJS.Timeout[] = [];
  private inFlight = new Set<number>();

  constructor(private readonly world: World) {}

  start(): void {
    this.timers.push(setInterval(() => { for (const r of this.world.replicas) void this.probe(r.index); }, 1000));
    this.timers.push(setInterval(() => { for (const r of this.world.replicas) r.sampleRss(); }, 5000));
    let last = Date.now();
    this.timers.push(setInterval(() => {
      const now = Date.now();
      const late = now - last - 100;
      if (late > STALL_MS) this.stalls.push({ at: last + 100, ms: late });
      last = now;
    }, 100));
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
  }

  private async probe(i: number): Promise<void> {
    const r = this.world.replicas[i];
    if (this.inFlight.has(i)) return;
    const live = () => r.running() && !r.paused && !r.stopping() && Date.now() - r.upSince > STARTUP_GRACE_MS;
    if (!live()) return;
    this.inFlight.add(i);
    const t0 = Date.now();
    try {
      const h = await get(`${r.url}/healthz`);
      if (live()) this.health.push({ at: t0, replica: i, ok: h.status === 200, ms: Date.now() - t0, error: h.status === 200 ? undefined : `status ${h.status}` });
      const m = await get(`${r.url}/metrics`);
      this.scrapes++;
      if (m.status !== 200) { this.scrapeFailures++; return; }
      const at = Date.now();
      for (const x of m.text.matchAll(BALANCE)) {
        if (!x[1].includes('kind="main"')) continue;
        const account = /account="([^"]+)"/.exec(x[1])?.[1];
        if (!account) continue;
        const value = Number(x[2]);
        const key = `${i}/${account}`;
        if (this.last.get(key) !== value) {
          this.last.set(key, value);
          this.seen.push({ at, replica: i, account, value });
        }
      }
    } catch (err) {
      // A replica paused or killed mid-probe is not a failure of the replica's liveness.
      if (live() && Date.now() - t0 < 60_000) this.health.push({ at: t0, replica: i, ok: false, ms: Date.now() - t0, error: (err as Error).message });
    } finally {
      this.inFlight.delete(i);
    }
  }
}
