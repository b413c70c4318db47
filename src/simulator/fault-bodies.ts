import { STATUS_CODES } from 'node:http';
import { isPlainObject } from './deep-merge';
import type { Json, SimEndpoint, WrongShape } from './types';

/** The error page nginx sends for a 5xx, byte for byte the shape of its default pages. */
export function nginxErrorPage(status: number): string {
  const title = `${status} ${STATUS_CODES[status] ?? 'Error'}`;
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n`
    + '<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';
}

/** A 200 HTML page where JSON was expected: a maintenance page such as a CDN or proxy serves. */
export function maintenancePage(): string {
  return '<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>SendPulse | Maintenance</title></head>\n'
    + '<body>\n<h1>We are updating our service</h1>\n<p>SendPulse will be back in a few minutes.</p>\n</body>\n</html>\n';
}

/** The JSON text cut in the middle, so that it cannot be parsed (always at least one byte short). */
export function truncateJson(text: string): string {
  return text.slice(0, Math.max(1, Math.floor(text.length / 2)));
}

const DEFAULT_SHAPE: Record<SimEndpoint, WrongShape> = {
  balance: 'section_as_list',
  team: 'object_for_list',
  user_info: 'list_for_object',
  oauth_token: 'string_body',
};

/**
 * The body turned into a documented-looking but wrong shape: a section as a list, a balance of
 * "n/a", an object where a list belongs and the reverse, or a bare string.
 */
export function wrongShape(endpoint: SimEndpoint, body: Json, shape: WrongShape = DEFAULT_SHAPE[endpoint]): Json {
  switch (shape) {
    case 'section_as_list': {
      if (!isPlainObject(body)) return [body];
      const out: { [k: string]: Json } = {};
      for (const [k, v] of Object.entries(body)) out[k] = isPlainObject(v) ? Object.values(v) : v;
      return out;
    }
    case 'balance_na': {
      const b = isPlainObject(body) ? body : {};
      const section = isPlainObject(b.balance) ? b.balance : { bonus: '0.00', currency: 'USD' };
      return { ...b, balance: { ...section, main: 'n/a' } };
    }
    case 'object_for_list':
      return { data: body };
    case 'list_for_object':
      return [body];
    case 'string_body':
      return 'OK';
  }
}
