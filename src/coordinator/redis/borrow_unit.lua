-- borrow_unit.lua: take one unit out of a bucket of a voucher split over several
-- (--stock-buckets), to be added to a user's home bucket by take_bucket.lua. Never below zero.
--
-- KEYS[1]  the donor bucket's stock
--
-- Returns 1 (one unit moved out), 0 (the bucket is empty), -2 (not loaded).
local stock = redis.call('GET', KEYS[1])
if not stock then
  return -2
end
if tonumber(stock) <= 0 then
  return 0
end
redis.call('DECR', KEYS[1])
return 1
