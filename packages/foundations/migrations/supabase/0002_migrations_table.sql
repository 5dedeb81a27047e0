-- @platform/foundations on Supabase: the migrations table is the SDK's own. With row-level
-- security on and no policy, anon and signed-in users neither read nor change it; the service
-- role and the table's owner (which apply migrations) are not bound.

alter table platform_migrations enable row level security;
