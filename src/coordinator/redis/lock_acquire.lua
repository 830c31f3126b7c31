-- lock_acquire.lua: take a lock if nobody holds it, and hand out its fencing token, atomically.
-- Both keys carry the resource's hash tag {lock:RESOURCE}, so the script runs on one Cluster slot.
--
-- KEYS[1]  {lock:R}:owner   the holder's random owner token, expiring with the lease
-- KEYS[2]  {lock:R}:fence   the resource's fencing counter (never expires: it only grows)
-- ARGV[1]  owner token      ARGV[2] lease (ms)
--
-- Returns {fencing_token, 0}   taken: the token is larger than every one handed out before
--         {0, pttl}            held by another, whose lease runs pttl ms more (-1: no expiry)
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {redis.call('INCR', KEYS[2]), 0}
end
return {0, redis.call('PTTL', KEYS[1])}
