-- remind.lua: decide one reminder of one ticket by one user and queue it, atomically.
-- Every key carries the ticket's partition hash tag {r:P} (see remind_keys.hpp), so the script
-- runs on one Redis Cluster slot and there are only as many event streams as partitions.
-- Time is Redis's own clock (TIME), the same for every instance of the service, so windows do not
-- depend on clock skew between instances. Scripts are replicated by effects (Redis 7), so a
-- non-deterministic TIME is fine.
--
-- KEYS[1]  {r:P}:user:TICKET:USER   the user's window: the record id, expiring with the window
-- KEYS[2]  {r:P}:open:TICKET        hash id, first_at (ms): the ticket's current main record
-- KEYS[3]  {r:P}:events             stream of accepted reminders, read by the reminder writers
-- ARGV[1]  ticket   ARGV[2] user_id   ARGV[3] id for a new record
-- ARGV[4]  record window (ms)       ARGV[5] user window (ms)
--
-- Returns {1, id, 0, now_ms}         opened a new main record `id` (the one offered)
--         {2, id, 0, now_ms}         joined the open main record `id`
--         {0, id, retry_ms, now_ms}  the user reminded this ticket less than a user window ago;
--                                    `id` is the record their reminder is in ('' if unknown)
-- Ids are returned as strings: Lua numbers are doubles and would round 64-bit ids.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[4])
local user_window = tonumber(ARGV[5])

local left = redis.call('PTTL', KEYS[1])
if left > 0 then
  return {0, redis.call('GET', KEYS[1]) or '', left, now}
end
if left == -1 then
  -- Never written without an expiry; repair rather than refuse this user forever.
  redis.call('PEXPIRE', KEYS[1], user_window)
  return {0, redis.call('GET', KEYS[1]) or '', user_window, now}
end

local id = ARGV[3]
local code = 1
local open = redis.call('HMGET', KEYS[2], 'id', 'first_at')
if open[1] and open[2] and now < tonumber(open[2]) + window then
  id = open[1]
  code = 2
else
  redis.call('HSET', KEYS[2], 'id', id, 'first_at', now)
  redis.call('PEXPIREAT', KEYS[2], now + window)
end
redis.call('SET', KEYS[1], id, 'PX', user_window)
redis.call('XADD', KEYS[3], '*', 'r', id, 'k', ARGV[1], 'u', ARGV[2], 't', now, 'n', code == 1 and '1' or '0')
return {code, id, 0, now}
