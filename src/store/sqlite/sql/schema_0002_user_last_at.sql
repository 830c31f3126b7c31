-- A user's latest reminder on a record, so that after a restart the in-process gate counts the
-- user's window from it (`at` keeps the first, as in PostgreSQL). NULL means `at`.
alter table reminder_users add column last_at integer;
