-- @platform/foundations MetadataStore schema, version 1.
-- Every table is keyed by tenant first: every query filters by tenant_id, and no index lets a
-- query reach rows of another tenant without naming it. See docs/adr/0004-metadata-store-schema.md.

create table if not exists platform_files (
  tenant_id         text        not null,
  id                text        not null,
  name              text        not null,
  declared_type     text,
  detected_type     text,
  size_bytes        bigint      not null check (size_bytes >= 0),
  sha256            text        not null check (sha256 ~ '^[0-9a-f]{64}$'),
  status            text        not null check (status in ('received', 'validated', 'stored', 'quarantined', 'deleted')),
  storage_key       text,
  quarantine_reason text,
  created_by        text,
  metadata          jsonb       not null default '{}'::jsonb,
  created_at        timestamptz not null,
  updated_at        timestamptz not null,
  deleted_at        timestamptz,
  primary key (tenant_id, id)
);
-- Duplicate detection per tenant: one live file per checksum.
create unique index if not exists platform_files_live_sha256
  on platform_files (tenant_id, sha256) where status not in ('deleted', 'quarantined');
create index if not exists platform_files_recent on platform_files (tenant_id, created_at desc, id desc);

create table if not exists platform_parsed_files (
  tenant_id    text        not null,
  id           text        not null,
  file_id      text        not null,
  format       text        not null,
  parser       text        not null,
  storage_key  text,
  row_count    bigint      check (row_count >= 0),
  columns      jsonb,
  chunk_count  integer     check (chunk_count >= 0),
  report       jsonb       not null default '{}'::jsonb,
  created_at   timestamptz not null,
  primary key (tenant_id, id),
  unique (tenant_id, file_id, parser),
  foreign key (tenant_id, file_id) references platform_files (tenant_id, id)
);

create table if not exists platform_file_links (
  tenant_id  text        not null,
  from_kind  text        not null,
  from_id    text        not null,
  to_kind    text        not null,
  to_id      text        not null,
  relation   text        not null check (relation ~ '^[a-z][a-z0-9_]*$'),
  metadata   jsonb       not null default '{}'::jsonb,
  created_at timestamptz not null,
  primary key (tenant_id, from_kind, from_id, relation, to_kind, to_id)
);
create index if not exists platform_file_links_to on platform_file_links (tenant_id, to_kind, to_id);

create table if not exists platform_journeys (
  tenant_id        text        not null,
  id               text        not null,
  template         text        not null,
  template_version integer     not null check (template_version > 0),
  status           text        not null check (status in ('pending', 'running', 'completed', 'failed')),
  idempotency_key  text,
  trace_id         text,
  milestones       jsonb       not null,
  context          jsonb       not null default '{}'::jsonb,
  error            jsonb,
  version          integer     not null check (version > 0),
  created_at       timestamptz not null,
  updated_at       timestamptz not null,
  completed_at     timestamptz,
  primary key (tenant_id, id)
);
create unique index if not exists platform_journeys_idempotency
  on platform_journeys (tenant_id, template, idempotency_key) where idempotency_key is not null;
create index if not exists platform_journeys_recent on platform_journeys (tenant_id, created_at desc, id desc);

create table if not exists platform_governance_records (
  tenant_id    text        not null,
  id           text        not null,
  kind         text        not null check (kind ~ '^[a-z][a-z0-9_]*$'),
  subject_kind text        not null,
  subject_id   text        not null,
  data         jsonb       not null,
  trace_id     text,
  created_at   timestamptz not null,
  primary key (tenant_id, id)
);
create index if not exists platform_governance_subject
  on platform_governance_records (tenant_id, subject_kind, subject_id, created_at, id);
create index if not exists platform_governance_recent on platform_governance_records (tenant_id, created_at, id);
