-- @platform/foundations SemanticStore schema on SQLite (node:sqlite), version 1. Needs the
-- sqlite-vec extension at query time (vec_distance_cosine), not to create the schema. Table names
-- follow the Postgres semantic schema; none collides with the metadata store's, so both stores
-- can share one database file.

create table if not exists platform_semantic_contents (
  tenant_id       text not null,
  content_id      text not null,
  file_id         text,
  kind            text not null,
  title           text,
  metadata        text not null default '{}',
  correlation_map text,
  created_at      text not null,
  updated_at      text not null,
  primary key (tenant_id, content_id)
);
create index if not exists platform_semantic_contents_file on platform_semantic_contents (tenant_id, file_id);

-- An explicit integer primary key: the full-text index refers to rows by rowid, and VACUUM may
-- renumber implicit rowids. The vector comes before the text so that a search scanning vectors
-- reads it from the row's first page, not from the overflow pages of a long text.
create table if not exists platform_embeddings (
  row_id     integer primary key,
  tenant_id  text    not null,
  content_id text    not null,
  id         text    not null,
  dimensions integer not null check (dimensions between 1 and 4096),
  -- float32 in the byte order of the machine (little-endian on every platform sqlite-vec ships for).
  embedding  blob    not null check (length(embedding) = dimensions * 4),
  kind       text    not null,
  ref        text    not null,
  model      text    not null,
  metadata   text    not null default '{}',
  -- Words of `text` (as keyword search splits them), for the keyword score's length normalisation.
  text_words integer not null default 0,
  text       text,
  unique (tenant_id, content_id, id),
  foreign key (tenant_id, content_id) references platform_semantic_contents (tenant_id, content_id) on delete cascade
);
-- Vector search scans one tenant's vectors of one dimension.
create index if not exists platform_embeddings_search on platform_embeddings (tenant_id, dimensions);

-- Keyword search: an external-content FTS5 index over the texts, kept in step by triggers. The
-- tokenizer splits like the shared `words()` helper: letters and digits, lower-cased, accents kept.
create virtual table if not exists platform_embeddings_fts using fts5(
  text,
  content = 'platform_embeddings',
  content_rowid = 'row_id',
  tokenize = "unicode61 remove_diacritics 0 categories 'L* N*'"
);
-- An external-content index forgets a row only when given the exact values it indexed, so every
-- row (even one without text) is indexed and removed with its own values.
create trigger if not exists platform_embeddings_fts_insert after insert on platform_embeddings begin
  insert into platform_embeddings_fts (rowid, text) values (new.row_id, new.text);
end;
create trigger if not exists platform_embeddings_fts_delete after delete on platform_embeddings begin
  insert into platform_embeddings_fts (platform_embeddings_fts, rowid, text) values ('delete', old.row_id, old.text);
end;
create trigger if not exists platform_embeddings_fts_update after update of text on platform_embeddings
when old.text is not new.text begin
  insert into platform_embeddings_fts (platform_embeddings_fts, rowid, text) values ('delete', old.row_id, old.text);
  insert into platform_embeddings_fts (rowid, text) values (new.row_id, new.text);
end;

create table if not exists platform_graph_nodes (
  tenant_id  text not null,
  id         text not null,
  content_id text not null,
  kind       text not null,
  label      text not null,
  properties text not null default '{}',
  primary key (tenant_id, id),
  foreign key (tenant_id, content_id) references platform_semantic_contents (tenant_id, content_id) on delete cascade
);
create index if not exists platform_graph_nodes_content on platform_graph_nodes (tenant_id, content_id);

create table if not exists platform_graph_edges (
  tenant_id  text not null,
  content_id text not null,
  from_id    text not null,
  relation   text not null,
  to_id      text not null,
  properties text not null default '{}',
  primary key (tenant_id, from_id, relation, to_id),
  foreign key (tenant_id, content_id) references platform_semantic_contents (tenant_id, content_id) on delete cascade
);
create index if not exists platform_graph_edges_to on platform_graph_edges (tenant_id, to_id);
create index if not exists platform_graph_edges_content on platform_graph_edges (tenant_id, content_id);
