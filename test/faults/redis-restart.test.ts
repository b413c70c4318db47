import { accountYaml, logRecords, okPolls, scrapeOk, simAccount, startFaultRig, up, type FaultRig } from '../helpers/fault-rig';
import type { CliProcess } from '../helpers/monitor-env';
import { waitFor } from '../helpers/wait-for';

/** Issue 2: polling comes back within 30 s after Redis returns, also when it lost its data. */
const RESUME_MS = 30_000;
/** /metrics answers within this while Redis is down: half of Prometheus' default scrape_timeout. */
const SCRAPE_MS = 5000;

async function readyz(url: string): Promise<number> {
  return (await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5000) })).status;
}

/** Starts a monitor on the rig and waits for its first good polls. */
async function startWatching(rig: FaultRig): Promise<{ p: CliProcess; url: string }> {
  const p = rig.run(rig.config({ accounts: accountYaml('main') }));
  const url = await p.url();
  await waitFor('the account up', async () => up(await scrapeOk(url), 'main') === 1, 20000);
  expect(await readyz(url)).toBe(200);
  return { p, url };
}

/** SIGKILLs Redis and checks what a user sees meanwhile: process up, /metrics answering, /readyz 503, a log line. */
async function killRedis(rig: FaultRig, p: CliProcess, url: string): Promise<void> {
  const logFrom = p.output().length;
  await rig.redis.stop(true);
  await waitFor('/readyz to say not ready', async () => (await readyz(url)) === 503, 10000);
  expect(await (await fetch(`${url}/readyz`)).text()).toMatch(/^not ready: /);
  // The process's own counters are still served, and fast enough for Prometheus (scrape_timeout
  // defaults to 10 s): the account gauges (read from Redis) may be missing. Three scrapes, since the
  // first ones fall before the Redis client's reconnect back-off has grown.
  for (let i = 0; i < 3; i++) {
    const t0 = Date.now();
    const s = await scrapeOk(url, 20_000);
    expect(Date.now() - t0).toBeLessThan(SCRAPE_MS);
    expect(s.some((x) => x.name === 'sendpulse_api_requests_total' && x.labels.account === 'main')).toBe(true);
  }
  await waitFor('a log line about Redis', () => logRecords(p.output(), logFrom).some((r) => /redis/i.test(String(r.msg))), 10000);
  expect(p.proc.exitCode).toBeNull();
}

describe('Redis killed (SIGKILL) and restarted under a running monitor', () => {
  let rig: FaultRig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  it('without its data: the monitor stays up, says not ready, and re-creates its schedules and polls again within 30 s', async () => {
    rig = await startFaultRig([simAccount('main')]);
    const { p, url } = await startWatching(rig);
    await killRedis(rig, p, url);
    await rig.redis.start(); // empty: no AOF, no snapshot
    const back = Date.now();
    await waitFor('polling and readiness back', async () => okPolls(rig!.sim, 'main', back, 'balance') >= 1
      && up(await scrapeOk(url), 'main') === 1 && (await readyz(url)) === 200, RESUME_MS + 5000, 250);
    expect(Date.now() - back).toBeLessThan(RESUME_MS);
    expect(p.output()).toContain('"why":"redis lost its data"');
    expect(rig.smtp.subjects()).toEqual([]);
    expect(p.proc.exitCode).toBeNull();
  });

  it('with its data (AOF): polling resumes within 30 s and a firing alert is not mailed again', async () => {
    rig = await startFaultRig([simAccount('main')], { appendonly: true });
    const { p, url } = await startWatching(rig);
    rig.sim.updateAccount('main', { balanceDetail: { balance: { main: '5.00' } } });
    await waitFor('the warning mail', () => rig!.smtp.mails.length === 1, 15000);
    // A few more polls, so the alert state has been written out to the AOF (fsync every second).
    const fired = Date.now();
    await waitFor('three more balance polls', () => okPolls(rig!.sim, 'main', fired, 'balance') >= 3, 10000);
    await killRedis(rig, p, url);
    await rig.redis.start();
    const back = Date.now();
    await waitFor('polling and readiness back', async () => okPolls(rig!.sim, 'main', back, 'balance') >= 1
      && up(await scrapeOk(url), 'main') === 1 && (await readyz(url)) === 200, RESUME_MS + 5000, 250);
    expect(Date.now() - back).toBeLessThan(RESUME_MS);
    // The schedules survived with the data: nothing had to be re-created.
    expect(p.output()).not.toContain('redis lost its data');
    const resumed = Date.now();
    await waitFor('five polls after the restart', () => okPolls(rig!.sim, 'main', resumed, 'balance') >= 5, 15000);
    expect(rig.smtp.subjects()).toEqual(['[FIRING:warning] main: balance 5.00 USD is below 10 USD']);
    expect(p.proc.exitCode).toBeNull();
  });
});
