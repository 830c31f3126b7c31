-- rate_limit.lua: takes one request from a token bucket, atomically. The arithmetic is
-- core/rate_limit.cpp's take_token(), integer for integer (all values stay below 2^53, where Lua's
-- doubles are exact; tests compare the two). Time is Redis's own clock (TIME), the same for every
-- instance of the service; scripts are replicated by effects (Redis 7), so TIME is fine.
--
-- KEYS[1]  seckill:rl:{KIND:ID}   hash level, at (ms); expires once the bucket would be full
--                                 again, so idle callers cost no memory
-- ARGV[1]  count (requests per `per`)   ARGV[2] per (ms)   ARGV[3] burst
--
-- Returns {1, 0}         allowed
--         {0, retry_ms}  refused; the next request can pass in retry_ms
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local count = tonumber(ARGV[1])
local cost = tonumber(ARGV[2])
local capacity = tonumber(ARGV[3]) * cost
local fill_ms = math.floor(capacity / count) + 1

local level = capacity
local saved = redis.call('HMGET', KEYS[1], 'level', 'at')
if saved[1] and saved[2] then
  local elapsed = math.max(0, now - tonumber(saved[2]))
  local useful = math.min(elapsed, fill_ms)
  level = math.min(capacity, math.max(0, tonumber(saved[1])) + useful * count)
end

local allowed = 0
local retry = 0
if level >= cost then
  allowed = 1
  level = level - cost
else
  retry = math.floor((cost - level + count - 1) / count)
end
redis.call('HSET', KEYS[1], 'level', string.format('%d', level), 'at', string.format('%d', now))
redis.call('PEXPIRE', KEYS[1], fill_ms)
return {allowed, retry}
