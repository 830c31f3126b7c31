-- Migration 2 (issue #6): each user's latest accepted reminder per ticket, for the lock-based
-- reminder strategy (`serve --reminder-strategy lock`), which decides in PostgreSQL under a lock
-- per ticket. reminder_users keeps a user's first time on a record, so the user's window needs
-- its own row.
create table reminder_user_windows (
  ticket  text not null,
  user_id bigint not null,
  last_at timestamptz not null,
  primary key (ticket, user_id)
);
