import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { RedisClient } from '../../../src/state/redis-connection';
import { watchRedisHealth } from '../../../src/state/redis-health';

/** An error as ioredis emits it for a socket failure. */
const sockErr = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:6379`), { code });

/** A client stand-in (an EventEmitter with ioredis' status) and the log lines written meanwhile. */
function watched() {
  const lines: string[] = [];
  const sink = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk)).msg); done(); } });
  const client = Object.assign(new EventEmitter(), { status: 'ready' });
  const health = watchRedisHealth(client as unknown as RedisClient, 'Redis at 127.0.0.1:6379', pino({ level: 'info' }, sink), { retryEveryMs: 2000 });
  return { client, health, lines };
}

describe('watchRedisHealth', () => {
  it('logs one line for a Redis killed mid-command (reset, then refused reconnects), one when it comes back', () => {
    const { client, health, lines } = watched();
    client.emit('error', sockErr('ECONNRESET'));
    client.emit('close');
    for (let i = 0; i < 5; i++) client.emit('error', sockErr('ECONNREFUSED'));
    expect(lines).toEqual(['cannot reach Redis at 127.0.0.1:6379 (ECONNRESET); retrying every 2 s']);
    // /readyz says what is true now.
    expect(health.reason()).toBe('cannot reach Redis at 127.0.0.1:6379 (ECONNREFUSED)');
    client.emit('ready');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^Redis at 127\.0\.0\.1:6379 reachable again after \d+ s$/);
    expect(health.ready()).toBe(true);
    health.stop();
  });

  it('logs a new line when the trouble changes kind (unreachable, then a refused password)', () => {
    const { client, health, lines } = watched();
    client.emit('error', sockErr('ECONNREFUSED'));
    client.emit('error', Object.assign(new Error('WRONGPASS invalid username-password pair'), { code: 'WRONGPASS' }));
    client.emit('error', Object.assign(new Error('WRONGPASS invalid username-password pair'), { code: 'WRONGPASS' }));
    client.emit('error', sockErr('ECONNREFUSED'));
    expect(lines).toEqual([
      'cannot reach Redis at 127.0.0.1:6379 (ECONNREFUSED); retrying every 2 s',
      'Redis at 127.0.0.1:6379 refused the password (WRONGPASS); retrying every 2 s',
      'cannot reach Redis at 127.0.0.1:6379 (ECONNREFUSED); retrying every 2 s',
    ]);
    health.stop();
  });
});
