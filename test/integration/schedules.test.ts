import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { PollSchedule } from '../../src/poller/poll-schedule';
import { sampleBalanceDetail, sampleTeam, sampleUserInfo } from '../../src/simulator/default-accounts';
import { POLL_QUEUE, startMonitor, type Monitor } from '../../src/worker';
import { startMonitorEnv, type MonitorEnv } from '../helpers/monitor-env';
import { waitFor } from '../helpers/wait-for';

const account = (id: string) => ({ id, apiKey: `key-${id}`, userInfo: sampleUserInfo(1, 'A B'), team: sampleTeam(), balanceDetail: sampleBalanceDetail(Date.now()) });
const FAST = 'budget: { perMinute: 600, perDay: 200000, perSecond: 10 }';
const yaml = (names: string[], balance = '1h') => names.map((n) => `
  - name: ${n}
    apiKey: key-${n}
    intervals: { balance: ${balance} }
    ${FAST}`).join('');

describe('poll schedules', () => {
  let env: MonitorEnv;
  let conn: Redis;
  const monitors: Monitor[] = [];
  const start = async (names: string[], prefix: string, balance?: string) => {
    const m = await startMonitor(env.config(yaml(names, balance), '', prefix));
    monitors.push(m);
    await m.started;
    return m;
  };
  /** The poll schedule's members, after checking that the queue has its lane scheduler and no other. */
  const scheduled = async (prefix: string) => {
    const q = new Queue(POLL_QUEUE, { connection: conn, prefix });
    expect((await q.getJobSchedulers(0, -1, true)).map((s) => s.key)).toEqual(['lanes']);
    await q.close();
    return new PollSchedule(conn, prefix).members();
  };

  beforeAll(async () => {
    env = await startMonitorEnv([account('a'), account('b'), account('slow')]);
    conn = new Redis(env.redis.url, { maxRetriesPerRequest: null });
  });
  afterEach(async () => {
    for (const m of monitors.splice(0)) await m.close(1000);
    env.sim.clearFaults();
  });
  afterAll(async () => {
    conn.disconnect();
    await env.close();
  });

  it('keeps one schedule per account and endpoint across restarts and replicas, and removes those of removed accounts', async () => {
    await start(['a', 'b'], 'sched1');
    await start(['a', 'b'], 'sched1'); // a second replica
    expect(await scheduled('sched1')).toEqual(['a:balance', 'a:team', 'a:user_info', 'b:balance', 'b:team', 'b:user_info']);
    for (const m of monitors.splice(0)) await m.close(1000);
    await start(['a'], 'sched1'); // restarted with account b removed from the config
    expect(await scheduled('sched1')).toEqual(['a:balance', 'a:team', 'a:user_info']);
  });

  it('polls a healthy account on time while another one is slow', async () => {
    env.sim.setFault({ kind: 'slow', account: 'slow', delayMs: 1800 });
    await start(['a', 'slow'], 'sched2', '1s');
    env.sim.clearRequests();
    await waitFor('5 s of polling', () => env.sim.requests({ account: 'a', endpoint: 'balance' }).length >= 5, 10000);
    const times = env.sim.requests({ account: 'a', endpoint: 'balance' }).map((r) => r.time);
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    // Every second, unaffected by the other account's 1.8 s answers.
    expect(Math.max(...gaps)).toBeLessThan(1600);
  });
});
