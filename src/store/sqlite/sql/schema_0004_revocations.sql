-- Revoked bearer tokens (issue #17), kept across restarts of the embedded mode: a token id
-- (jti, user_id 0), or every token of a user issued before revoked_at (jti ''). Unix seconds.
-- A row is dropped once expires_at has passed: no token it names is accepted by then anyway.
create table revocations (
  jti        text    not null,
  user_id    integer not null,
  revoked_at real    not null,
  expires_at real    not null,
  primary key (jti, user_id)
);
