/** One scale of the benchmark: how many accounts, and how long each phase lasts. */
export interface ScalePlan {
  accounts: number;
  /** Seconds from the monitor's start before the measurement window opens (schedules registered, first burst over). */
  warmupS: number;
  /** Length of the measurement window, seconds. */
  measureS: number;
}

/**
 * Real intervals divided by this factor: balance 5 m → 30 s, userInfo and team 1 h → 6 min, and the
 * OAuth token lifetime 1 h → 6 min. The load is then 10× what the same accounts make in production.
 */
export const COMPRESSION = 10;

/** The compressed intervals, seconds. */
export const INTERVALS_S = { balance: 300 / COMPRESSION, userInfo: 3600 / COMPRESSION, team: 3600 / COMPRESSION };

/** OAuth token lifetime in the simulator, seconds (1 h compressed). */
export const TOKEN_TTL_S = 3600 / COMPRESSION;

/** Every n-th account uses OAuth client credentials; the rest an API key. */
export const OAUTH_EVERY = 10;

/** The scales of a full run and of `--quick`. */
export function scalePlans(quick: boolean): ScalePlan[] {
  return quick
    ? [{ accounts: 100, warmupS: 5, measureS: 30 }, { accounts: 1000, warmupS: 10, measureS: 30 }]
    : [
      { accounts: 100, warmupS: 5, measureS: 60 },
      { accounts: 1000, warmupS: 15, measureS: 90 },
      { accounts: 10_000, warmupS: 30, measureS: 120 },
    ];
}

/** The saturation run (1, 2, 3 workers): accounts, every endpoint every `intervalS`, so one worker cannot keep up. */
export function saturationPlan(quick: boolean): { accounts: number; intervalS: number; warmupS: number; measureS: number; workers: number[] } {
  return quick
    ? { accounts: 1000, intervalS: 1, warmupS: 8, measureS: 20, workers: [1, 2] }
    : { accounts: 2000, intervalS: 1, warmupS: 10, measureS: 40, workers: [1, 2, 3] };
}
