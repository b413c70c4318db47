import { AUTH_BACKOFF_MIN_MS } from '../../src/poller/auth-backoff';
import { accountYaml, logRecords, okPolls, pollErrors, scrapeOk, simAccount, startFaultRig, up, type FaultRig } from '../helpers/fault-rig';
import { sampleValue } from '../helpers/metrics-text';
import { waitFor } from '../helpers/wait-for';

/**
 * A 401 storm: SendPulse rejects everything an OAuth account sends. `all` gets 401 on every endpoint
 * (the token endpoint then says invalid_client); `data` gets a fresh token but 401 on every data
 * call. Each is renewed at most once per poll, then paused (1 min, shared in Redis), never looped;
 * the API-key account goes on. Polling resumes within the pause plus one interval after it clears.
 */
describe('a 401 storm on OAuth accounts', () => {
  let rig: FaultRig;

  beforeAll(async () => {
    rig = await startFaultRig([simAccount('all'), simAccount('data'), simAccount('key')]);
  });
  afterAll(() => rig?.close());

  it('renews the token at most once per poll, pauses the account instead of looping, and resumes after the pause', async () => {
    const p = rig.run(rig.config({ accounts: accountYaml('all', { oauth: true }) + accountYaml('data', { oauth: true }) + accountYaml('key'),
      // `stale` would rightly fire too during a pause longer than 30 intervals; this test is about `credentials`.
      staleAfter: 120 }));
    const url = await p.url();
    await waitFor('all three accounts up', async () => {
      const s = await scrapeOk(url);
      return ['all', 'data', 'key'].every((a) => up(s, a) === 1);
    }, 20000);
    const logFrom = p.output().length;
    const stormAt = Date.now();
    rig.sim.setFault({ kind: 'unauthorized', account: 'all' });
    for (const endpoint of ['user_info', 'team', 'balance'] as const) rig.sim.setFault({ kind: 'unauthorized', account: 'data', endpoint });

    const s = await waitFor('both OAuth accounts marked failing', async () => {
      const now = await scrapeOk(url);
      return ['all', 'data'].every((a) => sampleValue(now, 'sendpulse_credentials_valid', { account: a }) === 0 && up(now, a) === 0) && now;
    }, 10000);
    for (const a of ['all', 'data']) expect(pollErrors(s, a, 'auth')).toBeGreaterThanOrEqual(1);

    // Watch for 8 s more: a loop would show as a stream of requests; a pause shows as none.
    const watchFrom = Date.now();
    await waitFor('8 s of the storm', () => Date.now() - watchFrom >= 8000 && okPolls(rig.sim, 'key', watchFrom) >= 8 * 3 - 3, 12000, 200);
    for (const a of ['all', 'data']) {
      const reqs = rig.sim.requests({ account: a, since: stormAt });
      const tokens = reqs.filter((r) => r.endpoint === 'oauth_token').length;
      const failedPolls = pollErrors(s, a, 'auth');
      // At most one renewal per failed poll (three endpoints may fail at once), never one per retry.
      expect(tokens).toBeLessThanOrEqual(failedPolls);
      expect(tokens).toBeLessThanOrEqual(3);
      expect(tokens).toBeGreaterThanOrEqual(1); // the cached token was dropped and renewal tried
      // Paused: nothing at all was sent for the account while we watched.
      expect(rig.sim.requests({ account: a, since: watchFrom })).toEqual([]);
      expect(reqs.length).toBeLessThanOrEqual(9);
    }
    // One clear log line per account, not one per poll; the other account went on meanwhile.
    const rejected = logRecords(p.output(), logFrom).filter((r) => /^credentials rejected/.test(String(r.msg)));
    expect(rejected.map((r) => r.account).sort()).toEqual(['all', 'data']);
    expect(up(await scrapeOk(url), 'key')).toBe(1);

    rig.sim.clearFaults();
    // The pause is 1 min from the first rejection; the next poll (1 s interval) after it succeeds.
    await waitFor('both OAuth accounts up again', async () => {
      const now = await scrapeOk(url);
      return ['all', 'data'].every((a) => sampleValue(now, 'sendpulse_credentials_valid', { account: a }) === 1 && up(now, a) === 1);
    }, AUTH_BACKOFF_MIN_MS + 15000, 250);
    expect(Date.now() - stormAt).toBeLessThan(AUTH_BACKOFF_MIN_MS + 6000);
    expect(logRecords(p.output(), logFrom).filter((r) => /^credentials accepted again/.test(String(r.msg))).map((r) => r.account).sort())
      .toEqual(['all', 'data']);

    // The credentials alert is a true alert here: one FIRING and one RESOLVED per account, nothing else.
    await waitFor('the resolved mails', () => rig.smtp.subjects().filter((x) => x.startsWith('[RESOLVED]')).length === 2, 15000);
    expect([...rig.smtp.subjects()].sort()).toEqual([
      '[FIRING:critical] all: authentication with SendPulse is failing',
      '[FIRING:critical] data: authentication with SendPulse is failing',
      '[RESOLVED] all: authentication with SendPulse works again',
      '[RESOLVED] data: authentication with SendPulse works again',
    ]);
    expect(p.proc.exitCode).toBeNull();
  }, 100_000);
});
