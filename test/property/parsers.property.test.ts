import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { InvalidResponseError } from '../../src/errors';
import { decodeJsonBody } from '../../src/sendpulse/decode-body';
import { ENDPOINT_DEFS, type Endpoint } from '../../src/sendpulse/endpoints';
import type { Reading } from '../../src/sendpulse/readings';
import { parseZonedDateTime } from '../../src/sendpulse/zoned-time';
import { decodeAccount } from '../../src/state/reading-store';
import { renderedFamilies } from '../helpers/fixture-metrics';

/**
 * Whatever SendPulse (or a proxy in front of it) sends, a parser gives a reading the metrics can
 * use (every number finite, every value of its field's kind) or the project's InvalidResponseError:
 * never a TypeError, a RangeError or a NaN. And one odd value never costs another field its value.
 * Run counts are kept small enough for the whole file to take a few seconds.
 */

const RUNS = 400;
const ZONES = ['UTC', 'Pacific/Auckland', 'Europe/Kyiv', 'America/St_Johns', 'Asia/Kathmandu'] as const;

/** Fails unless `r` is a reading: values of known fields only, each null or of a JSON scalar kind, numbers finite; problems named by path. */
function checkReading(endpoint: Endpoint, r: Reading): void {
  const known = new Set(ENDPOINT_DEFS[endpoint].fields.map((f) => f.path));
  expect(Object.keys(r).sort()).toEqual(['unreadable', 'values']);
  for (const [path, v] of Object.entries(r.values)) {
    expect([path, known.has(path)]).toEqual([path, true]);
    expect(v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))).toBe(true);
  }
  for (const p of r.unreadable) expect(typeof p.path === 'string' && typeof p.problem === 'string' && p.problem.length > 0).toBe(true);
}

/** Parses `body` as `endpoint`; the reading (checked), or undefined after an InvalidResponseError; rethrows anything else. */
function parsesOrRejects(endpoint: Endpoint, body: unknown, zone: string): Reading | undefined {
  let reading: Reading;
  try {
    reading = ENDPOINT_DEFS[endpoint].parse(body, { timeZone: zone });
  } catch (err) {
    if (err instanceof InvalidResponseError) {
      expect(err.endpoint).toBe(endpoint);
      return undefined;
    }
    throw err;
  }
  checkReading(endpoint, reading);
  return reading;
}

// Shaped bodies: documented shapes with values of the documented kinds (or null, or left out), and
// the same with one field, section or member swapped for anything at all. One spoiled value in an
// otherwise good body is what reaches the end of a parser, where a NaN or a 0 would show.
const wallTime = fc
  .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2100-12-31T23:59:59Z'), noInvalidDate: true })
  .chain((d) => fc.constantFrom(d.toISOString().slice(0, 19).replace('T', ' '), d.toISOString().slice(0, 10)));
const garbage = fc.oneof(
  fc.constantFrom('', 'n/a', '1e999', ' 12 ', '2019-02-30', '0x1F', 'NaN', '-', '.', 'Infinity', '١٢', '12abc', '1,5', -1, 0.5),
  fc.double(),
  fc.string({ maxLength: 10 }),
  fc.jsonValue({ maxDepth: 2 }),
);
const orNull = (good: fc.Arbitrary<unknown>) => fc.oneof({ arbitrary: good, weight: 6 }, { arbitrary: fc.constant(null), weight: 1 });
const amount = fc.double({ min: -1e6, max: 1e9, noNaN: true });
const money = orNull(fc.oneof(amount.map((n) => n.toFixed(2)), amount, fc.integer().map(String)));
const count = orNull(fc.oneof(fc.nat(), fc.nat().map(String)));
const date = orNull(fc.oneof({ arbitrary: wallTime, weight: 8 }, { arbitrary: fc.constantFrom('0000-00-00', '0000-00-00 00:00:00'), weight: 1 }));
const flag = orNull(fc.constantFrom(0, 1, '0', '1', true, false));
const text = orNull(fc.string({ maxLength: 20 }));
const id = fc.oneof(fc.integer({ min: 1, max: 2 ** 40 }), fc.integer({ min: 1, max: 2 ** 40 }).map(String));
const phone = orNull(fc.oneof(fc.string({ maxLength: 15 }), fc.nat()));
const object = (fields: Record<string, fc.Arbitrary<unknown>>, requiredKeys: string[] = []) => fc.record(fields, { requiredKeys });
const traffic = orNull(fc.tuple(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.constantFrom('b', 'Kb', 'Mb', 'Gb', 'mb', 'TB'), fc.constantFrom('', ' '))
  .map(([n, unit, space]) => `${n.toFixed(2)}${space}${unit}`));
const tariff = (endKey: string) => ({ tariff_name: text, [endKey]: date, auto_renew: flag });
const goodBody: { [E in Endpoint]: fc.Arbitrary<unknown> } = {
  balance: object({
    balance: orNull(object({ main: money, bonus: money, currency: text })),
    email: orNull(object({ ...tariff('finished_time'), emails_left: count, maximum_subscribers: count, current_subscribers: count, is_unique_type: flag })),
    smtp: orNull(object({ ...tariff('end_date'), email_qty: count, email_qty_left: count, qty_per_hour: count, traffic_limit: traffic, traffic_limit_left: traffic })),
    push: orNull(object(tariff('end_date'))),
  }),
  user_info: object(
    { id, name: text, email: text, phone, avatar: text, currency: text, country: text, time_zone: text, locale: text },
    ['id'],
  ),
  team: fc.array(object({ id, email: text, group_id: orNull(id), is_active: flag, avatar: text, phone }, ['id']), { maxLength: 6 }),
};

/** Every place in a body a value can sit (object keys and list items, at any depth), as key paths. */
function slots(v: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (v === null || typeof v !== 'object') return [];
  const keys: (string | number)[] = Array.isArray(v) ? v.map((_, i) => i) : Object.keys(v);
  return keys.flatMap((k) => [[...at, k], ...slots((v as Record<string | number, unknown>)[k], [...at, k])]);
}

/** A copy of `body` with the value at one of its slots (picked by `n`) replaced by `bad`. */
function spoil(body: unknown, n: number, bad: unknown): unknown {
  const all = slots(body);
  if (all.length === 0) return bad;
  const path = all[n % all.length];
  const copy = structuredClone(body) as Record<string | number, unknown>;
  let parent = copy;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  parent[path[path.length - 1]] = bad;
  return copy;
}

const shapedBody: { [E in Endpoint]: fc.Arbitrary<unknown> } = Object.fromEntries(
  (Object.keys(goodBody) as Endpoint[]).map((e) => [
    e,
    fc.oneof(goodBody[e], fc.tuple(goodBody[e], fc.nat(), garbage).map(([body, n, bad]) => spoil(body, n, bad))),
  ]),
) as { [E in Endpoint]: fc.Arbitrary<unknown> };

const endpoint = fc.constantFrom<Endpoint>('user_info', 'team', 'balance');
const zone = fc.constantFrom(...ZONES);
const contentType = fc.constantFrom(undefined, 'application/json', 'application/json; charset=utf-8', 'text/html', 'text/plain');

describe('parsers on any input', () => {
  it('give a valid reading or an InvalidResponseError for any JSON value', () => {
    fc.assert(fc.property(endpoint, fc.jsonValue(), zone, (e, body, z) => void parsesOrRejects(e, body, z)), { numRuns: RUNS });
  });

  it('give a valid reading or an InvalidResponseError for any body shaped like the documented one', () => {
    fc.assert(
      fc.property(endpoint.chain((e) => fc.tuple(fc.constant(e), shapedBody[e])), zone, ([e, body], z) => void parsesOrRejects(e, body, z)),
      { numRuns: RUNS * 2 },
    );
  });

  it('give a valid reading or an InvalidResponseError for any byte string as a body, with a short message', () => {
    const bytes = fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b).toString('utf8'));
    const cutJson = fc.tuple(endpoint.chain((e) => shapedBody[e]), fc.nat()).map(([v, n]) => {
      const text = JSON.stringify(v) ?? '';
      return text.slice(0, n % (text.length + 1));
    });
    const body = fc.oneof(bytes, fc.string({ unit: 'binary', maxLength: 200 }), fc.json(), cutJson);
    fc.assert(
      fc.property(endpoint, contentType, fc.integer({ min: 100, max: 599 }), body, zone, (e, type, status, text, z) => {
        let decoded: unknown;
        try {
          decoded = decodeJsonBody(e, status, type, text);
        } catch (err) {
          if (!(err instanceof InvalidResponseError)) throw err;
          // The message never carries more than a short quote of the body.
          expect(err.message.length).toBeLessThan(200);
          expect(err.status).toBe(status);
          return;
        }
        void parsesOrRejects(e, decoded, z);
      }),
      { numRuns: RUNS * 2 },
    );
  });
});

/** The field paths of a body shaped like `endpoint`'s where a value can be put: every read field and every section. */
function fieldSlots(endpoint: Endpoint): string[] {
  const paths = ENDPOINT_DEFS[endpoint].fields.filter((f) => f.read).map((f) => f.path);
  return [...new Set([...paths, ...paths.filter((p) => p.includes('.')).map((p) => p.split('.')[0])])];
}

/** A copy of `body` with `value` put at the dotted `path` (sections made on the way). */
function putAt(body: unknown, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(body) as Record<string, unknown>;
  const keys = path.split('.');
  let node = copy;
  for (const k of keys.slice(0, -1)) {
    if (typeof node[k] !== 'object' || node[k] === null || Array.isArray(node[k])) node[k] = {};
    node = node[k] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
  return copy;
}

describe('one odd value', () => {
  it('leaves every other field of the reading as it was, and its metrics pass promtool', () => {
    const readings: Reading[] = [];
    const objectEndpoint = fc.constantFrom<Endpoint>('balance', 'user_info');
    fc.assert(
      fc.property(objectEndpoint.chain((e) => fc.tuple(fc.constant(e), goodBody[e], fc.constantFrom(...fieldSlots(e)))), fc.jsonValue({ maxDepth: 2 }), zone,
        ([e, good, path], odd, z) => {
          const before = ENDPOINT_DEFS[e].parse(good, { timeZone: z });
          const after = parsesOrRejects(e, putAt(good, path, odd), z);
          expect(after).toBeDefined();
          const touched = (p: string) => p === path || p.startsWith(`${path}.`);
          for (const [p, v] of Object.entries(before.values)) if (!touched(p)) expect([p, after!.values[p]]).toEqual([p, v]);
          // Putting a field into a section the good body left out brings that section in: its other fields read as null.
          const section = path.split('.')[0];
          const sectionWas = (good as Record<string, unknown>)[section];
          const broughtIn = path.includes('.') && (typeof sectionWas !== 'object' || sectionWas === null || Array.isArray(sectionWas));
          for (const p of Object.keys(after!.values)) {
            if (touched(p)) continue;
            if (broughtIn && p.startsWith(`${section}.`)) expect([p, after!.values[p]]).toEqual([p, null]);
            else expect([p, p in before.values]).toEqual([p, true]);
          }
          // Problems are about the spoiled path only (the good body's own odd values aside).
          const newProblems = after!.unreadable.filter((q) => !before.unreadable.some((b) => b.path === q.path));
          for (const q of newProblems) expect([q.path, touched(q.path) || path.startsWith(`${q.path}.`)]).toEqual([q.path, true]);
          if (e === 'balance') readings.push(after!);
        }),
      { numRuns: RUNS },
    );
    // Every reading as /metrics renders it, one account each, in one exposition checked by promtool.
    const states = readings.map((r) => decodeAccount({ 'balance.reading': JSON.stringify(r), 'balance.success': '1767225600000', 'balance.ok': '1' }));
    return renderedFamilies(new Map(states.map((st, i) => [`a${i}`, st]))).then((families) => {
      const text = families.map((f) => f.text()).join('');
      expect(text).toContain('sendpulse_response_unreadable_fields');
      execFileSync('promtool', ['check', 'metrics'], { input: text });
    });
  });
});

describe('zoned dates on any instant', () => {
  const formatters = new Map(
    ZONES.map((z) => [
      z,
      new Intl.DateTimeFormat('sv-SE', { timeZone: z, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }),
    ]),
  );
  // sv-SE formats as "2024-03-31 04:30:00", SendPulse's own layout.
  const wallClock = (seconds: number, z: string) => formatters.get(z as (typeof ZONES)[number])!.format(new Date(seconds * 1000));

  it('read back the wall time they were written as, at that instant or an hour before in an autumn overlap', () => {
    const instant = fc.integer({ min: Date.parse('1971-01-01T00:00:00Z') / 1000, max: Date.parse('2099-12-31T00:00:00Z') / 1000 });
    fc.assert(
      fc.property(instant, zone, (t, z) => {
        const wall = wallClock(t, z);
        const parsed = parseZonedDateTime(wall, z, 'x');
        expect(wallClock(parsed, z)).toBe(wall);
        expect(t - parsed === 0 || (t - parsed > 0 && t - parsed <= 3600)).toBe(true);
      }),
      { numRuns: RUNS * 2 },
    );
  });
});
