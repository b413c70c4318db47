import { InvalidResponseError } from '../../../src/errors';
import { decodeJsonBody } from '../../../src/sendpulse/decode-body';

/** The error decodeJsonBody throws for a body, or a failure when it does not throw one. */
function errorFor(text: string, contentType: string | undefined = 'application/json', status = 200): InvalidResponseError {
  try {
    decodeJsonBody('balance', status, contentType, text);
  } catch (err) {
    if (err instanceof InvalidResponseError) return err;
    throw err;
  }
  throw new Error(`no error for ${JSON.stringify(text)}`);
}

describe('bodies that are JSON', () => {
  it('returns the parsed value of a JSON body', () => {
    expect(decodeJsonBody('balance', 200, 'application/json', '{"balance":{"main":"9.36"}}')).toEqual({ balance: { main: '9.36' } });
    expect(decodeJsonBody('team', 200, 'application/json', ' [ ] \n')).toEqual([]);
  });

  it('reads JSON whatever the content type says, since proxies mislabel bodies', () => {
    expect(decodeJsonBody('team', 200, 'text/html', '[{"id":1}]')).toEqual([{ id: 1 }]);
    expect(decodeJsonBody('team', 200, undefined, '[{"id":1}]')).toEqual([{ id: 1 }]);
  });

  it('accepts a UTF-8 byte order mark before the JSON', () => {
    expect(decodeJsonBody('user_info', 200, 'application/json', '\ufeff{"id":1}')).toEqual({ id: 1 });
  });
});

describe('bodies that are not JSON become an invalid response naming the endpoint and the problem', () => {
  it('names an HTML error page and its title', () => {
    const err = errorFor('<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>', 'text/html; charset=utf-8', 502);
    expect(err.message).toBe('balance: invalid response: got an HTML page (text/html, title "502 Bad Gateway") instead of JSON');
    expect(err.endpoint).toBe('balance');
    expect(err.status).toBe(502);
  });

  it('names an HTML page that arrives without a content type', () => {
    expect(() => decodeJsonBody('balance', 200, undefined, '\n<!DOCTYPE html><p>maintenance</p>')).toThrow(
      'balance: invalid response: got an HTML page (no content type) instead of JSON',
    );
  });

  it('names a broken body labelled text/html as an HTML page', () => {
    expect(errorFor('Error 503 { backend }', 'text/html').message).toBe('balance: invalid response: got an HTML page (text/html) instead of JSON');
  });

  it('names an empty body', () => {
    expect(errorFor('').message).toBe('balance: invalid response: empty body (application/json) instead of JSON');
    expect(errorFor(' \r\n ').message).toBe('balance: invalid response: empty body (application/json) instead of JSON');
  });

  it.each([
    ['{"balance":{"main":"9.36","bonus":"5.00","cur', 45],
    ['{"a":', 5],
    ['{"a":"abc', 9],
    ['{"a":tru', 8],
    ['[1,2', 4],
    ['{"a":1.', 7],
    ['{"a":1e', 7],
    ['"\\u12', 5],
    ['-', 1],
  ])('names truncated JSON %j with the position where it stops', (text, position) => {
    expect(errorFor(text).message).toBe(`balance: invalid response: truncated JSON at position ${position}`);
  });

  it.each([
    ['{"a":1 x}', 7],
    ['[1,2,]', 5],
    ['{,}', 1],
    ['{"a":trux}', 8],
    ['{"a":"x\\q"}', 8],
    ['{"a":01}', 6],
    ['{"a":1}}', 7],
    ['{"a":"tab\there"}', 9],
    ["{'a':1}", 1],
  ])('names malformed JSON %j with the position of the fault', (text, position) => {
    expect(errorFor(text).message).toBe(`balance: invalid response: malformed JSON at position ${position}`);
  });

  it('quotes the start of a plain-text answer, on one line and at most 80 characters', () => {
    const text = `Service Unavailable\r\n\tThe server is temporarily unable to service your request. ${'x'.repeat(5000)}`;
    const err = errorFor(text, 'text/plain');
    expect(err.message).toBe(
      'balance: invalid response: not JSON (text/plain): starts with "Service Unavailable The server is temporarily unable to service your request. xx…"',
    );
  });

  it('never quotes a JSON-shaped body, which may carry an access token', () => {
    const token = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsImp0aSI6IjI5NTQ4NDVjZWJlZjg5Nzk0';
    for (const text of [`{"access_token":"${token}`, `{"access_token":"${token}" "token_type"}`, `["${token}",]`]) {
      const err = errorFor(text);
      expect(err.message).not.toContain(token.slice(0, 12));
    }
  });

  it('finds the fault in deeply nested JSON without running out of stack', () => {
    const text = `${'['.repeat(200_000)}x`;
    expect(errorFor(text).message).toBe('balance: invalid response: malformed JSON at position 200000');
  });
});
