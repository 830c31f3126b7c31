-- fence_raise.lua: raise a lock's fencing counter to at least a value, never lower it.
-- After Redis lost the counter (a restart without persistence, a failover), the next token would
-- restart at 1 and the store, which remembers the largest token it accepted, would refuse every
-- holder until the counter climbed back; the caller seeds it from the store's largest instead.
--
-- KEYS[1]  {lock:R}:fence   the resource's fencing counter
-- ARGV[1]  the least value the counter must hold
--
-- Returns the counter after the call.
local floor = tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if current < floor then
  redis.call('SET', KEYS[1], ARGV[1])
  return floor
end
return current
