-- @platform/foundations on Supabase: row-level security for the semantic store's tables.
-- Apply after migrations/semantic/*.sql (`data-mash migrate --supabase` does both). The SDK writes
-- with the service role (or as the tables' owner), which these policies do not bind; a signed-in
-- user may read its own tenant's contents, embeddings and graph, and write none of them: the
-- semantic store's digests and graph are kept consistent by the SDK alone. anon sees nothing.

alter table platform_semantic_contents enable row level security;
alter table platform_embeddings enable row level security;
alter table platform_graph_nodes enable row level security;
alter table platform_graph_edges enable row level security;

-- Also made by migrations/supabase for the metadata tables: the semantic store may be elsewhere.
create or replace function platform_jwt_tenant() returns text
  language sql stable
  as $$ select nullif(coalesce(auth.jwt() -> 'app_metadata' ->> 'tenant_id', ''), '') $$;

drop policy if exists platform_tenant_read on platform_semantic_contents;
create policy platform_tenant_read on platform_semantic_contents
  for select to authenticated using (tenant_id = platform_jwt_tenant());

drop policy if exists platform_tenant_read on platform_embeddings;
create policy platform_tenant_read on platform_embeddings
  for select to authenticated using (tenant_id = platform_jwt_tenant());

drop policy if exists platform_tenant_read on platform_graph_nodes;
create policy platform_tenant_read on platform_graph_nodes
  for select to authenticated using (tenant_id = platform_jwt_tenant());

drop policy if exists platform_tenant_read on platform_graph_edges;
create policy platform_tenant_read on platform_graph_edges
  for select to authenticated using (tenant_id = platform_jwt_tenant());

-- The migrations table of this database is the SDK's own (see migrations/supabase/0002).
alter table platform_migrations enable row level security;
