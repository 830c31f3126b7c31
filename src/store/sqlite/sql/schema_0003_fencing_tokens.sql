-- The newest fencing token seen per locked resource (issue #6), as in PostgreSQL: a write
-- carrying an older token is refused (fencing.hpp).
create table fencing_tokens (
  resource text primary key,
  token    integer not null
);
