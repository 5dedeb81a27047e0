import { type ColumnProfile, type ColumnProfilerState, type ProfilerLimits, profileOf } from './column-profile.js';
import { HeavyHitters, type HeavyKey } from './heavy-hitters.js';
import { HyperLogLog, hash32 } from './hyperloglog.js';
import { DEFAULT_NULL_TOKENS, NullTokens } from './readings.js';
import { pickUniform, SeededRandom } from './sampling.js';
import { ValueFigures } from './value-figures.js';
import { ByteKeyTable, type CountBox, detach, type FieldDecoder, hashPair, trimBytes, trimValue } from './values.js';

export {
  type ColumnProfile,
  type ColumnProfilerState,
  type NumericProfile,
  type PhysicalType,
  type ProfilerLimits,
  quantile,
} from './column-profile.js';

/** The full limits, defaults filled in. */
export type ResolvedLimits = Required<ProfilerLimits>;

/**
 * Profiles one column in a single pass with bounded memory: counts, nulls (empty values and null
 * tokens), distinct values (exact, then HyperLogLog), top values (exact, then Space-Saving with a
 * stated error), numbers (moments to the fourth, exact min and max, units, a reservoir sample for
 * quantiles), codes with leading zeros, booleans, dates (the day/month order decided per column),
 * text lengths and keywords; then one type for the column ({@link ColumnProfile.type}).
 */
export class ColumnProfiler {
  readonly name: string;
  /** The number the last added value was read as, or `NaN` when it was not a number. */
  lastNumber = Number.NaN;
  /**
   * A second 32-bit hash of the last added value (0 for a null), independent of the one
   * {@link add} returns: a table profiler's row fingerprints take both, so two rows differing in
   * one value are told apart unless both hashes of the two values collide.
   */
  lastCheck = 0;
  readonly #limits: ResolvedLimits;
  readonly #nullTokens: NullTokens;
  #count = 0;
  #nulls = 0;
  // Boxed counts: one map lookup a value instead of a get and a set.
  #counts: Map<string, CountBox> | undefined = new Map();
  // Distinct values once values come as bytes (addBytes): keyed by hashes of their bytes.
  #table: ByteKeyTable | undefined;
  #byteMode = false;
  // Past the exact limit: the most frequent values, keyed by text (add) or by byte hashes (addBytes).
  #heavy: HeavyHitters<string | number> | undefined;
  readonly #pair = new Int32Array(3);
  readonly #hll = new HyperLogLog();
  // What values read as and the figures of each kind.
  readonly #figures: ValueFigures;
  readonly #values: string[] = [];
  // A deterministic sample, so the same file always gives the same profile.
  readonly #random = new SeededRandom(0x2545f491);

  constructor(name: string, limits: ProfilerLimits = {}) {
    this.name = name;
    this.#limits = {
      exactDistinct: 10_000,
      sampleSize: 10_000,
      bins: 10,
      topValues: 10,
      keywordValues: 5000,
      topValuesCapacity: 2000,
      topValuesMinShare: 0.001,
      nullTokens: DEFAULT_NULL_TOKENS,
      ...limits,
    };
    this.#nullTokens = new NullTokens(this.#limits.nullTokens);
    this.#figures = new ValueFigures(this.#limits.sampleSize, this.#limits.keywordValues);
  }

  /**
   * Adds one value of the column. Returns a 32-bit hash of the value (0 for a null, and not 0
   * otherwise), which a table profiler combines into row hashes for duplicate detection.
   */
  add(value: unknown): number {
    if (this.#byteMode) {
      const bytes = Buffer.from(value === null || value === undefined ? '' : String(value), 'utf8');
      return this.addBytes(bytes, 0, bytes.length, (from, start, end) => (from as Buffer).toString('utf8', start, end));
    }
    this.#count += 1;
    this.lastNumber = Number.NaN;
    const text = value === null || value === undefined ? '' : typeof value === 'string' ? value : String(value);
    const trimmed = trimValue(text);
    if (trimmed.length === 0 || this.#nullTokens.has(trimmed)) {
      this.#nulls += 1;
      this.lastCheck = 0;
      return 0;
    }
    this.#sampleValue(text);
    const counts = this.#counts;
    let box = counts?.get(text);
    const seenBefore = box !== undefined;
    if (box !== undefined) box.count += 1;
    else {
      box = this.#figures.read(detach(text), trimmed, hash32(text));
      if (counts) {
        counts.set(box.text, box);
        if (counts.size > this.#limits.exactDistinct) this.#dropExact();
      } else {
        this.#hll.addHash(box.hash);
        const heavy = this.#heavy as HeavyHitters<string | number>;
        if (heavy.screen(box.hash) && heavy.count(box.text, 0)) heavy.take(box.text, box.text, 0);
      }
    }
    this.#figures.apply(box, seenBefore, box.spaced ? box.text : undefined);
    this.lastNumber = this.#figures.lastNumber;
    this.lastCheck = box.second;
    return box.hash === 0 ? 1 : box.hash;
  }

  #sampleValue(text: string): void {
    const nonNull = this.#count - this.#nulls;
    if (this.#values.length < 500) this.#values.push(detach(text));
    else {
      const slot = Math.floor(this.#random.next() * nonNull);
      if (slot < 500) this.#values[slot] = detach(text);
    }
  }

  /**
   * Adds one value given as bytes of a parsed file (`bytes[start, end)`), without making a
   * string of it unless it is new, sampled, or needed to read it: the fast path of
   * {@link profileDelimitedFile}. Gives the same figures as {@link add} on the decoded value
   * (white space around a value is ignored, a value of white space only or a null token is null).
   * From the first call on, the profiler counts distinct values by their bytes.
   */
  addBytes(bytes: Uint8Array, start: number, end: number, decode: FieldDecoder, singleByte = false): number {
    if (!this.#byteMode) this.#enterByteMode();
    this.#count += 1;
    this.lastNumber = Number.NaN;
    const bounds = this.#pair;
    trimBytes(bytes, start, end, singleByte, bounds);
    const trimmedStart = bounds[0] as number;
    const trimmedEnd = bounds[1] as number;
    if (trimmedStart === trimmedEnd || this.#nullTokens.hasBytes(bytes, trimmedStart, trimmedEnd)) {
      this.#nulls += 1;
      this.lastCheck = 0;
      return 0;
    }
    const nonNull = this.#count - this.#nulls;
    const pair = this.#pair;
    const table = this.#table;
    // Both hashes: the second keys exact counts and heavy hitters and goes into row fingerprints.
    hashPair(bytes, start, end, pair, true);
    const hashed = (pair[2] as number) >>> 0;
    this.lastCheck = (pair[1] as number) >>> 0;
    let text: string | undefined;
    const box = table?.get(pair[0] as number, pair[1] as number);
    if (box !== undefined) {
      box.count += 1;
      text = box.text;
      this.#figures.apply(box, true, box.spaced && this.#figures.wantsKeywords ? text : undefined);
    } else if (table) {
      text = decode(bytes, start, end);
      const trimmed = trimmedStart === start && trimmedEnd === end ? text : text.trim();
      const created = this.#figures.read(text, trimmed, hashed, (pair[1] as number) >>> 0);
      table.add(pair[0] as number, pair[1] as number, created);
      if (table.size > this.#limits.exactDistinct) this.#dropExact();
      this.#figures.apply(created, false, created.spaced ? text : undefined);
    } else {
      this.#hll.addHash(hashed);
      const heavy = this.#heavy as HeavyHitters<string | number>;
      if (heavy.screen(hashed)) {
        // Past the filter: the second hash tells values sharing the first apart.
        const key = pair[0] as number;
        const check = pair[1] as number;
        if (heavy.count(key, check)) {
          text = decode(bytes, start, end);
          heavy.take(key, text, check);
        }
      }
      text = this.#figures.addUnseen(bytes, start, end, trimmedStart, trimmedEnd, decode, singleByte, text);
    }
    this.lastNumber = this.#figures.lastNumber;
    if (this.#values.length < 500) this.#values.push(text ?? decode(bytes, start, end));
    else {
      const slot = Math.floor(this.#random.next() * nonNull);
      if (slot < 500) this.#values[slot] = text ?? decode(bytes, start, end);
    }
    return hashed === 0 ? 1 : hashed;
  }

  // Switches distinct counting to byte keys, bringing values counted so far along.
  #enterByteMode(): void {
    this.#byteMode = true;
    const counts = this.#counts;
    this.#counts = undefined;
    if (!counts) {
      // Heavy hitters keyed by text become keyed by byte hashes.
      const heavy = this.#heavy;
      if (heavy) {
        this.#heavy = new HeavyHitters(heavy.capacity);
        this.#heavy.merge(heavy.state(), (text) => this.#idOf(text), false);
      }
      return;
    }
    this.#table = new ByteKeyTable(this.#limits.exactDistinct + 1);
    for (const box of counts.values()) {
      const bytes = Buffer.from(box.text, 'utf8');
      hashPair(bytes, 0, bytes.length, this.#pair);
      this.#table.add(this.#pair[0] as number, this.#pair[1] as number, box);
    }
  }

  // How the top-value summary identifies a value: by its text and hash, or in byte mode by the
  // two hashes of its bytes (as addBytes does).
  #idOf(text: string): HeavyKey<string | number> {
    if (!this.#byteMode) return { key: text, check: 0, hash: hash32(text) };
    const bytes = Buffer.from(text, 'utf8');
    hashPair(bytes, 0, bytes.length, this.#pair);
    return { key: this.#pair[0] as number, check: this.#pair[1] as number, hash: (this.#pair[2] as number) >>> 0 };
  }

  #hashOf(value: string): number {
    if (!this.#byteMode) return hash32(value);
    const bytes = Buffer.from(value, 'utf8');
    hashPair(bytes, 0, bytes.length, this.#pair);
    return (this.#pair[2] as number) >>> 0;
  }

  // Counts a value another profiler counted `count` times (exact merge).
  #countMerged(value: string, count: number): void {
    let box: CountBox | undefined;
    if (this.#byteMode) {
      const bytes = Buffer.from(value, 'utf8');
      hashPair(bytes, 0, bytes.length, this.#pair);
      box = this.#table?.get(this.#pair[0] as number, this.#pair[1] as number);
    } else box = this.#counts?.get(value);
    if (box) {
      box.count += count;
      return;
    }
    const created = this.#figures.read(value, trimValue(value), this.#hashOf(value));
    created.count = count;
    if (this.#byteMode) this.#table?.add(this.#pair[0] as number, this.#pair[1] as number, created);
    else this.#counts?.set(value, created);
  }

  // Past the exact limit: distinct values go to HyperLogLog; the most frequent to Space-Saving,
  // seeded with the top counts (every value left out was counted at most as often as the least kept).
  #dropExact(): void {
    const boxes = this.#exactBoxes() ?? [];
    for (const box of boxes) this.#hll.addHash(box.hash);
    this.#heavy = summaryOf(
      boxes.map((box) => [box.text, box.count]),
      this.#limits.topValuesCapacity,
      (text) => this.#idOf(text),
    );
    this.#counts = undefined;
    this.#table = undefined;
  }

  // The exact distinct values, whichever way they are kept; undefined past the limit.
  #exactBoxes(): CountBox[] | undefined {
    if (this.#byteMode) return this.#table?.boxes;
    return this.#counts ? [...this.#counts.values()] : undefined;
  }

  /** Up to 500 non-null values of the column, a uniform sample, for type and meaning inference. */
  sampleValues(): string[] {
    return [...this.#values];
  }

  /** The profile of what was added so far. */
  profile(): ColumnProfile {
    const boxes = this.#exactBoxes();
    return profileOf({
      name: this.name,
      limits: this.#limits,
      count: this.#count,
      nulls: this.#nulls,
      exact: boxes?.map((box) => ({ value: box.text, count: box.count })),
      heavy: this.#heavy,
      distinctEstimate: boxes ? boxes.length : this.#hll.estimate(),
      ...this.#figures.profileInput(),
    });
  }

  /** The state so far as plain data (structured-clone safe). */
  state(): ColumnProfilerState {
    return {
      count: this.#count,
      nulls: this.#nulls,
      counts: this.#exactBoxes()?.map((box) => [box.text, box.count]) ?? null,
      heavy: this.#heavy?.state() ?? null,
      byteMode: this.#byteMode,
      hll: this.#hll.registers(),
      ...this.#figures.state(),
      values: [...this.#values],
      ...this.#figures.textState(),
    };
  }

  /**
   * Adds the values another profiler of the same column saw (e.g. in another part of the file):
   * counts and sketches merge exactly (HyperLogLog registers by maximum, moments by Pébay's
   * formulas, Space-Saving summaries as mergeable summaries); samples are drawn from both in
   * proportion to the values each stands for.
   */
  merge(other: ColumnProfilerState): void {
    const nonNullA = this.#count - this.#nulls;
    const nonNullB = other.count - other.nulls;
    // An empty profiler takes on the way the other counted (a merge target of worker states).
    if (other.byteMode && !this.#byteMode && this.#count === 0) this.#enterByteMode();
    if (this.#exactBoxes() && other.counts) {
      for (const [value, count] of other.counts) this.#countMerged(value, count);
      const size = this.#exactBoxes()?.length ?? 0;
      if (size > this.#limits.exactDistinct) this.#dropExact();
    } else {
      // From here on distinct values are estimated and top values summarised: both sides' exact values join them.
      if (this.#exactBoxes()) this.#dropExact();
      const heavy = this.#heavy as HeavyHitters<string | number>;
      for (const [value] of other.counts ?? []) this.#hll.addHash(this.#hashOf(value));
      const idOf = (text: string) => this.#idOf(text);
      const incoming = other.heavy ?? summaryOf(other.counts ?? [], heavy.capacity, idOf).state();
      heavy.merge(incoming, idOf, other.heavy === null || other.byteMode === this.#byteMode);
    }
    this.#hll.mergeRegisters(other.hll);
    this.#figures.merge(other, (a, sizeA, b, sizeB, limit) => this.#mix(a, sizeA, b, sizeB, limit));
    const values = this.#mix(this.#values, nonNullA, other.values, nonNullB, 500);
    this.#values.splice(0, this.#values.length, ...values);
    this.#count += other.count;
    this.#nulls += other.nulls;
  }

  // A uniform sample of the union of two populations, from uniform samples of each.
  #mix<T>(a: readonly T[], sizeA: number, b: readonly T[], sizeB: number, limit: number): T[] {
    if (a.length + b.length <= limit) return [...a, ...b];
    const fromA = Math.min(a.length, Math.round((limit * sizeA) / Math.max(1, sizeA + sizeB)));
    const fromB = Math.min(b.length, limit - fromA);
    return [...pickUniform(a, fromA, this.#random), ...pickUniform(b, fromB, this.#random)];
  }

  /** The numeric reservoir sample (sorted copy), for outlier fences. */
  numericSample(): number[] {
    return [...this.#figures.numbers.sample].sort((a, b) => a - b);
  }
}

// A top-value summary of exact counts: the `capacity` most frequent kept (every value left out
// was counted at most as often as the least kept), every count in the filter.
function summaryOf(
  counts: ReadonlyArray<readonly [string, number]>,
  capacity: number,
  idOf: (text: string) => HeavyKey<string | number>,
): HeavyHitters<string | number> {
  const heavy = new HeavyHitters<string | number>(capacity);
  const ranked = [...counts].sort((a, b) => b[1] - a[1]);
  ranked.forEach(([text, count], index) => {
    heavy.seed(idOf(text), text, count, index < capacity);
  });
  return heavy;
}
