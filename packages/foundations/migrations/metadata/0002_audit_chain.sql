-- @platform/foundations MetadataStore schema, version 2: the tamper-evident audit chain of
-- governance records. See docs/adr/0016-tamper-evident-audit.md.
-- Per tenant, each record appended from now on gets seq 1, 2, ... (no gaps), prev_hash (the
-- previous record's hash, 64 zeros for the first) and hash = sha256(prev_hash + canonical JSON of
-- the record and its seq), set by the store while it holds the tenant's advisory lock
-- (pg_advisory_xact_lock(hashtext(tenant_id))). Records written before this migration keep null
-- columns: verifyAudit counts them as legacy.

alter table platform_governance_records
  add column if not exists seq bigint check (seq > 0),
  add column if not exists prev_hash text check (prev_hash ~ '^[0-9a-f]{64}$'),
  add column if not exists hash text check (hash ~ '^[0-9a-f]{64}$');
-- The backstop of the chain (and what a Supabase REST writer retries on): two records of a
-- tenant never share a seq. Nulls (legacy records) do not collide.
create unique index if not exists platform_governance_chain on platform_governance_records (tenant_id, seq);
