import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidResponseError } from '../../../src/errors';
import { ENDPOINTS } from '../../../src/sendpulse/endpoints';
import { FIXTURES, fixtureMetrics, readFixture } from '../../helpers/fixture-metrics';

/**
 * Every recorded body under test/fixtures/<endpoint>/ goes through the same path as a live answer
 * (decodeJsonBody, then the endpoint's field table, dates in UTC) and must give exactly the /metrics
 * text in <name>.prom beside it (the families with samples, then `# unreadable` comments), or, for a
 * body that fails the poll as a whole, exactly the error in <name>.error. Compared exactly, as
 * node_exporter's e2e-output.txt is; UPDATE_FIXTURES=1 rewrites them (review the diff).
 */

const BODY = /\.(json|txt|html)$/;
const UPDATE = process.env.UPDATE_FIXTURES === '1';

describe.each(ENDPOINTS)('fixtures of %s', (endpoint) => {
  const dir = join(FIXTURES, endpoint);
  const bodies = readdirSync(dir).filter((f) => BODY.test(f)).sort();

  it('has exactly one expected outcome for every body, and no outcome without a body', () => {
    const outcomes = readdirSync(dir).filter((f) => !BODY.test(f)).sort();
    const expected = bodies.map((b) => b.replace(BODY, readFixture(endpoint, b) instanceof Error ? '.error' : '.prom')).sort();
    if (!UPDATE) expect(outcomes).toEqual(expected);
  });

  it.each(bodies)('%s gives the expected /metrics text or error', async (file) => {
    const got = readFixture(endpoint, file);
    const out = join(dir, file.replace(BODY, got instanceof Error ? '.error' : '.prom'));
    const text = got instanceof InvalidResponseError ? `${got.message}\n` : await fixtureMetrics(endpoint, got);
    if (UPDATE || !existsSync(out)) writeFileSync(out, text);
    expect(text).toBe(readFileSync(out, 'utf8'));
    if (got instanceof InvalidResponseError) {
      expect(got.code).toBe('SPM_ERR_INVALID_RESPONSE');
      expect(got.endpoint).toBe(endpoint);
    } else {
      // promtool check metrics reads stdin and exits non-zero on problems.
      execFileSync('promtool', ['check', 'metrics'], { input: text });
    }
  });
});

describe('personal data', () => {
  it('keeps no name, e-mail or phone from /user/info in the reading', () => {
    const text = JSON.stringify(readFixture('user_info', 'reference.json'));
    for (const personal of ['Frodo', 'Baggins', 'frodo.baggins@shire.me', '380680899608', 'Hobbiton', 'avatars']) {
      expect(text).not.toContain(personal);
    }
  });

  it('never quotes a phone number or e-mail address in a problem about it', () => {
    const r = readFixture('user_info', 'unreadable-phone-is-an-object.json');
    expect(JSON.stringify(r)).not.toContain('380680899608');
    const team = readFixture('team', 'reference.json');
    expect(JSON.stringify(team)).not.toMatch(/harrington|@|3806/);
  });
});
