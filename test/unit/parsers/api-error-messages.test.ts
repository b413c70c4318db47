import { API_ERROR_MESSAGES, describeApiError } from '../../../src/sendpulse/api-error-messages';

describe('SendPulse error codes read as the reference describes them', () => {
  it('holds the whole error table of the reference', () => {
    expect(Object.keys(API_ERROR_MESSAGES)).toHaveLength(43);
    expect(API_ERROR_MESSAGES[8]).toBe('No data');
    expect(API_ERROR_MESSAGES[707]).toBe('Account balance depleted');
    expect(API_ERROR_MESSAGES[791]).toBe('API-campaigns limit exceeded (4 per hour)');
    expect(API_ERROR_MESSAGES[1104]).toBe('Activation code not specified');
    expect(API_ERROR_MESSAGES[2020202020]).toBe('More than 10 requests per second');
  });

  it('describes a documented code with the reference text, whatever the answer said', () => {
    expect(describeApiError(707, 'balance low')).toBe('Account balance depleted');
    expect(describeApiError(2020202020)).toBe('More than 10 requests per second');
  });

  it("falls back to the answer's own message for an undocumented code", () => {
    expect(describeApiError(401, 'Unauthorized!')).toBe('Unauthorized!');
  });

  it('keeps a fallback message to one line of at most 200 characters', () => {
    const described = describeApiError(999, `line one\nline two\u0000 ${'y'.repeat(1000)}`);
    expect(described.startsWith('line one line two y')).toBe(true);
    expect(described).not.toMatch(/[\n\u0000]/);
    expect(described.length).toBeLessThanOrEqual(201);
  });

  it('says the code is undocumented when there is nothing else to say', () => {
    expect(describeApiError(12345)).toBe('undocumented SendPulse error 12345');
    expect(describeApiError(12345, '  ')).toBe('undocumented SendPulse error 12345');
  });

  it('does not mistake object properties for error codes', () => {
    expect(describeApiError(Number('constructor'))).toBe('undocumented SendPulse error NaN');
  });
});
