import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Redis } from 'ioredis';
import { MASTER_NAME, startSentinelSet, type SentinelSet } from '../../bench/soak/sentinel-set';
import type { RedisConfig } from '../../src/config/types';
import { Secret } from '../../src/config/secret';
import { createRedis, type RedisClient } from '../../src/state/redis-connection';
import { waitFor } from '../helpers/wait-for';

/**
 * The race the 60-minute soak hit (docs/soak.md): the master is killed, a connection starts looking
 * the master up again through the Sentinels, and the failover detector hears `+switch-master` while
 * that lookup is still out. Stock ioredis then ends the connection for good ("Connection is closed."
 * on every command until the process restarts). A Sentinel that is stopped (SIGSTOP) holds the lookup
 * open long enough for the failover to land inside it, which makes the race certain.
 */
describe('a Sentinel connection whose master lookup is cut by +switch-master', () => {
  let set: SentinelSet;
  let dir: string;
  const clients: RedisClient[] = [];
  const log = pino({ level: 'silent' });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spm-lookup-race-'));
    set = await startSentinelSet(join(dir, 'redis'));
  }, 60_000);
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    for (const s of set?.sentinels ?? []) s.pause(false);
    await set?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const config = (): RedisConfig => ({
    url: new Secret('redis://unused'),
    prefix: 'race',
    allowEviction: false,
    shards: 1,
    sentinel: { sentinels: set.addresses.map((a) => ({ host: a.split(':')[0], port: Number(a.split(':')[1]), tls: false })), name: MASTER_NAME },
  });

  it('connects again to the promoted master instead of ending for good, and so do its duplicates', async () => {
    const c = createRedis(config(), log, { name: 'race-state' });
    clients.push(c);
    await c.set('k', 'before');
    // BullMQ's worker connections are duplicates of the one it is given.
    const dup = (c as Redis).duplicate();
    clients.push(dup);
    await dup.get('k');

    const oldPort = await set.masterPort();
    const watcher = new Redis({ port: set.sentinels[1].port, host: '127.0.0.1' });
    const switched = new Promise<void>((resolve) => {
      watcher.on('message', (channel) => { if (channel === '+switch-master') resolve(); });
    });
    await watcher.subscribe('+switch-master');
    const asker = new Redis({ port: set.sentinels[2].port, host: '127.0.0.1' });
    try {
      // The first Sentinel is asked first on every lookup: stopped, it holds the lookups open.
      set.sentinels[0].pause(true);
      await set.nodes.find((n) => n.port === oldPort)!.stop('SIGKILL');
      await switched;
      // The connections' failover detectors got the same message from the running Sentinels; the
      // round trips to another Sentinel (which learns the new master a moment later) make sure it
      // has been read before the held lookups are let go.
      let newPort = oldPort;
      await waitFor('the other running sentinel to name the new master', async () => {
        newPort = Number(((await asker.call('SENTINEL', 'get-master-addr-by-name', MASTER_NAME)) as string[])[1]);
        return newPort !== oldPort;
      }, 20_000, 50);
      set.sentinels[0].pause(false);

      for (const conn of [c, dup]) {
        await waitFor('the connection to write on the new master', async () => (await conn.set('k', 'after').catch(() => null)) === 'OK', 20_000, 100);
      }
      expect(await c.get('k')).toBe('after');
      expect(await set.masterPort()).toBe(newPort);
    } finally {
      set.sentinels[0].pause(false);
      watcher.disconnect();
      asker.disconnect();
    }
  }, 90_000);

  it('stays closed once closed on purpose', async () => {
    const c = createRedis(config(), log, { name: 'race-closed' });
    await c.ping();
    const ended = new Promise<void>((resolve) => c.once('end', () => resolve()));
    c.disconnect();
    await ended;
    // The reconnect back-off is at most 2 s: after it, a connection that came back would be 'ready'.
    await expect(waitFor('a reconnect', () => c.status !== 'end', 3000, 100)).rejects.toThrow();
    expect(c.status).toBe('end');
  }, 30_000);
});
