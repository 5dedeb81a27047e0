-- @platform/foundations on Supabase: row-level security for the metadata tables.
-- Apply after migrations/metadata/*.sql. The SDK talks to Supabase with the service role key,
-- which bypasses these policies and scopes every request by tenant itself; the policies bound
-- every other key (anon, signed-in users) to the tenant in their JWT: app_metadata.tenant_id,
-- the claim the Security Guard reads by default. Rows of other tenants are invisible to them, and
-- they cannot write rows for another tenant.

alter table platform_files enable row level security;
alter table platform_parsed_files enable row level security;
alter table platform_file_links enable row level security;
alter table platform_journeys enable row level security;
alter table platform_governance_records enable row level security;

create or replace function platform_jwt_tenant() returns text
  language sql stable
  as $$ select nullif(coalesce(auth.jwt() -> 'app_metadata' ->> 'tenant_id', ''), '') $$;

drop policy if exists platform_tenant_isolation on platform_files;
create policy platform_tenant_isolation on platform_files
  for all to authenticated using (tenant_id = platform_jwt_tenant()) with check (tenant_id = platform_jwt_tenant());

drop policy if exists platform_tenant_isolation on platform_parsed_files;
create policy platform_tenant_isolation on platform_parsed_files
  for all to authenticated using (tenant_id = platform_jwt_tenant()) with check (tenant_id = platform_jwt_tenant());

drop policy if exists platform_tenant_isolation on platform_file_links;
create policy platform_tenant_isolation on platform_file_links
  for all to authenticated using (tenant_id = platform_jwt_tenant()) with check (tenant_id = platform_jwt_tenant());

drop policy if exists platform_tenant_isolation on platform_journeys;
create policy platform_tenant_isolation on platform_journeys
  for all to authenticated using (tenant_id = platform_jwt_tenant()) with check (tenant_id = platform_jwt_tenant());

-- Governance records are append-only for users too: read and insert, never update or delete.
drop policy if exists platform_tenant_read on platform_governance_records;
create policy platform_tenant_read on platform_governance_records
  for select to authenticated using (tenant_id = platform_jwt_tenant());
drop policy if exists platform_tenant_append on platform_governance_records;
create policy platform_tenant_append on platform_governance_records
  for insert to authenticated with check (tenant_id = platform_jwt_tenant());
