-- A vector index in the same file and transactions as the rows (docs/adr/0021): each embedding's
-- binary code sits in a slot of a chunk of its tenant and dimension. The code is the sign bits of
-- the vector after a fixed random rotation (zero-padded to a power of two P >= 128, three rounds of
-- random sign flips and a Walsh-Hadamard transform): P bits, whose Hamming distance estimates the
-- angle between two vectors whatever their shape. A search reads the tenant's chunks, ranks codes by Hamming distance and rescores an
-- oversampled candidate list exactly from the float32 rows. Rows written before this migration have
-- no slot (code_chunk null): the store indexes them on the tenant's next search.
alter table platform_embeddings add column code_chunk integer;
alter table platform_embeddings add column code_slot integer;

create table if not exists platform_embedding_codes (
  tenant_id  text    not null,
  dimensions integer not null,
  chunk      integer not null,
  -- Slots holding a row; a chunk is removed when it reaches 0.
  live       integer not null,
  -- A random number drawn when the chunk row is created, and a count of its changes: together
  -- they tell a process whether the copy of the chunk it keeps in memory is current.
  created    integer not null,
  version    integer not null default 0,
  -- Per slot: the row_id (int64, little-endian), 0 for a free slot.
  row_ids    blob    not null,
  -- Per slot: the code, P / 8 bytes (32-bit words), zeros for a free slot. The triggers below take
  -- a slot's size from the blobs (length(codes) * 8 / length(row_ids)), not from the code format.
  codes      blob    not null,
  primary key (tenant_id, dimensions, chunk)
);

-- Rows waiting for a slot (written before this migration, or by a store with vectorIndex 'none').
create index if not exists platform_embeddings_unindexed on platform_embeddings (tenant_id, dimensions)
  where code_chunk is null;
-- Filtered searches: a kind or model held by few rows is searched exactly through these.
create index if not exists platform_embeddings_kind on platform_embeddings (tenant_id, dimensions, kind);
create index if not exists platform_embeddings_model on platform_embeddings (tenant_id, dimensions, model);

-- A row leaving its slot (deleted, directly or by cascade, or moved to another slot) clears the
-- slot in the same transaction, whichever connection writes: the index never returns a deleted
-- row, and no code of erased data stays in the file. (`||` yields text: cast back, byte for byte.)
create trigger if not exists platform_embeddings_code_delete after delete on platform_embeddings
when old.code_chunk is not null begin
  update platform_embedding_codes set
    live = live - 1,
    version = version + 1,
    row_ids = cast(substr(row_ids, 1, old.code_slot * 8) || zeroblob(8) || substr(row_ids, old.code_slot * 8 + 9) as blob),
    codes = cast(
      substr(codes, 1, old.code_slot * (length(codes) * 8 / length(row_ids)))
      || zeroblob(length(codes) * 8 / length(row_ids))
      || substr(codes, (old.code_slot + 1) * (length(codes) * 8 / length(row_ids)) + 1) as blob)
  where tenant_id = old.tenant_id and dimensions = old.dimensions and chunk = old.code_chunk;
  delete from platform_embedding_codes
  where tenant_id = old.tenant_id and dimensions = old.dimensions and chunk = old.code_chunk and live <= 0;
end;
create trigger if not exists platform_embeddings_code_move after update of code_chunk, code_slot, dimensions
on platform_embeddings
when old.code_chunk is not null
  and (new.code_chunk is not old.code_chunk or new.code_slot is not old.code_slot or new.dimensions <> old.dimensions)
begin
  update platform_embedding_codes set
    live = live - 1,
    version = version + 1,
    row_ids = cast(substr(row_ids, 1, old.code_slot * 8) || zeroblob(8) || substr(row_ids, old.code_slot * 8 + 9) as blob),
    codes = cast(
      substr(codes, 1, old.code_slot * (length(codes) * 8 / length(row_ids)))
      || zeroblob(length(codes) * 8 / length(row_ids))
      || substr(codes, (old.code_slot + 1) * (length(codes) * 8 / length(row_ids)) + 1) as blob)
  where tenant_id = old.tenant_id and dimensions = old.dimensions and chunk = old.code_chunk;
  delete from platform_embedding_codes
  where tenant_id = old.tenant_id and dimensions = old.dimensions and chunk = old.code_chunk and live <= 0;
end;
