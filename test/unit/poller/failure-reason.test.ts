import {
  ApiError, AuthError, HttpError, InvalidClientError, InvalidResponseError, NetworkError, RateLimitedError, TimeoutError,
} from '../../../src/errors';
import { failureReason } from '../../../src/poller/failure-reason';

describe('the reason label of a failed poll', () => {
  it.each([
    [new TimeoutError('balance', 'connect'), 'timeout'],
    [new NetworkError('balance', 'ECONNREFUSED'), 'network'],
    [new HttpError('balance', 502, 'server error'), 'http_5xx'],
    [new HttpError('balance', 404, 'unexpected status'), 'invalid_response'],
    [new RateLimitedError('balance', 'Too many requests', 429), 'rate_limited'],
    [new AuthError('balance', 'the API key was rejected', 401), 'auth'],
    [new InvalidClientError(), 'auth'],
    [new InvalidResponseError('balance', 'truncated JSON at position 3'), 'invalid_response'],
    [new ApiError('balance', 400, 8, 'No data'), 'invalid_response'],
    [new Error('something else'), 'invalid_response'],
  ])('%s → %s', (err, reason) => {
    expect(failureReason(err)).toBe(reason);
  });
});
