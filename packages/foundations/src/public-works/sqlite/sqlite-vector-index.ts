import { randomInt } from 'node:crypto';
import type { SqliteDatabase } from './sqlite-database.js';

// The binary-code index of SqliteSemanticStore (migration sqlite-semantic/0003, docs/adr/0021):
// codes are kept in chunk rows of `platform_embedding_codes`, written in the same transaction as
// the embeddings, and scanned here in JS (a chunk is one blob: no per-row cost of SQLite's VM).

/**
 * Slots per chunk: a chunk row is 18 KB at 384 dimensions (512-bit codes and row ids). A write
 * rewrites its chunk, so smaller chunks make writes cheaper; a search reads every chunk of the
 * tenant, a few hundred rows at 100k vectors, which costs little more than fewer larger ones.
 */
export const CHUNK_SLOTS = 256;

/**
 * The rotation's length: the dimension zero-padded to a power of two, at least 128: a vector of few
 * dimensions still gets 128 hyperplanes, or its few bits would tie most of the tenant's rows.
 */
function paddedLength(dimensions: number): number {
  let length = 128;
  while (length < dimensions) length *= 2;
  return length;
}

/** Bytes of one code: one bit per value of the rotated vector, in whole 32-bit words. */
export function codeBytes(dimensions: number): number {
  return paddedLength(dimensions) / 8;
}

// The random signs of the rotation, per length: a fixed seed, as codes written by every process
// and version must agree (changing it means rebuilding every code: a migration).
const ROTATION_SEED = 0x2026_0021;
const ROUNDS = 3;
const rotations = new Map<number, Float64Array[]>();

function rotationSigns(length: number): Float64Array[] {
  let signs = rotations.get(length);
  if (!signs) {
    let state = ROTATION_SEED;
    const random = () => {
      // mulberry32
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return (t ^ (t >>> 14)) >>> 0;
    };
    signs = Array.from({ length: ROUNDS }, () => Float64Array.from({ length }, () => (random() & 1 ? -1 : 1)));
    rotations.set(length, signs);
  }
  return signs;
}

/** In place, unnormalised (only signs are kept); the first two stages fused. `length` >= 4. */
function walshHadamard(values: Float64Array): void {
  const length = values.length;
  for (let index = 0; index < length; index += 4) {
    const a = values[index] as number;
    const b = values[index + 1] as number;
    const c = values[index + 2] as number;
    const d = values[index + 3] as number;
    values[index] = a + b + (c + d);
    values[index + 1] = a - b + (c - d);
    values[index + 2] = a + b - (c + d);
    values[index + 3] = a - b - (c - d);
  }
  for (let half = 4; half < length; half *= 2) {
    for (let start = 0; start < length; start += half * 2) {
      for (let index = start, end = start + half; index < end; index += 1) {
        const a = values[index] as number;
        const b = values[index + half] as number;
        values[index] = a + b;
        values[index + half] = a - b;
      }
    }
  }
}

// One buffer per length, reused: codes are computed synchronously, one at a time.
const scratch = new Map<number, Float64Array>();

/**
 * The code of a vector: the signs of its random rotation (random sign flips and Walsh-Hadamard
 * transforms). Each bit is then a random hyperplane's side, so the Hamming distance between two
 * codes estimates the angle between the vectors even for sparse or axis-skewed vectors, whose
 * plain sign bits say little (most values of a hashed bag of words are 0).
 */
export function binaryCode(vector: Float32Array): Uint32Array {
  const length = paddedLength(vector.length);
  let values = scratch.get(length);
  if (!values) {
    values = new Float64Array(length);
    scratch.set(length, values);
  }
  values.fill(0);
  values.set(vector);
  for (const signs of rotationSigns(length)) {
    for (let index = 0; index < length; index += 1)
      values[index] = (values[index] as number) * (signs[index] as number);
    walshHadamard(values);
  }
  const code = new Uint32Array(length / 32);
  for (let word = 0; word < code.length; word += 1) {
    let bits = 0;
    for (let bit = 0; bit < 32; bit += 1) if ((values[word * 32 + bit] as number) > 0) bits |= 1 << bit;
    code[word] = bits >>> 0;
  }
  return code;
}

/** Where an embedding's code lives. */
export interface Slot {
  chunk: number;
  slot: number;
}

const readRowId = (ids: DataView, slot: number) =>
  ids.getUint32(slot * 8, true) + ids.getUint32(slot * 8 + 4, true) * 2 ** 32;
const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/**
 * `count` free slots of the tenant's chunks of `dimensions`: holes left by deletes first, then the
 * free tail of a chunk, then new chunks. Call inside the write transaction that fills them.
 */
export function allocateSlots(db: SqliteDatabase, tenantId: string, dimensions: number, count: number): Slot[] {
  const slots: Slot[] = [];
  let after = -1;
  while (slots.length < count) {
    const row = db.get<{ chunk: number; row_ids: Uint8Array }>(
      `select chunk, row_ids from platform_embedding_codes
       where tenant_id = ? and dimensions = ? and chunk > ? and live < ? order by chunk limit 1`,
      tenantId,
      dimensions,
      after,
      CHUNK_SLOTS,
    );
    if (!row) break;
    const ids = view(row.row_ids);
    const used = row.row_ids.byteLength / 8;
    for (let slot = 0; slot < CHUNK_SLOTS && slots.length < count; slot += 1) {
      if (slot >= used || readRowId(ids, slot) === 0) slots.push({ chunk: row.chunk, slot });
    }
    after = row.chunk;
  }
  if (slots.length < count) {
    const last = db.get<{ chunk: number | null }>(
      'select max(chunk) as chunk from platform_embedding_codes where tenant_id = ? and dimensions = ?',
      tenantId,
      dimensions,
    );
    let chunk = Math.max(after, last?.chunk ?? -1) + 1;
    for (let slot = 0; slots.length < count; slot = (slot + 1) % CHUNK_SLOTS) {
      slots.push({ chunk, slot });
      if (slot === CHUNK_SLOTS - 1) chunk += 1;
    }
  }
  return slots;
}

/**
 * Writes the codes of `entries` (row ids and their vectors' codes) into their slots. Call inside
 * the write transaction, after the rows themselves were written (their triggers may have cleared
 * other slots of the same chunks meanwhile: the chunks are read again here).
 */
export function writeCodes(
  db: SqliteDatabase,
  tenantId: string,
  dimensions: number,
  entries: readonly { rowId: number; slot: Slot; code: Uint32Array }[],
): void {
  const size = codeBytes(dimensions);
  const byChunk = new Map<number, (typeof entries)[number][]>();
  for (const entry of entries) {
    const list = byChunk.get(entry.slot.chunk);
    if (list) list.push(entry);
    else byChunk.set(entry.slot.chunk, [entry]);
  }
  for (const [chunk, chunkEntries] of byChunk) {
    const old = db.get<{ row_ids: Uint8Array; codes: Uint8Array }>(
      'select row_ids, codes from platform_embedding_codes where tenant_id = ? and dimensions = ? and chunk = ?',
      tenantId,
      dimensions,
      chunk,
    );
    const slots = Math.max((old?.row_ids.byteLength ?? 0) / 8, ...chunkEntries.map((entry) => entry.slot.slot + 1));
    const rowIds = new Uint8Array(slots * 8);
    const codes = new Uint8Array(slots * size);
    if (old) {
      rowIds.set(old.row_ids);
      codes.set(old.codes);
    }
    const ids = view(rowIds);
    for (const { rowId, slot, code } of chunkEntries) {
      ids.setUint32(slot.slot * 8, rowId % 2 ** 32, true);
      ids.setUint32(slot.slot * 8 + 4, Math.floor(rowId / 2 ** 32), true);
      codes.set(new Uint8Array(code.buffer, code.byteOffset, size), slot.slot * size);
    }
    let live = 0;
    for (let slot = 0; slot < slots; slot += 1) if (readRowId(ids, slot) !== 0) live += 1;
    db.run(
      `insert into platform_embedding_codes (tenant_id, dimensions, chunk, live, created, row_ids, codes)
       values (?, ?, ?, ?, ?, ?, ?)
       on conflict (tenant_id, dimensions, chunk) do update set live = excluded.live, row_ids = excluded.row_ids,
         codes = excluded.codes, version = version + 1`,
      tenantId,
      dimensions,
      chunk,
      live,
      randomInt(2 ** 47),
      rowIds,
      codes,
    );
  }
}

/** The number of indexed embeddings of a tenant and dimension. */
export function indexedCount(db: SqliteDatabase, tenantId: string, dimensions: number): number {
  const row = db.get<{ live: number | null }>(
    'select sum(live) as live from platform_embedding_codes where tenant_id = ? and dimensions = ?',
    tenantId,
    dimensions,
  );
  return Number(row?.live ?? 0);
}

/** Words whose per-byte bit counts can be summed without a byte overflowing (31 × 8 = 248). */
const BYTE_SUM_WORDS = 31;

/** A chunk as a search reads it: row ids (0 for a free slot) and codes, decoded once. */
export interface CachedChunk {
  created: number;
  version: number;
  rowIds: Float64Array;
  codes: Uint32Array;
}

function decodeChunk(row: { created: number; version: number; row_ids: Uint8Array; codes: Uint8Array }): CachedChunk {
  const ids = view(row.row_ids);
  const rowIds = new Float64Array(row.row_ids.byteLength / 8);
  for (let slot = 0; slot < rowIds.length; slot += 1) rowIds[slot] = readRowId(ids, slot);
  const bytes = row.codes.byteOffset % 4 === 0 ? row.codes : row.codes.slice();
  return {
    created: row.created,
    version: row.version,
    rowIds,
    codes: new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4),
  };
}

/**
 * Arrays a ranking works in, kept by one store and reused by each of its searches: fresh ones
 * were about 1.8 MB a search at 100k rows, and their collection showed in the latency's tail. A
 * ranking is valid until the next one made with the same buffers (a search is synchronous).
 */
export class RankingBuffers {
  distances = new Uint16Array(0);
  rowIds = new Float64Array(0);
  ordered = new Float64Array(0);

  /** Grows the arrays to hold `rows` (by half again, so a growing tenant reallocates rarely). */
  reserve(rows: number): void {
    if (this.distances.length >= rows) return;
    const size = Math.max(rows, Math.ceil(this.distances.length * 1.5));
    this.distances = new Uint16Array(size);
    this.rowIds = new Float64Array(size);
    this.ordered = new Float64Array(size);
  }
}

/**
 * The chunks of recently searched tenants, kept in memory by one store (one connection). Each
 * search reads the chunks' (created, version) pairs, a few bytes per chunk, and reads again only
 * the chunks that changed since: whichever process changed them, as every change of a chunk row,
 * in JS or in a trigger, counts its version up. Least recently searched tenants are dropped beyond
 * `maxBytes`.
 */
export class CodeCache {
  /**
   * The arrays this store's searches rank in: 18 bytes a row of the largest tenant it has searched,
   * kept for the store's life and not counted in `maxBytes` (16 MB at 900k rows).
   */
  readonly rankingBuffers = new RankingBuffers();
  readonly #entries = new Map<string, Map<number, CachedChunk>>();
  readonly #maxBytes: number;
  #bytes = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** The current chunks of a tenant and dimension. */
  chunks(db: SqliteDatabase, tenantId: string, dimensions: number): CachedChunk[] {
    const key = JSON.stringify([tenantId, dimensions]);
    const cached = this.#entries.get(key) ?? new Map<number, CachedChunk>();
    this.#entries.delete(key);
    this.#entries.set(key, cached);
    const versions = db.all<{ chunk: number; created: number; version: number }>(
      'select chunk, created, version from platform_embedding_codes where tenant_id = ? and dimensions = ?',
      tenantId,
      dimensions,
    );
    const current = new Set<number>();
    const chunks: CachedChunk[] = [];
    for (const { chunk, created, version } of versions) {
      let entry = cached.get(chunk);
      if (!entry || entry.created !== created || entry.version !== version) {
        const row = db.get<{ created: number; version: number; row_ids: Uint8Array; codes: Uint8Array }>(
          `select created, version, row_ids, codes from platform_embedding_codes
           where tenant_id = ? and dimensions = ? and chunk = ?`,
          tenantId,
          dimensions,
          chunk,
        );
        if (!row) continue; // deleted by another process meanwhile
        this.#drop(cached, chunk);
        entry = decodeChunk(row);
        cached.set(chunk, entry);
        this.#bytes += entry.rowIds.byteLength + entry.codes.byteLength;
      }
      current.add(chunk);
      chunks.push(entry);
    }
    for (const chunk of [...cached.keys()]) if (!current.has(chunk)) this.#drop(cached, chunk);
    for (const [other, entries] of this.#entries) {
      if (this.#bytes <= this.#maxBytes || other === key) break;
      for (const chunk of [...entries.keys()]) this.#drop(entries, chunk);
      this.#entries.delete(other);
    }
    return chunks;
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }

  #drop(entries: Map<number, CachedChunk>, chunk: number): void {
    const entry = entries.get(chunk);
    if (!entry) return;
    this.#bytes -= entry.rowIds.byteLength + entry.codes.byteLength;
    entries.delete(chunk);
  }
}

/**
 * The row ids of some chunks ranked by the Hamming distance of their code to a query's, nearest
 * first. Distances are small integers, so the ranking is a counting sort, done lazily: a search
 * that rescores the first thousand of 100k rows places only the rows up to the distance that
 * covers them, in one pass, instead of ordering all 100k.
 */
export class CodeRanking {
  /** How many rows are ranked. */
  readonly length: number;
  readonly #distances: Uint16Array;
  readonly #rowIds: Float64Array;
  /** Per distance d: how many rows lie at d or nearer. */
  readonly #within: Uint32Array;
  /** Per distance d: where its next row goes in #ordered. */
  readonly #next: Uint32Array;
  readonly #ordered: Float64Array;
  /** Rows at this distance or nearer are in #ordered. */
  #placedThrough = -1;

  constructor(distances: Uint16Array, rowIds: Float64Array, ordered: Float64Array, histogram: Uint32Array) {
    this.length = distances.length;
    this.#distances = distances;
    this.#rowIds = rowIds;
    this.#ordered = ordered;
    this.#within = new Uint32Array(histogram.length);
    this.#next = new Uint32Array(histogram.length);
    let within = 0;
    for (let distance = 0; distance < histogram.length; distance += 1) {
      this.#next[distance] = within;
      within += histogram[distance] as number;
      this.#within[distance] = within;
    }
  }

  /** The row ids ranked `start` to `end` (exclusive), nearest first. */
  slice(start: number, end: number): Float64Array {
    const last = Math.min(end, this.length);
    const ordered = this.#ordered;
    const placed = this.#placedThrough < 0 ? 0 : (this.#within[this.#placedThrough] as number);
    if (last > placed) {
      let through = this.#placedThrough + 1;
      while ((this.#within[through] as number) < last) through += 1;
      const after = this.#placedThrough;
      const distances = this.#distances;
      const next = this.#next;
      for (let index = 0; index < distances.length; index += 1) {
        const distance = distances[index] as number;
        if (distance <= after || distance > through) continue;
        ordered[next[distance] as number] = this.#rowIds[index] as number;
        next[distance] = (next[distance] as number) + 1;
      }
      this.#placedThrough = through;
    }
    return ordered.subarray(Math.min(start, last), last);
  }
}

/**
 * Ranks every row id of `chunks` by the Hamming distance of its code to `query`, in `buffers`
 * (fresh ones when not given). Distances are kept in 16 bits: codes have at most 4,096 bits, as
 * vectors have at most 4,096 dimensions (the SemanticStore port's limit).
 */
export function rankByCodeDistance(
  chunks: readonly CachedChunk[],
  query: Uint32Array,
  buffers = new RankingBuffers(),
): CodeRanking {
  const words = query.length;
  if (words * 32 > 0xffff) throw new RangeError(`a code of ${words * 32} bits: distances are kept in 16 bits`);
  let total = 0;
  for (const chunk of chunks) total += chunk.rowIds.length;
  buffers.reserve(total);
  const { distances, rowIds } = buffers;
  const histogram = new Uint32Array(words * 32 + 1);
  let position = 0;
  for (const { rowIds: ids, codes } of chunks) {
    for (let slot = 0, offset = 0; slot < ids.length; slot += 1, offset += words) {
      const rowId = ids[slot] as number;
      if (rowId === 0) continue;
      // Per word, the bit counts of its 4 bytes (each at most 8), summed byte by byte over up to
      // 31 words (at most 248 a byte); the 4 byte sums are added once per block instead of once
      // per word (not by the usual multiply, whose top byte holds only totals below 256).
      let distance = 0;
      for (let block = 0; block < words; block += BYTE_SUM_WORDS) {
        const end = Math.min(words, block + BYTE_SUM_WORDS);
        let byteCounts = 0;
        for (let word = block; word < end; word += 1) {
          const bits = (codes[offset + word] as number) ^ (query[word] as number);
          let x = bits - ((bits >>> 1) & 0x55555555);
          x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
          byteCounts = (byteCounts + ((x + (x >>> 4)) & 0x0f0f0f0f)) | 0;
        }
        const pairs = (byteCounts & 0x00ff00ff) + ((byteCounts >>> 8) & 0x00ff00ff);
        distance += (pairs & 0xffff) + (pairs >>> 16);
      }
      distances[position] = distance;
      rowIds[position] = rowId;
      histogram[distance] = (histogram[distance] as number) + 1;
      position += 1;
    }
  }
  return new CodeRanking(
    distances.subarray(0, position),
    rowIds.subarray(0, position),
    buffers.ordered.subarray(0, position),
    histogram,
  );
}
