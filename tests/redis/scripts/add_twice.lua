-- Test script: adds ARGV[1] to the counter at KEYS[1] twice and returns the new value.
-- KEYS[1]  the counter
-- ARGV[1]  the increment
redis.call('INCRBY', KEYS[1], ARGV[1])
return redis.call('INCRBY', KEYS[1], ARGV[1])
