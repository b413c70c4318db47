/**
 * How long before expiry an OAuth token is renewed: 10 % of its lifetime, at most 5 minutes. Proportional
 * so that short-lived tokens (seconds, in tests or if SendPulse ever shortens them) are renewed in time
 * too; capped so an hour-long token is used for 55 of its 60 minutes (SendPulse asks clients to request a
 * new token only when the current one expires).
 */
export function renewMarginMs(lifetimeMs: number): number {
  return Math.min(Math.max(0, lifetimeMs) * 0.1, 5 * 60_000);
}

/** The moment (ms epoch) from which a token obtained at `obtainedAtMs` living `lifetimeMs` should be renewed. */
export function renewAtMs(obtainedAtMs: number, lifetimeMs: number): number {
  return obtainedAtMs + lifetimeMs - renewMarginMs(lifetimeMs);
}
