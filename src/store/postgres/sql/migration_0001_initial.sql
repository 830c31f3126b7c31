-- Migration 1: the tables of the contract ("Data kept", ../shared/CONTRACT.md) with the indexes
-- the service reads by, and the fencing tokens of distributed locks. Run once, in a transaction,
-- by migrations.cpp under an advisory lock; never edit an applied migration, add a new one.

create table vouchers (
  id          bigint primary key,
  title       text not null,
  stock_total int not null check (stock_total >= 0),
  stock_left  int not null,
  begin_at    timestamptz not null,
  end_at      timestamptz not null,
  created_at  timestamptz not null default now(),
  -- The sale's invariant; an order batch that would break it is refused as a whole.
  constraint vouchers_stock_left_range check (stock_left >= 0 and stock_left <= stock_total)
);

create table orders (
  id         bigint primary key,
  user_id    bigint not null,
  voucher_id bigint not null references vouchers (id),
  created_at timestamptz not null,
  constraint orders_one_per_user unique (user_id, voucher_id)
);
-- count(orders) per voucher (audits), and the foreign key's lookups.
create index orders_voucher_id_idx on orders (voucher_id);

create table reminders (
  id          bigint primary key,
  ticket      text not null,
  status      text not null default 'open' check (status in ('open', 'acked', 'resolved')),
  first_at    timestamptz not null,
  last_at     timestamptz not null,
  acked_by    bigint,
  acked_at    timestamptz,
  resolved_at timestamptz
);
-- The records of one ticket, newest window last.
create index reminders_ticket_first_at_idx on reminders (ticket, first_at);
-- The staff queue: one status, oldest first, paged by (first_at, id).
create index reminders_status_first_at_idx on reminders (status, first_at, id);

create table reminder_users (
  reminder_id bigint not null references reminders (id),
  user_id     bigint not null,
  at          timestamptz not null,
  primary key (reminder_id, user_id)
);
-- "A user sees the records that include them".
create index reminder_users_user_id_idx on reminder_users (user_id, reminder_id);

-- The newest fencing token seen per locked resource: a write carrying an older token is refused.
create table fencing_tokens (
  resource text primary key,
  token    bigint not null
);
