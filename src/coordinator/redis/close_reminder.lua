-- close_reminder.lua: staff resolved a ticket's record; forget it as the ticket's current record,
-- so the ticket's next reminder (remind.lua) opens a new one. A newer record is left alone.
-- The rule of which record a reminder joins: core/reminder.hpp, collects_reminders.
--
-- KEYS[1]  {r:P}:open:TICKET   hash id, first_at: the ticket's current main record
-- ARGV[1]  the resolved record's id
--
-- Returns 1 when the record was the current one (now forgotten), 0 otherwise.
if redis.call('HGET', KEYS[1], 'id') == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
