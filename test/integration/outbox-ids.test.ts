import { AlertStore } from '../../src/alerts/alert-store';
import { usePrivateRedis } from '../helpers/redis-server';

/** A delivery reads its own alert's ids from the outbox, not every id (HSCAN MATCH on a real redis-server). */
describe('the outbox ids of one alert', () => {
  const redis = usePrivateRedis();

  it('finds every notification of the alert among thousands of others, names with glob characters included', async () => {
    const conn = redis();
    const store = new AlertStore(conn, 'obx');
    const mine = 'shop*[1]?\\x.balance.balance';
    const fields: string[] = [];
    for (let i = 0; i < 5000; i++) fields.push(`acct-${i}.stale.balance.1`, '{}');
    fields.push(`${mine}.3`, '{}', `${mine}.7`, '{}', 'shopA1Bx.balance.balance.2', '{}', `${mine}2.4`, '{}');
    await conn.hset(store.outboxKey, ...fields);
    // `shopA1Bx…` would match the name as a glob pattern; `…balance2.4` is another alert with the same start.
    expect((await store.outboxIdsOf(mine)).sort()).toEqual([`${mine}.3`, `${mine}.7`]);
    expect(await store.outboxIdsOf('nobody.balance.balance')).toEqual([]);
  });
});
