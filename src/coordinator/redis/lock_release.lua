-- lock_release.lua: compare-and-delete. Releases the lock only if the caller owns it, and tells
-- the waiters (pub/sub), in one step: a non-owner's release does nothing and says so.
--
-- KEYS[1]  {lock:R}:owner   ARGV[1] owner token   ARGV[2] channel   ARGV[3] resource (payload)
--
-- Returns 1 released, 0 not the owner.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('PUBLISH', ARGV[2], ARGV[3])
  return 1
end
return 0
