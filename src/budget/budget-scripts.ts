/**
 * The Lua scripts behind RequestBudget. One script per operation so that each take() is one
 * EVALSHA: Redis runs a script alone, which makes "check all three windows, then count in all
 * three" atomic across every replica. On a Redis Cluster every key of one call is in one slot
 * because the key prefix carries the shard's hash tag (config: `redis.prefix` is wrapped in one on a
 * cluster; src/state/shards.ts), which wins over the `{account}` in the per-account keys; the usage
 * snapshots' hash (`<prefix>:budget:used`) has no account in its name and relies on that.
 *
 * Time: ARGV[1] is the clock in ms, or '' to use Redis' own TIME, so replicas with skewed clocks
 * still agree on the windows (tests inject a clock instead of waiting real minutes).
 *
 * Windows: `second` and `minute` are exact sliding logs, both read from one sorted set of the request
 * times of the last minute (at most the minute's `limit` entries); `day` is a sliding log of
 * one-minute buckets (a hash of counts plus a sorted set of bucket starts), because a day log of
 * single requests would hold up to perDay entries per account. A bucket counts until its *last*
 * possible request leaves the window, so the day window over-counts by at most one minute and never
 * under-counts: the guarantee holds, room comes back up to a minute late.
 */

/** Shared prelude: the clock, and the day window's expiry of old buckets. */
const PRELUDE = `
local now = tonumber(ARGV[1])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`;

/**
 * KEYS: pause, streak, minute (zset), day (hash), daybuckets (zset), the shard's usage snapshots
 * (hash), and optionally the account's credential back-off key (a request is refused while it lives:
 * window `credentials`).
 * ARGV: now, member, perSecond, perMinute, perDay, secondSpan, minuteSpan, daySpan, bucketMs, account.
 * Returns {taken (1|0), window, delayMs, streak}.
 *
 * The second window is the newest part of the minute's log (ZCOUNT over the last secondSpan): one
 * sorted set serves both. A request taken also writes the account's usage snapshot, field `account`
 * of KEYS[6]: `<now ms>:<second>:<minute>:<day>`, the requests counted in each window with this one.
 * The metrics scrape reads a shard's snapshots with one HGETALL instead of every account's windows.
 * About 15 commands per request taken (2 fewer when the request shares its day bucket with the last).
 */
export const TAKE_SCRIPT = `${PRELUDE}
local held = redis.call('MGET', KEYS[1], KEYS[2])
local streak = tonumber(held[2] or '0')
if KEYS[7] then
  local backoff = redis.call('PTTL', KEYS[7])
  if backoff > 0 then return {0, 'credentials', backoff, streak} end
end
local pausedUntil = tonumber(held[1] or '0')
if pausedUntil > now then
  return {0, 'pause', pausedUntil - now, streak}
end
local member = ARGV[2]
local limits = {tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])}
local spans = {tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])}
local bucketMs = tonumber(ARGV[9])
local names = {'second', 'minute', 'day'}
local worstWindow, worstDelay = '', 0

local logKey = KEYS[3]
redis.call('ZREMRANGEBYSCORE', logKey, '-inf', now - spans[2])
local inMinute = redis.call('ZCARD', logKey)
local inSecond = redis.call('ZCOUNT', logKey, '(' .. (now - spans[1]), '+inf')
local counted = {inSecond, inMinute}
for i = 1, 2 do
  local n, limit, span = counted[i], limits[i], spans[i]
  if n + 1 > limit then
    local delay = span
    if limit >= 1 then
      -- Room comes when the entry that leaves exactly limit-1 newer ones drops out; the window's
      -- entries are the newest n of the log's inMinute.
      local e = redis.call('ZRANGE', logKey, inMinute - limit, inMinute - limit, 'WITHSCORES')
      delay = tonumber(e[2]) + span - now
    end
    if delay > worstDelay then worstWindow, worstDelay = names[i], delay end
  end
end

local dayKey, bucketsKey, daySpan = KEYS[4], KEYS[5], spans[3]
local cutoff = now - daySpan - bucketMs
local old = redis.call('ZRANGEBYSCORE', bucketsKey, '-inf', cutoff)
if #old > 0 then
  local counts = redis.call('HMGET', dayKey, unpack(old))
  local gone = 0
  for i = 1, #counts do gone = gone + tonumber(counts[i] or '0') end
  redis.call('HDEL', dayKey, unpack(old))
  redis.call('ZREMRANGEBYSCORE', bucketsKey, '-inf', cutoff)
  if gone > 0 then redis.call('HINCRBY', dayKey, 'total', -gone) end
end
local total = tonumber(redis.call('HGET', dayKey, 'total') or '0')
if total + 1 > limits[3] then
  local delay = daySpan + bucketMs
  if limits[3] >= 1 then
    local starts = redis.call('ZRANGE', bucketsKey, 0, -1)
    local counts = {}
    if #starts > 0 then counts = redis.call('HMGET', dayKey, unpack(starts)) end
    local left = total
    for i = 1, #starts do
      left = left - tonumber(counts[i] or '0')
      if left + 1 <= limits[3] then
        delay = tonumber(starts[i]) + bucketMs + daySpan - now
        break
      end
    end
  end
  if delay > worstDelay then worstWindow, worstDelay = 'day', delay end
end

if worstDelay > 0 then
  return {0, worstWindow, worstDelay, streak}
end

redis.call('ZADD', logKey, now, member)
redis.call('PEXPIRE', logKey, spans[2])
local bucket = now - (now % bucketMs)
local newBucket = redis.call('ZADD', bucketsKey, 'NX', bucket, bucket)
redis.call('HINCRBY', dayKey, bucket, 1)
local dayTotal = redis.call('HINCRBY', dayKey, 'total', 1)
-- Set when the bucket is new (the keys then live until that bucket's last request leaves the
-- window), or when the day hash was made anew (evicted or moved without its buckets' set).
if newBucket == 1 or dayTotal == 1 then
  redis.call('PEXPIRE', bucketsKey, daySpan + bucketMs)
  redis.call('PEXPIRE', dayKey, daySpan + bucketMs)
end
redis.call('HSET', KEYS[6], ARGV[10], now .. ':' .. (inSecond + 1) .. ':' .. (inMinute + 1) .. ':' .. (total + 1))
return {1, '', 0, streak}
`;

/**
 * Read-only. KEYS: minute (zset), day (hash), daybuckets. ARGV: now, secondSpan, minuteSpan,
 * daySpan, bucketMs. Returns {second, minute, day}: the requests counted in each window now.
 */
export const USAGE_SCRIPT = `${PRELUDE}
local second = redis.call('ZCOUNT', KEYS[1], '(' .. (now - tonumber(ARGV[2])), '+inf')
local minute = redis.call('ZCOUNT', KEYS[1], '(' .. (now - tonumber(ARGV[3])), '+inf')
local day = tonumber(redis.call('HGET', KEYS[2], 'total') or '0')
local old = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now - tonumber(ARGV[4]) - tonumber(ARGV[5]))
if #old > 0 then
  local counts = redis.call('HMGET', KEYS[2], unpack(old))
  for i = 1, #counts do day = day - tonumber(counts[i] or '0') end
end
return {second, minute, day}
`;

/**
 * KEYS: pause, streak. ARGV: now, retryAfterMs ('' when SendPulse sent none), baseMs, capMs.
 * Returns {pauseMs, streak}.
 *
 * A 429 that arrives while a pause is already running belongs to the same episode (a request that
 * was in flight when the first 429 came, possibly on another replica): it may lengthen the pause to
 * honour its own Retry-After but does not widen the streak, or one burst would count as several.
 */
export const PENALIZE_SCRIPT = `${PRELUDE}
local pausedUntil = tonumber(redis.call('GET', KEYS[1]) or '0')
local streak = tonumber(redis.call('GET', KEYS[2]) or '0')
local retry = tonumber(ARGV[2])
local cap = tonumber(ARGV[4])
if pausedUntil <= now or streak == 0 then streak = streak + 1 end
local pause = math.min(cap, (retry or tonumber(ARGV[3])) * math.pow(2, streak - 1))
-- Never ask again before SendPulse said we may, even past the cap.
if retry and pause < retry then pause = retry end
local untilMs = math.ceil(math.max(pausedUntil, now + pause))
redis.call('SET', KEYS[1], untilMs, 'PX', math.max(1, untilMs - now))
-- A streak nobody confirmed for a cap's length after its pause is forgotten.
redis.call('SET', KEYS[2], streak, 'PX', math.max(1, untilMs - now) + cap)
return {untilMs - now, streak}
`;
