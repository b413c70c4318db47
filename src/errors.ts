/**
 * The project's error classes. Each has a stable `code`; behaviour switches on `code`, never on
 * message text (the habit of undici's lib/core/errors.js). Messages never contain secrets.
 */

/** Stable error codes. */
export const ErrorCodes = {
  CONFIG: 'SPM_ERR_CONFIG',
  AUTH: 'SPM_ERR_AUTH',
  INVALID_CLIENT: 'SPM_ERR_INVALID_CLIENT',
  RATE_LIMITED: 'SPM_ERR_RATE_LIMITED',
  INVALID_RESPONSE: 'SPM_ERR_INVALID_RESPONSE',
  TIMEOUT: 'SPM_ERR_TIMEOUT',
  NETWORK: 'SPM_ERR_NETWORK',
  HTTP: 'SPM_ERR_HTTP',
  API: 'SPM_ERR_API',
  BUDGET: 'SPM_ERR_BUDGET',
  TOKEN_BUSY: 'SPM_ERR_TOKEN_BUSY',
  DELIVERY_REJECTED: 'SPM_ERR_DELIVERY_REJECTED',
  DELIVERY_FAILED: 'SPM_ERR_DELIVERY_FAILED',
  DELIVERY_BUSY: 'SPM_ERR_DELIVERY_BUSY',
  LISTEN: 'SPM_ERR_LISTEN',
  REDIS_CONFIG: 'SPM_ERR_REDIS_CONFIG',
  CLOSING: 'SPM_ERR_CLOSING',
} as const;
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** Base class: every error the project throws on purpose is one of these. */
export class SpmError extends Error {
  readonly code: ErrorCode;
  readonly endpoint?: string;
  readonly status?: number;
  constructor(code: ErrorCode, message: string, opts: { endpoint?: string; status?: number; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.endpoint = opts.endpoint;
    this.status = opts.status;
  }
}

/** A configuration that cannot be used; `problems` holds one line per problem, each naming its key path. */
export class ConfigError extends SpmError {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(ErrorCodes.CONFIG, `invalid configuration:\n  ${problems.join('\n  ')}`);
    this.problems = problems;
  }
}

/** The API answered something that is not the documented shape (HTML, truncated JSON, wrong types). */
export class InvalidResponseError extends SpmError {
  constructor(endpoint: string, problem: string, status?: number) {
    super(ErrorCodes.INVALID_RESPONSE, `${endpoint}: invalid response: ${problem}`, { endpoint, status });
  }
}

/** A 401 that survived one token renewal, or a 401/403 on a static API key. */
export class AuthError extends SpmError {
  constructor(endpoint: string, message: string, status?: number) {
    super(ErrorCodes.AUTH, `${endpoint}: authentication failed: ${message}`, { endpoint, status });
  }
}

/** The OAuth server rejected the client id / secret (`invalid_client`): retrying cannot fix it. */
export class InvalidClientError extends SpmError {
  constructor(message = 'client credentials rejected (invalid_client)') {
    super(ErrorCodes.INVALID_CLIENT, `oauth_token: ${message}`, { endpoint: 'oauth_token', status: 401 });
  }
}

/** SendPulse said 429 or error 2020202020; `retryAfterMs` is from the Retry-After header when present. */
export class RateLimitedError extends SpmError {
  readonly retryAfterMs?: number;
  constructor(endpoint: string, message: string, status: number, retryAfterMs?: number) {
    super(ErrorCodes.RATE_LIMITED, `${endpoint}: rate limited: ${message}`, { endpoint, status });
    this.retryAfterMs = retryAfterMs;
  }
}

/** Connect, headers or body timeout. */
export class TimeoutError extends SpmError {
  constructor(endpoint: string, message: string) {
    super(ErrorCodes.TIMEOUT, `${endpoint}: timeout: ${message}`, { endpoint });
  }
}

/** Connection refused, reset, DNS failure. */
export class NetworkError extends SpmError {
  constructor(endpoint: string, message: string, cause?: unknown) {
    super(ErrorCodes.NETWORK, `${endpoint}: network error: ${message}`, { endpoint, cause });
  }
}

/** A non-2xx answer that is not auth or rate limiting (5xx, 404, ...). */
export class HttpError extends SpmError {
  constructor(endpoint: string, status: number, message: string) {
    super(ErrorCodes.HTTP, `${endpoint}: HTTP ${status}: ${message}`, { endpoint, status });
  }
}

/** A documented SendPulse `error_code` in the answer; the message is the reference's text. */
export class ApiError extends SpmError {
  readonly apiCode: number;
  constructor(endpoint: string, status: number, apiCode: number, message: string) {
    super(ErrorCodes.API, `${endpoint}: SendPulse error ${apiCode}: ${message}`, { endpoint, status });
    this.apiCode = apiCode;
  }
}

/** The account's request budget has no room now; `delayMs` says when it will. Not a failure. */
export class BudgetExhaustedError extends SpmError {
  readonly delayMs: number;
  /** `second`, `minute`, `day`, `pause` (after a 429), or `credentials` (the account's credential back-off). */
  readonly window: string;
  constructor(account: string, window: string, delayMs: number) {
    super(ErrorCodes.BUDGET, window === 'credentials'
      ? `${account}: polling paused while the credentials are rejected; next try in ${delayMs} ms`
      : `${account}: request budget for this ${window} used up; next room in ${delayMs} ms`);
    this.delayMs = delayMs;
    this.window = window;
  }
}

/**
 * A notification channel refused the message in a way retrying cannot fix (a 4xx other than 429: a
 * wrong URL, a revoked webhook, a bad bot token, a payload the service refuses). `reason` is the
 * service's own words (secrets cut out); the notification is not retried for this channel.
 */
export class DeliveryRejectedError extends SpmError {
  readonly channel: string;
  readonly reason: string;
  constructor(channel: string, reason: string, status?: number) {
    super(ErrorCodes.DELIVERY_REJECTED, `${channel}: rejected: ${reason}`, { endpoint: channel, status });
    this.channel = channel;
    this.reason = reason;
  }
}

/**
 * A delivery that may work later: network error, timeout, 5xx, or 429. `retryAfterMs` is what the
 * service asked us to wait (Retry-After header or its JSON), undefined when it said nothing.
 */
export class DeliveryFailedError extends SpmError {
  readonly channel: string;
  readonly reason: string;
  readonly retryAfterMs?: number;
  constructor(channel: string, reason: string, opts: { status?: number; retryAfterMs?: number } = {}) {
    super(ErrorCodes.DELIVERY_FAILED, `${channel}: ${reason}`, { endpoint: channel, status: opts.status });
    this.channel = channel;
    this.reason = reason;
    this.retryAfterMs = opts.retryAfterMs;
  }
}

/** Another worker is delivering notifications of the same alert (it holds the alert's delivery lock): try again shortly. */
export class DeliveryBusyError extends SpmError {
  readonly alert: string;
  constructor(alert: string) {
    super(ErrorCodes.DELIVERY_BUSY, `another worker is delivering notifications of ${alert}`);
    this.alert = alert;
  }
}

/**
 * Some channels of a notification failed in a way worth retrying (the others got it or refused it
 * for good). `retryAfterMs` is the longest wait a service asked for; `rateLimitedOnly` is true when
 * every failure was a 429, so the retry is a wait the services asked for rather than an outage.
 */
export class NotificationRetryError extends SpmError {
  readonly failures: DeliveryFailedError[];
  readonly retryAfterMs?: number;
  readonly rateLimitedOnly: boolean;
  constructor(failures: DeliveryFailedError[]) {
    super(ErrorCodes.DELIVERY_FAILED, failures.map((f) => f.message).join('; '));
    this.failures = failures;
    const waits = failures.map((f) => f.retryAfterMs).filter((w): w is number => w !== undefined);
    this.retryAfterMs = waits.length > 0 ? Math.max(...waits) : undefined;
    this.rateLimitedOnly = failures.length > 0 && failures.every((f) => f.status === 429 && f.retryAfterMs !== undefined);
  }
}

/** The HTTP server could not listen (port in use, no permission, address not on this machine); `address` is host:port. */
export class ListenError extends SpmError {
  readonly address: string;
  constructor(address: string, message: string, cause?: unknown) {
    super(ErrorCodes.LISTEN, `cannot listen on ${address}: ${message}`, { cause });
    this.address = address;
  }
}

/** Redis is set up in a way the monitor refuses to run on (an eviction policy other than noeviction); the message says the fix. */
export class RedisConfigError extends SpmError {
  constructor(message: string) {
    super(ErrorCodes.REDIS_CONFIG, message);
  }
}

/** The monitor was closed while it was still starting: what was starting stopped, nothing failed. */
export class ClosingError extends SpmError {
  constructor() {
    super(ErrorCodes.CLOSING, 'the monitor is closing');
  }
}

/** True when `err` is one of ours with that code. */
export function hasCode(err: unknown, code: ErrorCode): err is SpmError {
  return err instanceof SpmError && err.code === code;
}
