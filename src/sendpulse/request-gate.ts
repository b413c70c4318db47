/**
 * What the client asks before and after every HTTP request; the budget (src/budget/request-budget.ts)
 * implements it. `take` throws BudgetExhaustedError when the account has no room now.
 */
export interface RequestGate {
  take(account: string): Promise<void>;
  /** A 429 / 2020202020 was seen; returns the pause in ms. */
  penalize(account: string, retryAfterMs?: number): Promise<number>;
  succeeded(account: string): Promise<void>;
}

/** A gate that lets everything through (tools like `check` that make a handful of requests). */
export const OPEN_GATE: RequestGate = {
  take: async () => undefined,
  penalize: async (_a, retryAfterMs) => retryAfterMs ?? 0,
  succeeded: async () => undefined,
};
