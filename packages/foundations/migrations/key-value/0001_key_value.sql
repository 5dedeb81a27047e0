-- @platform/foundations KeyValueStore schema on Postgres (and PGlite), version 1.
-- One row an entry, keyed by tenant first like every other table.
-- * value is jsonb: compareAndSet compares with jsonb equality (key order does not matter).
-- * expires_at is integer milliseconds since the epoch, set from the application's clock (so
--   every process compares against the same kind of time, and tests can inject a clock); null
--   means no expiry. An expired row reads as absent; the adapter deletes expired rows in small
--   batches from time to time (see SqlKeyValueStore), through the partial index below.
create table if not exists platform_key_values (
  tenant_id  text   not null,
  key        text   not null check (length(key) between 1 and 512),
  value      jsonb  not null,
  expires_at bigint,
  primary key (tenant_id, key)
);

create index if not exists platform_key_values_expiry
  on platform_key_values (expires_at) where expires_at is not null;
