import { request } from 'undici';
import type { World } from './world';

/** A /healthz answer of a replica that was meant to be up (running, not paused, started more than STARTUP_GRACE_MS ago). */
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
  scrapes = 0;
  scrapeFailures = 0;
  private readonly last = new Map<string, number>();
  private timers: NodeJS.Timeout[] = [];
  private inFlight = new Set<number>();

  constructor(private readonly world: World) {}

  start(): void {
    this.timers.push(setInterval(() => { for (const r of this.world.replicas) void this.probe(r.index); }, 1000));
    this.timers.push(setInterval(() => { for (const r of this.world.replicas) r.sampleRss(); }, 5000));
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
  }

  private async probe(i: number): Promise<void> {
    const r = this.world.replicas[i];
    if (this.inFlight.has(i)) return;
    const live = () => r.running() && !r.paused && Date.now() - r.upSince > STARTUP_GRACE_MS;
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
