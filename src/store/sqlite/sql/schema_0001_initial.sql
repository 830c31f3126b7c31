-- Schema 1 of the embedded store: the tables of the contract ("Data kept", ../shared/CONTRACT.md)
-- with the same columns as the PostgreSQL migration (src/store/postgres/sql), and `meta`. Run
-- once, in a transaction, by sqlite_database.cpp when `PRAGMA user_version` is 0; never edit an
-- applied schema, add a new one.
--
-- SQLite has no timestamptz: every time is an integer of microseconds since
-- 1970-01-01T00:00:00Z (UTC), PostgreSQL's resolution. Tables are STRICT, so a value of the
-- wrong type is refused instead of stored.

create table vouchers (
  id          integer primary key,
  title       text not null,
  stock_total integer not null check (stock_total >= 0),
  stock_left  integer not null,
  begin_at    integer not null,
  end_at      integer not null,
  created_at  integer not null,
  -- The sale's invariant; an order batch that would break it is refused as a whole.
  constraint vouchers_stock_left_range check (stock_left >= 0 and stock_left <= stock_total)
) strict;

create table orders (
  id         integer primary key,
  user_id    integer not null,
  voucher_id integer not null references vouchers (id),
  created_at integer not null,
  constraint orders_one_per_user unique (user_id, voucher_id)
) strict;
-- The orders of one voucher (rebuilding the coordinator, audits).
create index orders_voucher_id_idx on orders (voucher_id);

create table reminders (
  id          integer primary key,
  ticket      text not null,
  status      text not null default 'open' check (status in ('open', 'acked', 'resolved')),
  first_at    integer not null,
  last_at     integer not null,
  acked_by    integer,
  acked_at    integer,
  resolved_at integer
) strict;
create index reminders_ticket_first_at_idx on reminders (ticket, first_at);
create index reminders_status_first_at_idx on reminders (status, first_at, id);

create table reminder_users (
  reminder_id integer not null references reminders (id),
  user_id     integer not null,
  at          integer not null,
  primary key (reminder_id, user_id)
) strict;
create index reminder_users_user_id_idx on reminder_users (user_id, reminder_id);

-- Small facts about the store itself. `max_id`: the largest id ever written (of any table), so
-- that ids issued after a restart continue above it even if rows were deleted.
create table meta (
  key   text primary key,
  value integer not null
) strict;
