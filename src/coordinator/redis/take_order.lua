-- take_order.lua: take one unit of a voucher for one user and queue the order, atomically.
-- Every key carries the voucher's hash tag {v:ID}, so the script runs on one Redis Cluster slot.
--
-- KEYS[1]  {v:ID}:stock    units left (integer); absent: the voucher is not loaded
-- KEYS[2]  {v:ID}:buyers   hash user_id -> order_id of every user who holds an order
-- KEYS[3]  {v:ID}:orders   stream of taken orders, read by the order writers
-- ARGV[1]  user_id   ARGV[2] order_id   ARGV[3] voucher_id   ARGV[4] created_at (ms since epoch)
--
-- Returns {1, units_left}   taken
--         {0, 0}            sold out
--         {-1, order_id}    this user already holds order_id
--         {-2, 0}           voucher not loaded
local stock = redis.call('GET', KEYS[1])
if not stock then
  return {-2, 0}
end
local held = redis.call('HGET', KEYS[2], ARGV[1])
if held then
  return {-1, tonumber(held)}
end
stock = tonumber(stock)
if stock <= 0 then
  return {0, 0}
end
redis.call('DECR', KEYS[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('XADD', KEYS[3], '*', 'o', ARGV[2], 'u', ARGV[1], 'v', ARGV[3], 't', ARGV[4])
return {1, stock - 1}
