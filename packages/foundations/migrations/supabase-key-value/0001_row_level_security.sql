-- @platform/foundations on Supabase: row-level security for the key-value table.
-- Apply after migrations/key-value/*.sql (`data-mash migrate --supabase` does both). The table
-- holds the platform's own state: sessions and rate limits. No policy is given, so with row-level
-- security on, anon and signed-in users can neither read nor write a row (a user who could would
-- reset its own rate limit); the SDK uses the service role or the table's owner, which it does not bind.

alter table platform_key_values enable row level security;

-- The migrations table of this database is the SDK's own (see migrations/supabase/0002).
alter table platform_migrations enable row level security;
