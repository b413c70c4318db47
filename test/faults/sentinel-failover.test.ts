import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { MASTER_NAME, startSentinelSet, type SentinelSet } from '../../bench/soak/sentinel-set';
import { startSimulator } from '../../src/simulator/simulator';
import type { Simulator } from '../../src/simulator/types';
import { accountYaml, logRecords, okPolls, scrapeOk, simAccount, up } from '../helpers/fault-rig';
import { sampleValue } from '../helpers/metrics-text';
import { killAll, spawnCli, type CliProcess } from '../helpers/monitor-env';
import { TestSmtp } from '../helpers/test-smtp';
import { STALLED_CHECK_MS, STALLED_LOCK_MS } from '../../src/stalled-jobs';
import { waitFor } from '../helpers/wait-for';

/**
 * After a failover (asked for, or forced by killing the master) the monitor polls again, serves
 * fresh values and mails an alert crossing within this bound: Sentinel's down-after (1 s) plus its
 * election, plus ioredis's reconnect back-off (at most 2 s), plus a 1 s poll interval, with room.
 */
const RECOVER_MS = 20_000;

/**
 * After a promotion the monitor moves every connection to the new master within this, ms: it hears
 * Sentinel's +switch-master at once rather than waiting for the old master to be demoted (Sentinel
 * does that on its next INFO round, up to 10 s later, and writes made there meanwhile are lost).
 */
const SWITCH_MS = 3000;

/** The monitor's connections on a Redis (normal clients, not Sentinel's nor this probe's). */
async function monitorClients(port: number): Promise<string[]> {
  const r = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
  try {
    const me = String(await r.client('ID'));
    const list = String(await r.call('CLIENT', 'LIST', 'TYPE', 'normal'));
    return list.split('\n').filter(Boolean).filter((l) => !/ name=sentinel-/.test(l) && !l.startsWith(`id=${me} `));
  } finally {
    r.disconnect();
  }
}

const balance = async (url: string) => sampleValue(await scrapeOk(url), 'sendpulse_balance', { account: 'main', kind: 'main' });

describe('Redis Sentinel failover under a running monitor (primary, replica, three Sentinels)', () => {
  let set: SentinelSet;
  let sim: Simulator;
  let smtp: TestSmtp;
  let dir: string;
  let p: CliProcess;
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spm-failover-'));
    set = await startSentinelSet(join(dir, 'redis'));
    sim = await startSimulator({ accounts: [simAccount('main')] });
    smtp = await TestSmtp.start();
    const file = join(dir, 'config.yaml');
    writeFileSync(file, `sendpulse: { baseUrl: "${sim.url}", timeout: 2s }
redis:
  sentinel: { sentinels: [${set.addresses.map((a) => `"${a}"`).join(', ')}], name: ${MASTER_NAME} }
  prefix: fo
server: { host: 127.0.0.1, port: 0 }
accounts:
${accountYaml('main')}
alerts:
  staleAfter: 30
  rules:
    balance: { warning: 10, critical: 2 }
  email: { smtpUrl: "${smtp.url}", from: monitor@example.com, to: [ops@example.com] }
`);
    p = spawnCli(['run', '--config', file]);
    procs.push(p);
    url = await p.url();
    await waitFor('the account up', async () => up(await scrapeOk(url), 'main') === 1, 20_000);
  }, 60_000);
  const procs: CliProcess[] = [];
  afterAll(async () => {
    await killAll(procs);
    await Promise.all([set?.close(), sim?.close(), smtp?.down()]);
    rmSync(dir, { recursive: true, force: true });
  });

  /** The checks after a failover that ended at `t0`: polls, a fresh value in /metrics, one mail for one crossing. */
  async function keepsWorking(t0: number, value: string, subject: RegExp, resumeMs = RECOVER_MS): Promise<void> {
    const mailsBefore = smtp.mails.length;
    await waitFor('successful polls after the failover', () => okPolls(sim, 'main', t0, 'balance') >= 2, resumeMs, 100);
    sim.updateAccount('main', { balanceDetail: { balance: { main: value } } });
    const changed = Date.now();
    await waitFor(`the balance ${value} in /metrics`, async () => (await balance(url)) === Number(value), RECOVER_MS, 100);
    await waitFor('the alert mail', () => smtp.mails.length > mailsBefore, RECOVER_MS, 100);
    expect(Date.now() - changed).toBeLessThan(RECOVER_MS);
    // Five more polls: a second mail for the same crossing would have come by now.
    const after = Date.now();
    await waitFor('five more polls', () => okPolls(sim, 'main', after, 'balance') >= 5, RECOVER_MS, 100);
    const got = smtp.subjects().slice(mailsBefore);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatch(subject);
    expect(p.proc.exitCode).toBeNull();
  }

  it('keeps polling, serving fresh values and mailing a crossing exactly once after SENTINEL FAILOVER', async () => {
    const oldMaster = await set.masterPort();
    const newMaster = await set.failover();
    expect(newMaster).not.toBe(oldMaster);
    await set.settled();
    await keepsWorking(Date.now(), '5.00', /^\[FIRING:warning\] main: balance 5\.00 USD is below 10 USD$/);
  }, 120_000);

  it('moves to the new master as soon as Sentinel promotes it: a crossing right after the promotion is mailed once', async () => {
    await set.settled();
    const oldPort = await set.masterPort();
    expect((await monitorClients(oldPort)).length).toBeGreaterThan(0);
    const newPort = await set.failover();
    const promoted = Date.now();
    // The old master is still a master until Sentinel demotes it; the monitor must not write there meanwhile.
    await waitFor('no monitor connection left on the old master', async () => (await monitorClients(oldPort)).length === 0, SWITCH_MS + 10_000, 50);
    expect(Date.now() - promoted).toBeLessThan(SWITCH_MS);
    const mailsBefore = smtp.mails.length;
    sim.updateAccount('main', { balanceDetail: { balance: { main: '1.00' } } });
    await waitFor('the critical mail', () => smtp.mails.length > mailsBefore, RECOVER_MS, 100);
    // Once the old master is demoted (and any write it took is gone), the alert is not mailed again.
    await set.settled();
    const t = Date.now();
    await waitFor('five more polls', () => okPolls(sim, 'main', t, 'balance') >= 5, RECOVER_MS, 100);
    expect(smtp.subjects().slice(mailsBefore)).toEqual(['[FIRING:critical] main: balance 1.00 USD is below 2 USD']);
    expect(newPort).not.toBe(oldPort);
  }, 120_000);

  it('keeps polling and mails the resolution exactly once after the master is SIGKILLed and Sentinel promotes the replica', async () => {
    const oldPort = await set.masterPort();
    const old = set.nodes.find((n) => n.port === oldPort)!;
    await old.stop('SIGKILL');
    await waitFor('Sentinel to promote the replica', async () => (await set.masterPort()) !== oldPort, RECOVER_MS, 100);
    const t0 = Date.now();
    // A killed master can take the end of the poll that was running with it (replication is
    // asynchronous): the promoted replica still has that job active, and BullMQ's stalled-job check
    // hands it back once its lock expires (src/stalled-jobs.ts: lock + check, ~25 s). The bound is that.
    await keepsWorking(t0, '50.00', /^\[RESOLVED\] main: balance 50\.00 USD/, STALLED_LOCK_MS + STALLED_CHECK_MS + RECOVER_MS / 2);
    // The old master comes back as a replica of the new one; nothing changes for the monitor.
    await old.start();
    await set.settled();
    await keepsWorking(Date.now(), '5.00', /^\[FIRING:warning\] main: balance 5\.00 USD is below 10 USD$/);
    const crashes = logRecords(p.output()).filter((r) => /unhandled|uncaught/i.test(String(r.msg)));
    expect(crashes).toEqual([]);
  }, 180_000);
});
