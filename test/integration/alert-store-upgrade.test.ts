import { AlertStore } from '../../src/alerts/alert-store';
import { INITIAL_ALERT_STATE } from '../../src/alerts/alert-types';
import { usePrivateRedis } from '../helpers/redis-server';

/** Upgrading from 0.1 (one hash per alert) keeps every alert's state: nothing fires again as new. */
describe('alert state kept across the upgrade to one hash per account', () => {
  const conn = usePrivateRedis();

  it('moves every 0.1 alert hash into its account hash once, keeping its state and version', async () => {
    const r = conn();
    const firing = { ...INITIAL_ALERT_STATE, severity: 'critical', sinceMs: 1000, lastNotifiedMs: 1000, seq: 3 };
    await r.hset('up:alert:main:balance:balance', 'state', JSON.stringify(firing), 'ver', '7');
    await r.hset('up:alert:main:unreadable:push.end_date', 'state', JSON.stringify({ ...INITIAL_ALERT_STATE, pendingSeverity: 'warning', pendingCount: 1 }), 'ver', '2');
    await r.hset('up:alert:shop-2:stale:balance', 'state', JSON.stringify(INITIAL_ALERT_STATE), 'ver', '1');
    await r.set('up:alert-notes', 'x'); // not an alert hash: left alone
    const store = new AlertStore(r, 'up');
    expect(await store.migrateOldStates()).toBe(3);
    expect(await r.keys('up:alert:*')).toEqual([]);
    expect(await r.get('up:alert-notes')).toBe('x');
    const [bal, unread, stale] = await store.load([
      { account: 'main', rule: 'balance', service: 'balance' },
      { account: 'main', rule: 'unreadable', service: 'push.end_date' },
      { account: 'shop-2', rule: 'stale', service: 'balance' },
    ]);
    expect(bal).toEqual({ state: firing, ver: 7 });
    expect(unread.state.pendingSeverity).toBe('warning');
    expect(stale.ver).toBe(1);
    // A transition goes on from the migrated version; a second migration finds nothing.
    expect(await store.compareAndSet('main', 'balance', 'balance', 7, { ...firing, severity: 'warning', seq: 4 }, null)).toBe(true);
    expect(await store.migrateOldStates()).toBe(0);
    expect((await store.load([{ account: 'main', rule: 'balance', service: 'balance' }]))[0]).toMatchObject({ ver: 8, state: { severity: 'warning', seq: 4 } });
  });
});
