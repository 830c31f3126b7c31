-- load_voucher.lua: make a voucher's stock known, once. A voucher already loaded keeps its live
-- stock and buyers (so any instance may call this at any time), and the order stream gets the
-- writers' consumer group.
--
-- KEYS[1]  {v:ID}:stock    units left
-- KEYS[2]  {v:ID}:orders   stream of taken orders
-- ARGV[1]  stock_left as the store has it   ARGV[2] consumer group name
--
-- Returns 1 if this call loaded the voucher, 0 if it was loaded already.
local loaded = redis.call('SET', KEYS[1], ARGV[1], 'NX')
local ok, err = pcall(redis.call, 'XGROUP', 'CREATE', KEYS[2], ARGV[2], '0', 'MKSTREAM')
if not ok and not string.find(tostring(err), 'BUSYGROUP') then
  return redis.error_reply(tostring(err))
end
if loaded then
  return 1
end
return 0
