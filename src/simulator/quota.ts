import type { PlanTier } from '../config/types';
import type { SimQuota } from './types';

/** The reference's quotas per plan tier (requests per minute and per day). */
export const PLAN_QUOTAS: Record<PlanTier, { perMinute: number; perDay: number }> = {
  free: { perMinute: 1000, perDay: 500_000 },
  standard: { perMinute: 2000, perDay: 1_000_000 },
  enterprise: { perMinute: 3000, perDay: 3_000_000 },
};

/** The API's hard limit: more than 10 requests in any second answers error 2020202020. */
export const DEFAULT_PER_SECOND = 10;

/** The quota of an account: its overrides over its tier's numbers. */
export function resolveQuota(plan: PlanTier, overrides: SimQuota = {}): Required<SimQuota> {
  return {
    perMinute: overrides.perMinute ?? PLAN_QUOTAS[plan].perMinute,
    perDay: overrides.perDay ?? PLAN_QUOTAS[plan].perDay,
    perSecond: overrides.perSecond ?? DEFAULT_PER_SECOND,
    retryAfterHeader: overrides.retryAfterHeader ?? false,
  };
}

/** Why a request was refused, and the seconds until the window that refused it has room. */
export type QuotaVerdict = { ok: true } | { ok: false; window: 'second' | 'minute' | 'day'; retryAfterSeconds: number };

/**
 * One account's use of its quota, O(1) per request. The minute and day are fixed clock windows
 * (UTC), as the reference counts "per minute" and "per day"; the 10/s rule is a sliding second
 * ("in any second"), kept as a ring of the last accepted arrival times. Only accepted requests
 * count, so a client that stops when refused gets room again when the window turns.
 */
export class QuotaCounter {
  #ring: Float64Array = new Float64Array(0);
  #next = 0;
  #minute = -1;
  #minuteCount = 0;
  #day = -1;
  #dayCount = 0;

  /** Decides on one request at `now` and, when it is accepted, counts it. */
  take(quota: Required<SimQuota>, now: number): QuotaVerdict {
    if (this.#ring.length !== quota.perSecond) {
      this.#ring = new Float64Array(quota.perSecond).fill(-Infinity);
      this.#next = 0;
    }
    // The slot about to be overwritten holds the arrival perSecond requests ago.
    const oldest = this.#ring[this.#next] ?? -Infinity;
    if (quota.perSecond > 0 && now - oldest < 1000) {
      return { ok: false, window: 'second', retryAfterSeconds: Math.max(1, Math.ceil((oldest + 1000 - now) / 1000)) };
    }
    const minute = Math.floor(now / 60_000);
    if (minute !== this.#minute) {
      this.#minute = minute;
      this.#minuteCount = 0;
    }
    if (this.#minuteCount >= quota.perMinute) {
      return { ok: false, window: 'minute', retryAfterSeconds: Math.max(1, Math.ceil(((minute + 1) * 60_000 - now) / 1000)) };
    }
    const day = Math.floor(now / 86_400_000);
    if (day !== this.#day) {
      this.#day = day;
      this.#dayCount = 0;
    }
    if (this.#dayCount >= quota.perDay) {
      return { ok: false, window: 'day', retryAfterSeconds: Math.max(1, Math.ceil(((day + 1) * 86_400_000 - now) / 1000)) };
    }
    if (this.#ring.length > 0) {
      this.#ring[this.#next] = now;
      this.#next = (this.#next + 1) % this.#ring.length;
    }
    this.#minuteCount++;
    this.#dayCount++;
    return { ok: true };
  }

  /** Requests accepted in the current minute and day windows. */
  used(now: number): { minute: number; day: number } {
    return {
      minute: Math.floor(now / 60_000) === this.#minute ? this.#minuteCount : 0,
      day: Math.floor(now / 86_400_000) === this.#day ? this.#dayCount : 0,
    };
  }
}
