-- Migration 3 (issue #20): the listings of orders, newest first and paged by id, of one voucher
-- (admins) and of one user (GET /api/v1/orders). (voucher_id, id) also serves the foreign key
-- and the per-voucher counts, so it replaces the index on voucher_id alone.
create index orders_voucher_id_id_idx on orders (voucher_id, id);
drop index orders_voucher_id_idx;
create index orders_user_id_id_idx on orders (user_id, id);
