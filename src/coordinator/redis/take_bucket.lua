-- take_bucket.lua: take_order.lua for one bucket of a voucher split over several
-- (--stock-buckets), with an optional transfer in: the units a borrow took from another bucket
-- (borrow_unit.lua) are added here first, in the same atomic step as the take.
-- Every key carries the bucket's hash tag ({v:ID} or {v:ID:b}): one slot.
--
-- KEYS[1]  bucket stock   KEYS[2] bucket buyers (the user's home bucket: the only place their
--          mark is ever written)   KEYS[3] bucket order stream
-- KEYS[4]  optional: the order's pending record, as in take_order.lua (single Redis only)
-- ARGV[1]  user_id   ARGV[2] order_id   ARGV[3] voucher_id   ARGV[4] created_at (ms)
-- ARGV[5]  units to add before taking (0 or what a borrow moved)
--
-- Returns as take_order.lua: {1, left} taken, {0, 0} sold out here, {-1, order_id} the user
-- already holds one (added units stay in this bucket), {-2, 0} not loaded (nothing added).
local stock = redis.call('GET', KEYS[1])
if not stock then
  return {-2, 0}
end
local add = tonumber(ARGV[5])
if add > 0 then
  stock = redis.call('INCRBY', KEYS[1], add)
end
local held = redis.call('HGET', KEYS[2], ARGV[1])
if held then
  return {-1, held}
end
stock = tonumber(stock)
if stock <= 0 then
  return {0, 0}
end
redis.call('DECR', KEYS[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('XADD', KEYS[3], '*', 'o', ARGV[2], 'u', ARGV[1], 'v', ARGV[3], 't', ARGV[4])
if KEYS[4] then
  redis.call('SET', KEYS[4], ARGV[3] .. ':' .. ARGV[1] .. ':' .. ARGV[4], 'EX', 86400)
end
return {1, stock - 1}
