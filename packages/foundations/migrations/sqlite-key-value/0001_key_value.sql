-- @platform/foundations KeyValueStore schema on SQLite, version 1: the table of
-- migrations/key-value/0001_key_value.sql, translated.
-- * value is JSON text, checked with json_valid(); compareAndSet compares parsed values in the
--   adapter, inside the write transaction.
-- * expires_at is integer milliseconds since the epoch (null: no expiry). An expired row reads as
--   absent; the adapter deletes expired rows in small batches from time to time.
-- * STRICT: a value of the wrong type is refused instead of silently stored.
create table if not exists platform_key_values (
  tenant_id  text    not null,
  key        text    not null check (length(key) between 1 and 512),
  value      text    not null check (json_valid(value)),
  expires_at integer,
  primary key (tenant_id, key)
) strict, without rowid;

create index if not exists platform_key_values_expiry
  on platform_key_values (expires_at) where expires_at is not null;
