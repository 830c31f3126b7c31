-- take_order.lua: take one unit of a voucher for one user and queue the order, atomically.
-- Every key carries the voucher's hash tag {v:ID}, so the script runs on one Redis Cluster slot.
--
-- KEYS[1]  {v:ID}:stock    units left (integer); absent: the voucher is not loaded
-- KEYS[2]  {v:ID}:buyers   hash user_id -> order_id of every user who holds an order
-- KEYS[3]  {v:ID}:orders   stream of taken orders, read by the order writers
-- KEYS[4]  optional: seckill:order:ORDER_ID, the order's `pending` record
--          ("voucher_id:user_id:created_at", for a day), written with the take so that a
--          purchase is one round trip. Another slot: given on a single Redis only; on a Redis
--          Cluster the caller writes the record itself.
-- ARGV[1]  user_id   ARGV[2] order_id   ARGV[3] voucher_id   ARGV[4] created_at (ms since epoch)
--
-- Returns {1, units_left}   taken
--         {0, 0}            sold out
--         {-1, 'order_id'}  this user already holds order_id (a string: Lua numbers are
--                           doubles and would round a 64-bit id)
--         {-2, 0}           voucher not loaded
local stock = redis.call('GET', KEYS[1])
if not stock then
  return {-2, 0}
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
