-- @platform/foundations SemanticStore schema, version 1. Needs the pgvector extension.
-- Vectors are stored without a fixed dimension; HNSW indexes are partial expression indexes per
-- dimension (384 here, others created by the store on first use), so one table serves every
-- embedding model. See docs/adr/0004-metadata-store-schema.md.

create extension if not exists vector;

create table if not exists platform_semantic_contents (
  tenant_id  text        not null,
  content_id text        not null,
  file_id    text,
  kind       text        not null,
  title      text,
  metadata   jsonb       not null default '{}'::jsonb,
  correlation_map jsonb,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (tenant_id, content_id)
);
create index if not exists platform_semantic_contents_file on platform_semantic_contents (tenant_id, file_id);

create table if not exists platform_embeddings (
  tenant_id  text    not null,
  content_id text    not null,
  id         text    not null,
  kind       text    not null,
  ref        text    not null,
  text       text,
  model      text    not null,
  dimensions integer not null check (dimensions between 1 and 4096),
  embedding  vector  not null,
  metadata   jsonb   not null default '{}'::jsonb,
  primary key (tenant_id, content_id, id),
  foreign key (tenant_id, content_id) references platform_semantic_contents (tenant_id, content_id) on delete cascade
);
create index if not exists platform_embeddings_tenant on platform_embeddings (tenant_id, content_id, kind);
create index if not exists platform_embeddings_hnsw_384
  on platform_embeddings using hnsw ((embedding::vector(384)) vector_cosine_ops) where dimensions = 384;

create table if not exists platform_graph_nodes (
  tenant_id  text  not null,
  id         text  not null,
  content_id text  not null,
  kind       text  not null,
  label      text  not null,
  properties jsonb not null default '{}'::jsonb,
  primary key (tenant_id, id),
  foreign key (tenant_id, content_id) references platform_semantic_contents (tenant_id, content_id) on delete cascade
);

create table if not exists platform_graph_edges (
  tenant_id  text  not null,
  content_id text  not null,
  from_id    text  not null,
  relation   text  not null,
  to_id      text  not null,
  properties jsonb not null default '{}'::jsonb,
  primary key (tenant_id, from_id, relation, to_id),
  foreign key (tenant_id, content_id) references platform_semantic_contents (tenant_id, content_id) on delete cascade
);
create index if not exists platform_graph_edges_to on platform_graph_edges (tenant_id, to_id);
