import { crc16, fnv1a32, keySlot, shardOfAccount, shardPrefix, Shards, CLUSTER_SLOTS } from '../../../src/state/shards';

describe('the shard of an account', () => {
  it('is the same on every call, process and version: FNV-1a 32 of the name modulo the count', () => {
    // Published FNV-1a 32 test vectors (draft-eastlake-fnv): "" and "a", "foobar".
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
    expect(shardOfAccount('foobar', 3)).toBe(0xbf9cf968 % 3);
    expect(new Shards('spm', 3).of('foobar')).toBe(0xbf9cf968 % 3);
    expect(shardOfAccount('anything', 1)).toBe(0);
  });

  it('spreads account names evenly: 3,000 names over 3 shards, each within 10 % of a third', () => {
    const counts = [0, 0, 0];
    for (let i = 0; i < 3000; i++) counts[shardOfAccount(`client-${i}`, 3)]++;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(100);
    const names = Array.from({ length: 30 }, (_, i) => `acct-${String(i).padStart(2, '0')}`);
    const split = new Shards('spm', 3).split(names, (n) => n);
    expect(split.flat().sort()).toEqual(names);
    for (const s of split) expect(s.length).toBeGreaterThanOrEqual(6);
  });
});

describe('the key prefix of a shard', () => {
  it('is redis.prefix itself with one shard, so key names stay as they were', () => {
    expect(shardPrefix('spm', 0, 1)).toBe('spm');
    expect(shardPrefix('{spm}', 0, 1)).toBe('{spm}');
    expect(new Shards('app:{x}', 1).prefixes).toEqual(['app:{x}']);
  });

  it('puts each of N shards under its own hash tag, in its own Nth of the slots', () => {
    for (const prefix of ['spm', '{spm}', 'app:{mon}:k']) {
      for (const n of [2, 3, 4, 6]) {
        const s = new Shards(prefix, n);
        expect(new Set(s.prefixes).size).toBe(n);
        s.prefixes.forEach((p, i) => {
          expect(p).toMatch(/\{[^}]+\}/);
          if (prefix === 'app:{mon}:k') expect(p).toMatch(/^app:\{mon-\d+(-\d+)?\}:k$/);
          const slot = keySlot(`${p}:acct:x`);
          expect(slot).toBeGreaterThanOrEqual(Math.floor((i * CLUSTER_SLOTS) / n));
          expect(slot).toBeLessThan(Math.floor(((i + 1) * CLUSTER_SLOTS) / n));
        });
      }
    }
  });

  it('stays what the README says for spm (a change would move every account at the next start)', () => {
    expect(new Shards('spm', 3).prefixes).toEqual(['{spm-0-2}', '{spm-1-4}', '{spm-2-3}']);
    expect(new Shards('{spm}', 3).prefixes.map((p) => keySlot(p))).toEqual([3103, 7145, 12894]);
  });

  it('hashes keys as Redis Cluster does (CRC16 XMODEM, first hash tag)', () => {
    expect(crc16('123456789')).toBe(0x31c3);
    // Values from CLUSTER KEYSLOT on redis 7.
    expect(keySlot('foo')).toBe(12182);
    expect(keySlot('{user1000}.following')).toBe(keySlot('{user1000}.followers'));
    expect(keySlot('foo{}{bar}')).toBe(crc16('foo{}{bar}') % CLUSTER_SLOTS);
  });

  it('refuses a count that is not a positive integer', () => {
    expect(() => new Shards('spm', 0)).toThrow(/integer/);
    expect(() => new Shards('spm', 1.5)).toThrow(/integer/);
  });
});
