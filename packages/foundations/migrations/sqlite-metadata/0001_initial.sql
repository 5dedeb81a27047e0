-- @platform/foundations MetadataStore schema on SQLite, version 1: the tables, keys and
-- constraints of migrations/metadata/0001_initial.sql, translated.
-- Every table is keyed by tenant first: every query filters by tenant_id, and no index lets a
-- query reach rows of another tenant without naming it. See docs/adr/0004-metadata-store-schema.md.
--
-- Translation choices:
-- * Timestamps are integer milliseconds since the epoch (UTC). They compare exactly, so ordering
--   and the (created_at, id) keyset cursors are exact to the millisecond, the precision of `Date`.
-- * JSON is text, checked with json_valid(); it is only ever read back whole.
-- * Tables are STRICT: a value of the wrong type is refused instead of silently stored.
-- * Postgres regular expressions become GLOB patterns (GLOB is case-sensitive, like `~`).

create table if not exists platform_files (
  tenant_id         text    not null,
  id                text    not null,
  name              text    not null,
  declared_type     text,
  detected_type     text,
  size_bytes        integer not null check (size_bytes >= 0),
  sha256            text    not null check (length(sha256) = 64 and sha256 not glob '*[^0-9a-f]*'),
  status            text    not null check (status in ('received', 'validated', 'stored', 'quarantined', 'deleted')),
  storage_key       text,
  quarantine_reason text,
  created_by        text,
  metadata          text    not null default '{}' check (json_valid(metadata)),
  created_at        integer not null,
  updated_at        integer not null,
  deleted_at        integer,
  primary key (tenant_id, id)
) strict;
-- Duplicate detection per tenant: one live file per checksum.
create unique index if not exists platform_files_live_sha256
  on platform_files (tenant_id, sha256) where status not in ('deleted', 'quarantined');
create index if not exists platform_files_recent on platform_files (tenant_id, created_at desc, id desc);

create table if not exists platform_parsed_files (
  tenant_id    text    not null,
  id           text    not null,
  file_id      text    not null,
  format       text    not null,
  parser       text    not null,
  storage_key  text,
  row_count    integer check (row_count >= 0),
  columns      text    check (json_valid(columns)),
  chunk_count  integer check (chunk_count >= 0),
  report       text    not null default '{}' check (json_valid(report)),
  created_at   integer not null,
  primary key (tenant_id, id),
  unique (tenant_id, file_id, parser),
  foreign key (tenant_id, file_id) references platform_files (tenant_id, id)
) strict;

create table if not exists platform_file_links (
  tenant_id  text    not null,
  from_kind  text    not null,
  from_id    text    not null,
  to_kind    text    not null,
  to_id      text    not null,
  relation   text    not null check (relation glob '[a-z]*' and relation not glob '*[^a-z0-9_]*'),
  metadata   text    not null default '{}' check (json_valid(metadata)),
  created_at integer not null,
  primary key (tenant_id, from_kind, from_id, relation, to_kind, to_id)
) strict;
create index if not exists platform_file_links_to on platform_file_links (tenant_id, to_kind, to_id);

create table if not exists platform_journeys (
  tenant_id        text    not null,
  id               text    not null,
  template         text    not null,
  template_version integer not null check (template_version > 0),
  status           text    not null check (status in ('pending', 'running', 'completed', 'failed')),
  idempotency_key  text,
  trace_id         text,
  milestones       text    not null check (json_valid(milestones)),
  context          text    not null default '{}' check (json_valid(context)),
  error            text    check (json_valid(error)),
  version          integer not null check (version > 0),
  created_at       integer not null,
  updated_at       integer not null,
  completed_at     integer,
  primary key (tenant_id, id)
) strict;
create unique index if not exists platform_journeys_idempotency
  on platform_journeys (tenant_id, template, idempotency_key) where idempotency_key is not null;
create index if not exists platform_journeys_recent on platform_journeys (tenant_id, created_at desc, id desc);

create table if not exists platform_governance_records (
  tenant_id    text    not null,
  id           text    not null,
  kind         text    not null check (kind glob '[a-z]*' and kind not glob '*[^a-z0-9_]*'),
  subject_kind text    not null,
  subject_id   text    not null,
  data         text    not null check (json_valid(data)),
  trace_id     text,
  created_at   integer not null,
  primary key (tenant_id, id)
) strict;
create index if not exists platform_governance_subject
  on platform_governance_records (tenant_id, subject_kind, subject_id, created_at, id);
create index if not exists platform_governance_recent on platform_governance_records (tenant_id, created_at, id);
