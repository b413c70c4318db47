/**
 * SendPulse's documented `error_code` values and their meaning, word for word from the reference's
 * "Error codes" table (../shared/sendpulse-api.txt), so a log line or an alert says what SendPulse meant.
 */

/** The reference's error code table: code → its description. */
export const API_ERROR_MESSAGES: Readonly<Record<number, string>> = Object.freeze({
  8: 'No data',
  10: 'Sender email address missing',
  11: 'Can’t find recipients addresses',
  13: 'Empty email message content field',
  14: 'Can’t find email address with the specified ID',
  17: 'Can’t find the email address',
  19: 'Email address already exists',
  20: 'Using free email services (not allowed)',
  21: 'No such email address awaiting activation',
  97: 'Invalid email address type. Using free email services is not allowed.',
  201: 'Empty mailing list name',
  203: 'This mailing list name already exists',
  211: 'Mailing list empty',
  213: 'Mailing list not found',
  303: 'Can’t find email addresses in the mailing list',
  400: 'Specified SMTP user doesn’t exist. Create an SMTP account.',
  502: 'Can’t find the email address',
  602: 'Can’t find the campaign. Probably, it has already been sent.',
  701: 'Sender email address or name not specified.',
  703: 'Can’t find the mailing list',
  704: 'Can’t find the sender',
  // The reference has a stray no-break space in "balance depleted"; a plain space here.
  707: 'Account balance depleted',
  708: 'The number of campaign recipients exceeds your current pricing plan limits',
  711: 'Wait before create new push campaign by this website',
  720: 'Empty subject field',
  721: 'Email message empty',
  722: 'Mailing list ID not specified',
  791: 'API-campaigns limit exceeded (4 per hour)',
  799: 'Incorrect date format. Use YYYY-MM-DD hh:ii:ss that equals or greater than the current date',
  800: 'Invalid operation',
  802: 'Campaign not found',
  901: 'Sender name not specified',
  902: 'Selected email address already in use',
  903: 'Sender email address not specified',
  904: 'Email address blacklisted',
  905: 'Sender address quota reached',
  906: 'Email address syntax error',
  1101: 'Email address not specified',
  1003: 'The specified sender doesn’t exist',
  1004: 'The activation code has been sent. Wait 15 minutes to retry',
  1005: 'Error sending confirmation',
  1104: 'Activation code not specified',
  2020202020: 'More than 10 requests per second',
});

const MAX_FALLBACK = 200;

/**
 * Returns a readable message for a SendPulse `error_code`: the reference's text when documented, else
 * `fallback` (the answer's own message, cut at 200 characters and flattened to one line), else a
 * generic "undocumented SendPulse error N".
 */
export function describeApiError(code: number, fallback?: string): string {
  const known = Object.prototype.hasOwnProperty.call(API_ERROR_MESSAGES, code) ? API_ERROR_MESSAGES[code] : undefined;
  if (known !== undefined) return known;
  // eslint-disable-next-line no-control-regex
  const flat = fallback?.replace(/[\u0000-\u001f\u007f-\u009f\s]+/g, ' ').trim();
  if (flat) return flat.length > MAX_FALLBACK ? `${flat.slice(0, MAX_FALLBACK)}…` : flat;
  return `undocumented SendPulse error ${code}`;
}
