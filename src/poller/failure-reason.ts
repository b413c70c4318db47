import { ErrorCodes, SpmError } from '../errors';
import type { FailureReason } from '../state/reading-store';

/** The `reason` label for a failed poll. Behaviour switches on error codes, never on messages. */
export function failureReason(err: unknown): FailureReason {
  if (!(err instanceof SpmError)) return 'invalid_response';
  switch (err.code) {
    case ErrorCodes.TIMEOUT: return 'timeout';
    case ErrorCodes.NETWORK: return 'network';
    case ErrorCodes.RATE_LIMITED: return 'rate_limited';
    case ErrorCodes.AUTH:
    case ErrorCodes.INVALID_CLIENT: return 'auth';
    case ErrorCodes.HTTP: return (err.status ?? 0) >= 500 ? 'http_5xx' : 'invalid_response';
    case ErrorCodes.TOKEN_BUSY: return 'auth';
    default: return 'invalid_response';
  }
}
