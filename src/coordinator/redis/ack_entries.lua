-- Acknowledges stored entries of a stream and deletes them, in one atomic step: the stream then
-- holds only what is not yet in the store, and `check` and the backlog can count it (XLEN).
-- As two commands, a connection lost between them left an entry acknowledged (so nobody would
-- ever claim it again) but still in the stream, counted as "not yet stored" for ever.
-- KEYS[1] stream; ARGV[1] consumer group; ARGV[2..] entry ids. Returns the entries deleted.
local ids = {}
for i = 2, #ARGV do ids[#ids + 1] = ARGV[i] end
if #ids == 0 then return 0 end
redis.call('XACK', KEYS[1], ARGV[1], unpack(ids))
return redis.call('XDEL', KEYS[1], unpack(ids))
