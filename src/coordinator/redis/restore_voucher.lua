-- restore_voucher.lua: the last step of rebuilding a voucher the coordinator lost
-- (sale/stock_rebuild.hpp): its buyers are already written back; this makes it sellable again,
-- only if the caller still holds the rebuild claim and the voucher is still absent (live state is
-- never overwritten), and releases the claim.
--
-- KEYS[1]  {v:ID}:stock    units left (absent while lost)
-- KEYS[2]  {v:ID}:orders   stream of taken orders (gets the writers' group)
-- KEYS[3]  {v:ID}:rebuild  the claim: the owner's token
-- ARGV[1]  units left as rebuilt   ARGV[2] consumer group name   ARGV[3] the caller's token
--
-- Returns 1 restored, 0 the voucher was live already, -1 the claim is not the caller's.
if redis.call('GET', KEYS[3]) ~= ARGV[3] then
  return -1
end
redis.call('DEL', KEYS[3])
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
local ok, err = pcall(redis.call, 'XGROUP', 'CREATE', KEYS[2], ARGV[2], '0', 'MKSTREAM')
if not ok and not string.find(tostring(err), 'BUSYGROUP') then
  return redis.error_reply(tostring(err))
end
redis.call('SET', KEYS[1], ARGV[1])
return 1
