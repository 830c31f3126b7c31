-- A user's orders, newest first and paged by id (GET /api/v1/orders, issue #20). One voucher's
-- orders need nothing new: orders_voucher_id_idx's entries end in the id (the rowid).
create index orders_user_id_idx on orders (user_id, id);
