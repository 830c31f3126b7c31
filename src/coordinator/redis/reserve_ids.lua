-- Reserves a block of a day's id sequence (id::CounterSequenceSource, seeded mode): INCRBY after
-- raising the counter to at least a floor, so that a counter Redis lost never hands out numbers
-- the store or an instance already holds.
-- KEYS[1]  the day's counter, "id:<name>:<yyyymmdd>"
-- ARGV[1]  the block size (> 0)
-- ARGV[2]  the floor: the counter is raised to it first if below
-- ARGV[3]  "1": create the counter if missing; "0": a missing counter answers -1 and is left
--          missing (the caller reads the store's floor and calls again with "1")
-- Returns the counter after the INCRBY (the block is [value - ARGV[1] + 1, value]), or -1.
local value = redis.call('GET', KEYS[1])
if not value and ARGV[3] ~= '1' then
  return -1
end
local floor = tonumber(ARGV[2])
if not value or tonumber(value) < floor then
  redis.call('SET', KEYS[1], floor)
end
return redis.call('INCRBY', KEYS[1], ARGV[1])
