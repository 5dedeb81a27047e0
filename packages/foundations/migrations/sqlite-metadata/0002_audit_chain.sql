-- @platform/foundations MetadataStore schema on SQLite, version 2: the tamper-evident audit chain
-- of governance records, as migrations/metadata/0002_audit_chain.sql. See
-- docs/adr/0016-tamper-evident-audit.md.
-- Per tenant, each record appended from now on gets seq 1, 2, ... (no gaps), prev_hash (the
-- previous record's hash, 64 zeros for the first) and hash = sha256(prev_hash + canonical JSON of
-- the record and its seq), set by the store in the write transaction that appends it. Records
-- written before this migration keep null columns: verifyAudit counts them as legacy.

alter table platform_governance_records add column seq integer check (seq > 0);
alter table platform_governance_records add column prev_hash text
  check (length(prev_hash) = 64 and prev_hash not glob '*[^0-9a-f]*');
alter table platform_governance_records add column hash text
  check (length(hash) = 64 and hash not glob '*[^0-9a-f]*');
-- The backstop of the chain: two records of a tenant never share a seq.
create unique index if not exists platform_governance_chain on platform_governance_records (tenant_id, seq);
