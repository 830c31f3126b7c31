-- lock_extend.lua: compare-and-extend. Renews the lease only if the caller still owns the lock.
--
-- KEYS[1]  {lock:R}:owner   ARGV[1] owner token   ARGV[2] lease (ms)
--
-- Returns 1 extended, 0 not the owner (expired, or taken by another): the lease is lost.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
