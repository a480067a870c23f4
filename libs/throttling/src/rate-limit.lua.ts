/**
 * Atomic token-bucket check in Redis: refills the burst and sustained buckets, resets the daily
 * counter on a new UTC day, takes `cost` from all three only if all can pay (a cost above a
 * capacity never can: refused with no retry delay and nothing written), and sets the key's
 * expiry to when it carries no information any more. Same arithmetic as token-bucket.ts. The
 * clock is Redis' own (TIME), so instances with skewed clocks still agree.
 *
 * KEYS[1] bucket key; ARGV: burst, burstWindowMs, sustained, sustainedWindowMs, dailyQuota, cost.
 * Returns integers: allowed, burstRemaining, burstResetMs, sustainedRemaining, sustainedResetMs,
 * dailyRemaining, dailyResetMs, retryAfterMs, violated (0 none, 1 burst, 2 sustained, 3 daily),
 * overCapacity (1 when `violated` names a capacity below the cost).
 */
export const TOKEN_BUCKET_LUA = `
local bcap = tonumber(ARGV[1])
local bwin = tonumber(ARGV[2])
local scap = tonumber(ARGV[3])
local swin = tonumber(ARGV[4])
local quota = tonumber(ARGV[5])
local cost = tonumber(ARGV[6])
local eps = 1e-9
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local day = math.floor(now / 86400000)
local dayReset = 86400000 - (now % 86400000)
local st = redis.call('HMGET', KEYS[1], 'b', 's', 't', 'd', 'c')
local b, s, used
if st[3] then
  local elapsed = now - tonumber(st[3])
  if elapsed < 0 then elapsed = 0 end
  b = math.min(bcap, tonumber(st[1]) + elapsed * bcap / bwin)
  s = 0
  if scap > 0 then s = math.min(scap, tonumber(st[2]) + elapsed * scap / swin) end
  used = 0
  if tonumber(st[4]) == day then used = tonumber(st[5]) end
else
  b = bcap
  s = scap
  used = 0
end
local over = 0
if cost > bcap then over = 1
elseif scap > 0 and cost > scap then over = 2
elseif quota > 0 and cost > quota then over = 3 end
local bok = b + eps >= cost
local sok = scap == 0 or s + eps >= cost
local qok = quota == 0 or used + cost <= quota
local allowed = 0
local retry = 0
local violated = over
if over == 0 and bok and sok and qok then
  allowed = 1
  b = b - cost
  if scap > 0 then s = s - cost end
  if quota > 0 then used = used + cost end
  local ttl = math.ceil((bcap - b) * bwin / bcap)
  if scap > 0 then ttl = math.max(ttl, math.ceil((scap - s) * swin / scap)) end
  if quota > 0 and used > 0 then ttl = math.max(ttl, dayReset) end
  redis.call('HSET', KEYS[1], 'b', b, 's', s, 't', now, 'd', day, 'c', used)
  redis.call('PEXPIRE', KEYS[1], ttl + 1000)
elseif over == 0 then
  if not bok then
    retry = math.ceil((cost - b) * bwin / bcap)
    violated = 1
  end
  if not sok then
    local w = math.ceil((cost - s) * swin / scap)
    if w > retry then retry = w; violated = 2 end
  end
  if not qok and dayReset > retry then retry = dayReset; violated = 3 end
end
local sreset = 0
if scap > 0 then sreset = math.ceil((scap - s) * swin / scap) end
local qrem = 0
if quota > 0 then qrem = quota - used end
return { allowed, math.floor(b + eps), math.ceil((bcap - b) * bwin / bcap),
  math.floor(s + eps), sreset, qrem, dayReset, retry, violated, math.min(over, 1) }
`;
