import type { FaultSpec } from '../../src/simulator/types';
import { accountYaml, logRecords, okPolls, pollErrors, scrapeOk, simAccount, startFaultRig, up, type FaultRig } from '../helpers/fault-rig';
import { sampleValue } from '../helpers/metrics-text';
import type { CliProcess } from '../helpers/monitor-env';
import { waitFor } from '../helpers/wait-for';

/** Every endpoint is polled each second, so the next good poll after a fault clears is at most ~1 s away. */
const RECOVERY_MS = 5000;

/**
 * One `run` process watching two accounts while SendPulse misbehaves for one of them (or for both,
 * when it stops answering at all). sendpulse.timeout is 1 s, so a 3 s answer is a timeout.
 */
describe('a running monitor while the SendPulse API misbehaves', () => {
  let rig: FaultRig;
  let p: CliProcess;
  let url: string;

  beforeAll(async () => {
    rig = await startFaultRig([simAccount('main'), simAccount('other')]);
    p = rig.run(rig.config({ accounts: accountYaml('main') + accountYaml('other'), timeout: '1s' }));
    url = await p.url();
    await waitFor('both accounts up', async () => {
      const s = await scrapeOk(url);
      return up(s, 'main') === 1 && up(s, 'other') === 1;
    }, 20000);
  });
  afterEach(() => {
    rig.sim.clearFaults();
    expect(p.proc.exitCode).toBeNull();
    // No value crossed a threshold (50 against 10 and 2), so no mail; `stale` needs 30 missed intervals.
    expect(rig.smtp.subjects()).toEqual([]);
  });
  afterAll(() => rig?.close());

  /** Injects the fault, waits for it to show, checks what a user relies on meanwhile, clears it, times the recovery. */
  async function faultAndRecover(fault: FaultSpec, reason: string, failing: string[]): Promise<void> {
    const base = await scrapeOk(url);
    const logFrom = p.output().length;
    const since = Date.now();
    const id = rig.sim.setFault(fault).id;
    // The three failing polls can be one round of the three endpoints, a few ms apart: the other
    // account's round of that second may not have been answered yet, so its three polls are waited for too.
    const others = failing.includes('other') ? 0 : 3;
    const s = await waitFor(`three polls failing with reason ${reason}${others ? ', and three good ones of the other account' : ''}`, async () => {
      const now = await scrapeOk(url);
      return failing.every((a) => pollErrors(now, a, reason) >= pollErrors(base, a, reason) + 3 && up(now, a) === 0)
        && okPolls(rig.sim, 'other', since) >= others && now;
    }, 15000);
    for (const a of failing) {
      // The last good value stays: a broken answer never turns into a 0 or a NaN.
      expect(sampleValue(s, 'sendpulse_balance', { account: a, kind: 'main' })).toBe(50);
      const lines = logRecords(p.output(), logFrom).filter((r) => r.account === a && r.reason === reason);
      expect(lines.length).toBeGreaterThan(0);
      expect(String(lines[0].msg)).toMatch(/^poll failed: /);
    }
    if (!failing.includes('other')) {
      // The failing account holds nobody up: the other one kept being polled and stays up.
      expect(okPolls(rig.sim, 'other', since)).toBeGreaterThanOrEqual(3);
      expect(up(s, 'other')).toBe(1);
    }
    rig.sim.clearFaults(id);
    const cleared = Date.now();
    await waitFor('the account up again', async () => {
      const now = await scrapeOk(url);
      return failing.every((a) => up(now, a) === 1);
    }, RECOVERY_MS + 5000);
    expect(Date.now() - cleared).toBeLessThan(RECOVERY_MS);
  }

  it.each<[string, string, FaultSpec]>([
    ['an nginx 502 page', 'http_5xx', { kind: 'http_5xx' }],
    ['a 503 page', 'http_5xx', { kind: 'http_5xx', status: 503 }],
    ['a 200 with an HTML maintenance page', 'invalid_response', { kind: 'html' }],
    ['truncated JSON', 'invalid_response', { kind: 'truncated' }],
    ['an object for the team list', 'invalid_response', { kind: 'wrong_shape', endpoint: 'team' }],
    ['a list for the user info object', 'invalid_response', { kind: 'wrong_shape', endpoint: 'user_info' }],
  ])('answered with %s: counted as %s, last values kept, no alert, back within 5 s', async (_what, reason, fault) => {
    await faultAndRecover({ ...fault, account: 'main' }, reason, ['main']);
  });

  it.each<[string, FaultSpec, number, string]>([
    ['every section as a list', { kind: 'wrong_shape', shape: 'section_as_list', endpoint: 'balance' }, 4, 'balance'],
    ['a balance of "n/a"', { kind: 'wrong_shape', shape: 'balance_na', endpoint: 'balance' }, 1, 'balance.main'],
  ])('answered with %s: the poll succeeds, the odd part is unreadable and counted, nothing made up, no alert, read again within 5 s', async (_what, fault, unreadable, field) => {
    const logFrom = p.output().length;
    const id = rig.sim.setFault({ ...fault, account: 'main' }).id;
    const s = await waitFor('the unreadable fields to show', async () => {
      const now = await scrapeOk(url);
      return sampleValue(now, 'sendpulse_response_unreadable_fields', { account: 'main', endpoint: 'balance' }) === unreadable && now;
    }, 15000);
    // Not a failed poll: the answer was read, and what could not be read has no sample (never the old value shown as current).
    expect(up(s, 'main')).toBe(1);
    expect(sampleValue(s, 'sendpulse_balance', { account: 'main', kind: 'main' })).toBeUndefined();
    expect(sampleValue(s, 'sendpulse_response_field_errors_total', { endpoint: 'balance', field })).toBeGreaterThanOrEqual(1);
    expect(up(s, 'other')).toBe(1);
    const lines = logRecords(p.output(), logFrom).filter((r) => r.account === 'main' && r.field === field);
    expect(lines).toHaveLength(1);
    expect(String(lines[0].msg)).not.toContain('n/a');
    rig.sim.clearFaults(id);
    const cleared = Date.now();
    await waitFor('the balance read again', async () => sampleValue(await scrapeOk(url), 'sendpulse_balance', { account: 'main', kind: 'main' }) === 50, RECOVERY_MS + 5000);
    expect(Date.now() - cleared).toBeLessThan(RECOVERY_MS);
  });

  it('answers slower than sendpulse.timeout (3 s against 1 s) count as timeouts and hold up no other account', async () => {
    await faultAndRecover({ kind: 'slow', delayMs: 3000, account: 'main' }, 'timeout', ['main']);
  });

  it('a socket reset with no answer counts as a network error', async () => {
    await faultAndRecover({ kind: 'reset', account: 'main' }, 'network', ['main']);
  });

  it('refused connections (the API gone) count as network errors; polling resumes within 5 s when it is back on the same port', async () => {
    const base = await scrapeOk(url);
    const logFrom = p.output().length;
    const stopped = await rig.stopSimulator();
    const s = await waitFor('both accounts failing with reason network', async () => {
      const now = await scrapeOk(url);
      return ['main', 'other'].every((a) => pollErrors(now, a, 'network') >= pollErrors(base, a, 'network') + 3 && up(now, a) === 0) && now;
    }, 15000);
    expect(sampleValue(s, 'sendpulse_balance', { account: 'main', kind: 'main' })).toBe(50);
    expect(logRecords(p.output(), logFrom).some((r) => r.reason === 'network' && /ECONNREFUSED/.test(String(r.msg)))).toBe(true);
    await stopped.start();
    const back = Date.now();
    await waitFor('both accounts up again', async () => {
      const now = await scrapeOk(url);
      return up(now, 'main') === 1 && up(now, 'other') === 1;
    }, RECOVERY_MS + 5000);
    expect(Date.now() - back).toBeLessThan(RECOVERY_MS);
  });

  it('the alert path was live all along: a real crossing still sends exactly one mail', async () => {
    // Without this, "no mail" above could also mean that alerts never worked.
    rig.sim.updateAccount('main', { balanceDetail: { balance: { main: '5.00' } } });
    await waitFor('the warning mail', () => rig.smtp.mails.length === 1, 15000);
    const t = Date.now();
    await waitFor('three more balance polls', () => okPolls(rig.sim, 'main', t, 'balance') >= 3, 10000);
    expect(rig.smtp.subjects()).toEqual(['[FIRING:warning] main: balance 5.00 USD is below 10 USD']);
    rig.smtp.mails.length = 0; // afterEach checks for unexpected mails only
  });
});
