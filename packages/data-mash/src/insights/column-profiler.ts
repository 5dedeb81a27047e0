import { DateAccumulator, type DateAccumulatorState, type DateProfile, parseDateValue } from './dates.js';
import { HyperLogLog, hash32 } from './hyperloglog.js';
import { KeywordCounter } from './keywords.js';
import {
  ByteKeyTable,
  type CountBox,
  detach,
  type FieldDecoder,
  hashPair,
  isDigit,
  isNull,
  numberFromBytes,
  toNumber,
  utf16Length,
} from './values.js';

/** Limits of a {@link ColumnProfiler}. */
export interface ProfilerLimits {
  /** Distinct values counted exactly (and top values kept exactly) up to this many. Default 10,000. */
  exactDistinct?: number;
  /** Numeric values kept (uniform reservoir sample) for quantiles and histograms. Default 10,000. */
  sampleSize?: number;
  /** Histogram bins. Default 10. */
  bins?: number;
  /** Top values reported. Default 10. */
  topValues?: number;
  /** The first text values (of at least two words) whose words are counted for keywords. Default 5,000. */
  keywordValues?: number;
}

/** The profile of one column. */
export interface ColumnProfile {
  name: string;
  count: number;
  nulls: number;
  distinct: number;
  /** `exact`, or `hyperloglog` (about 0.8 % standard error) past `exactDistinct` values. */
  distinctMethod: 'exact' | 'hyperloglog';
  /**
   * Most frequent values with counts: exact while distinct values stayed within `exactDistinct`;
   * past that (`sample`), the values seen at least 3 times in the 500-value uniform sample, with
   * counts scaled to the column (so values under about 1 % of the column are not listed).
   */
  topValues: Array<{ value: string; count: number }>;
  topValuesMethod: 'exact' | 'sample';
  numeric?: {
    count: number;
    min: number;
    max: number;
    mean: number;
    /** Sample standard deviation. */
    stdDev: number;
    median: number;
    quantiles: { p05: number; p25: number; p75: number; p95: number };
    histogram: Array<{ from: number; to: number; count: number }>;
    /** `exact`, or `sample` when quantiles and histogram come from a uniform sample. */
    quantileMethod: 'exact' | 'sample';
  };
  /** Present when at least 90 % of the non-null values are dates or date-times. */
  dates?: DateProfile;
  /** Lengths of the values that are not numbers, and the top content words of multi-word values. */
  text?: {
    minLength: number;
    maxLength: number;
    meanLength: number;
    keywords: Array<{ word: string; count: number }>;
  };
}

/** A {@link ColumnProfiler}'s accumulated state as plain data: what a worker thread sends back to be merged. */
export interface ColumnProfilerState {
  /** Distinct values were keyed by their bytes (see {@link ColumnProfiler.addBytes}). */
  byteMode: boolean;
  count: number;
  nulls: number;
  counts: Array<[string, number]> | null;
  hll: Uint8Array;
  numericCount: number;
  mean: number;
  m2: number;
  min: number;
  max: number;
  sample: number[];
  values: string[];
  textCount: number;
  lengthSum: number;
  minLength: number;
  maxLength: number;
  dates: DateAccumulatorState;
  keywords: Array<[string, number]>;
  keywordBudget: number;
}

/** Linear interpolation between closest ranks (the "type 7" quantile of R, NumPy and DuckDB's quantile_cont). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const low = sorted[lower] as number;
  return low + ((sorted[upper] as number) - low) * (position - lower);
}

/**
 * Profiles one column in a single pass with bounded memory: counts, nulls, distinct values (exact,
 * then HyperLogLog), top values (exact, then from a uniform sample), numeric moments (Welford), quantiles
 * and histogram (exact, then from a uniform reservoir sample), date range and rhythm, text
 * lengths and keywords.
 */
export class ColumnProfiler {
  readonly name: string;
  /** The number the last added value was read as, or `NaN` when it was not a number. */
  lastNumber = Number.NaN;
  readonly #limits: Required<ProfilerLimits>;
  #count = 0;
  #nulls = 0;
  // Boxed counts: one map lookup a value instead of a get and a set.
  #counts: Map<string, CountBox> | undefined = new Map();
  // Distinct values once values come as bytes (addBytes): keyed by hashes of their bytes.
  #table: ByteKeyTable | undefined;
  #byteMode = false;
  readonly #pair = new Int32Array(3);
  readonly #hll = new HyperLogLog();
  #numericCount = 0;
  #mean = 0;
  #m2 = 0;
  #min = Number.POSITIVE_INFINITY;
  #max = Number.NEGATIVE_INFINITY;
  readonly #sample: number[] = [];
  readonly #values: string[] = [];
  #textCount = 0;
  #lengthSum = 0;
  #minLength = Number.POSITIVE_INFINITY;
  #maxLength = 0;
  #dates = new DateAccumulator();
  #datesPossible = true;
  readonly #keywords = new KeywordCounter();
  #keywordBudget: number;
  #seed = 0x2545f491;

  constructor(name: string, limits: ProfilerLimits = {}) {
    this.name = name;
    this.#limits = {
      exactDistinct: 10_000,
      sampleSize: 10_000,
      bins: 10,
      topValues: 10,
      keywordValues: 5000,
      ...limits,
    };
    this.#keywordBudget = this.#limits.keywordValues;
  }

  #random(): number {
    // xorshift32: a deterministic sample, so the same file always gives the same profile.
    this.#seed ^= this.#seed << 13;
    this.#seed ^= this.#seed >>> 17;
    this.#seed ^= this.#seed << 5;
    return (this.#seed >>> 0) / 0x100000000;
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
    if (isNull(value)) {
      this.#nulls += 1;
      return 0;
    }
    const text = typeof value === 'string' ? value : String(value);
    const nonNull = this.#count - this.#nulls;
    if (this.#values.length < 500) this.#values.push(detach(text));
    else {
      const slot = Math.floor(this.#random() * nonNull);
      if (slot < 500) this.#values[slot] = detach(text);
    }
    let number: number;
    let epoch = Number.NaN;
    let hashed: number;
    let seenBefore = false;
    const counts = this.#counts;
    const box = counts?.get(text);
    if (box !== undefined) {
      // A value seen before is not hashed or read again.
      box.count += 1;
      number = box.number;
      epoch = box.epoch;
      hashed = box.hash;
      seenBefore = true;
    } else {
      hashed = hash32(text);
      number = toNumber(value);
      // biome-ignore lint/suspicious/noSelfCompare: the allocation-free test for NaN
      if (number !== number && this.#datesPossible) epoch = parseDateValue(text) ?? Number.NaN;
      if (counts) {
        const key = detach(text);
        counts.set(key, {
          count: 1,
          number,
          epoch,
          hash: hashed,
          text: key,
          spaced: key.includes(' '),
          length: key.length,
        });
        // Past the limit, counting stops: distinct values go to HyperLogLog, top values come from the sample.
        if (counts.size > this.#limits.exactDistinct) {
          for (const seen of counts.values()) this.#hll.addHash(seen.hash);
          this.#counts = undefined;
        }
      } else this.#hll.addHash(hashed);
    }
    const high = hashed === 0 ? 1 : hashed;
    // biome-ignore lint/suspicious/noSelfCompare: the allocation-free test for NaN
    if (number === number) this.#addNumber(number);
    else this.#addText(text.length, epoch, seenBefore, text.includes(' ') ? text : undefined);
    return high;
  }

  #addNumber(number: number): void {
    this.lastNumber = number;
    this.#numericCount += 1;
    const delta = number - this.#mean;
    this.#mean += delta / this.#numericCount;
    this.#m2 += delta * (number - this.#mean);
    if (number < this.#min) this.#min = number;
    if (number > this.#max) this.#max = number;
    if (this.#sample.length < this.#limits.sampleSize) this.#sample.push(number);
    else {
      const slot = Math.floor(this.#random() * this.#numericCount);
      if (slot < this.#limits.sampleSize) this.#sample[slot] = number;
    }
  }

  // `spaced`: the value when it has a space (a keyword candidate), else undefined.
  #addText(length: number, epoch: number, seenBefore: boolean, spaced: string | undefined): void {
    this.#textCount += 1;
    this.#lengthSum += length;
    if (length < this.#minLength) this.#minLength = length;
    if (length > this.#maxLength) this.#maxLength = length;
    if (this.#datesPossible) {
      // biome-ignore lint/suspicious/noSelfCompare: the allocation-free test for NaN
      if (epoch === epoch) this.#dates.add(epoch, seenBefore);
      // Stop looking once most values so far were not dates.
      else if (this.#textCount - this.#dates.count > 100 && this.#dates.count < this.#textCount * 0.9)
        this.#datesPossible = false;
    }
    if (this.#keywordBudget > 0 && spaced !== undefined) {
      this.#keywordBudget -= 1;
      this.#keywords.add(spaced);
    }
  }

  /**
   * Adds one value given as bytes of a parsed file (`bytes[start, end)`), without making a
   * string of it unless it is new, sampled, or a keyword candidate: the fast path of
   * {@link profileDelimitedFile}. Gives the same figures as {@link add} on the decoded value
   * (white space around a number is ignored, a value of white space only is null). From the
   * first call on, the profiler counts distinct values by their bytes.
   */
  addBytes(bytes: Uint8Array, start: number, end: number, decode: FieldDecoder, singleByte = false): number {
    if (!this.#byteMode) this.#enterByteMode();
    this.#count += 1;
    this.lastNumber = Number.NaN;
    let trimmedStart = start;
    let trimmedEnd = end;
    while (trimmedStart < trimmedEnd && (bytes[trimmedStart] as number) <= 32) trimmedStart += 1;
    while (trimmedEnd > trimmedStart && (bytes[trimmedEnd - 1] as number) <= 32) trimmedEnd -= 1;
    if (trimmedStart === trimmedEnd) {
      this.#nulls += 1;
      return 0;
    }
    const nonNull = this.#count - this.#nulls;
    const pair = this.#pair;
    const table = this.#table;
    hashPair(bytes, start, end, pair, table !== undefined);
    const hashed = (pair[2] as number) >>> 0;
    let number: number;
    let epoch = Number.NaN;
    let seenBefore = false;
    let text: string | undefined;
    let length: number;
    let spaced: boolean;
    const box = table?.get(pair[0] as number, pair[1] as number);
    if (box !== undefined) {
      box.count += 1;
      number = box.number;
      epoch = box.epoch;
      text = box.text;
      spaced = box.spaced;
      seenBefore = true;
      length = box.length;
    } else if (table) {
      text = decode(bytes, start, end);
      number = toNumber(text);
      // biome-ignore lint/suspicious/noSelfCompare: the allocation-free test for NaN
      if (number !== number && this.#datesPossible) epoch = parseDateValue(text) ?? Number.NaN;
      spaced = text.includes(' ');
      table.add(pair[0] as number, pair[1] as number, {
        count: 1,
        number,
        epoch,
        hash: hashed,
        text,
        spaced,
        length: text.length,
      });
      if (table.size > this.#limits.exactDistinct) {
        for (const seen of table.boxes) this.#hll.addHash(seen.hash);
        this.#table = undefined;
      }
      length = text.length;
    } else {
      this.#hll.addHash(hashed);
      number = numberFromBytes(bytes, trimmedStart, trimmedEnd);
      // biome-ignore lint/suspicious/noSelfCompare: the allocation-free test for NaN
      if (number !== number && this.#datesPossible && isDigit(bytes[start] as number)) {
        text = decode(bytes, start, end);
        epoch = parseDateValue(text) ?? Number.NaN;
      }
      length = singleByte ? end - start : utf16Length(bytes, start, end);
      spaced = false;
      if (this.#keywordBudget > 0)
        for (let index = start; index < end; index += 1)
          if (bytes[index] === 32) {
            spaced = true;
            break;
          }
    }
    if (this.#values.length < 500) this.#values.push(text ?? decode(bytes, start, end));
    else {
      const slot = Math.floor(this.#random() * nonNull);
      if (slot < 500) this.#values[slot] = text ?? decode(bytes, start, end);
    }
    // biome-ignore lint/suspicious/noSelfCompare: the allocation-free test for NaN
    if (number === number) this.#addNumber(number);
    else
      this.#addText(
        length,
        epoch,
        seenBefore,
        spaced && this.#keywordBudget > 0 ? (text ?? decode(bytes, start, end)) : undefined,
      );
    return hashed === 0 ? 1 : hashed;
  }

  // Switches distinct counting to byte keys, bringing values counted so far along.
  #enterByteMode(): void {
    this.#byteMode = true;
    const counts = this.#counts;
    this.#counts = undefined;
    if (!counts) return;
    this.#table = new ByteKeyTable(this.#limits.exactDistinct + 1);
    for (const box of counts.values()) {
      const bytes = Buffer.from(box.text, 'utf8');
      hashPair(bytes, 0, bytes.length, this.#pair);
      this.#table.add(this.#pair[0] as number, this.#pair[1] as number, box);
    }
  }

  #hashOf(value: string): number {
    if (!this.#byteMode) return hash32(value);
    const bytes = Buffer.from(value, 'utf8');
    hashPair(bytes, 0, bytes.length, this.#pair);
    return (this.#pair[2] as number) >>> 0;
  }

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
    const number = toNumber(value);
    const epoch = Number.isNaN(number) ? (parseDateValue(value) ?? Number.NaN) : Number.NaN;
    const created = {
      count,
      number,
      epoch,
      hash: this.#hashOf(value),
      text: value,
      spaced: value.includes(' '),
      length: value.length,
    };
    if (this.#byteMode) this.#table?.add(this.#pair[0] as number, this.#pair[1] as number, created);
    else this.#counts?.set(value, created);
  }

  // Past the exact limit: distinct values go to HyperLogLog, top values come from the sample.
  #dropExact(): void {
    for (const box of this.#exactBoxes() ?? []) this.#hll.addHash(box.hash);
    this.#counts = undefined;
    this.#table = undefined;
  }

  // The exact distinct values, whichever way they are kept; undefined past the limit.
  #exactBoxes(): CountBox[] | undefined {
    if (this.#byteMode) return this.#table?.boxes;
    return this.#counts ? [...this.#counts.values()] : undefined;
  }

  #topFromSample(): Array<{ value: string; count: number }> {
    const inSample = new Map<string, number>();
    for (const value of this.#values) inSample.set(value, (inSample.get(value) ?? 0) + 1);
    const scale = (this.#count - this.#nulls) / Math.max(1, this.#values.length);
    return [...inSample.entries()]
      .filter(([, count]) => count >= 3)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, this.#limits.topValues)
      .map(([value, count]) => ({ value, count: Math.round(count * scale) }));
  }

  /** Up to 500 non-null values of the column, a uniform sample, for type and meaning inference. */
  sampleValues(): string[] {
    return [...this.#values];
  }

  /** The profile of what was added so far. */
  profile(): ColumnProfile {
    const boxes = this.#exactBoxes();
    const exact = boxes !== undefined;
    const top = boxes
      ? [...boxes]
          .sort((a, b) => b.count - a.count || (a.text < b.text ? -1 : 1))
          .slice(0, this.#limits.topValues)
          .map((box) => ({ value: box.text, count: box.count }))
      : this.#topFromSample();
    const profile: ColumnProfile = {
      name: this.name,
      count: this.#count,
      nulls: this.#nulls,
      distinct: boxes ? boxes.length : this.#hll.estimate(),
      distinctMethod: exact ? 'exact' : 'hyperloglog',
      topValues: top,
      topValuesMethod: exact ? 'exact' : 'sample',
    };
    // A column is numeric when most of its non-null values are numbers.
    const nonNull = this.#count - this.#nulls;
    if (this.#numericCount > 0 && this.#numericCount >= nonNull * 0.9) {
      const sorted = [...this.#sample].sort((a, b) => a - b);
      const bins = this.#limits.bins;
      const width = (this.#max - this.#min) / bins || 1;
      // Sample counts are scaled to the column, so bins always sum to the numeric count.
      const scale = this.#numericCount / Math.max(1, sorted.length);
      const histogram = Array.from({ length: bins }, (_, index) => ({
        from: this.#min + index * width,
        to: this.#min + (index + 1) * width,
        count: 0,
      }));
      for (const value of sorted)
        (histogram[Math.min(bins - 1, Math.floor((value - this.#min) / width))] as { count: number }).count += 1;
      if (scale !== 1) for (const bin of histogram) bin.count = Math.round(bin.count * scale);
      profile.numeric = {
        count: this.#numericCount,
        min: this.#min,
        max: this.#max,
        mean: this.#mean,
        stdDev: this.#numericCount > 1 ? Math.sqrt(this.#m2 / (this.#numericCount - 1)) : 0,
        median: quantile(sorted, 0.5),
        quantiles: {
          p05: quantile(sorted, 0.05),
          p25: quantile(sorted, 0.25),
          p75: quantile(sorted, 0.75),
          p95: quantile(sorted, 0.95),
        },
        histogram,
        quantileMethod: this.#numericCount <= this.#limits.sampleSize ? 'exact' : 'sample',
      };
      return profile;
    }
    if (this.#dates.count > 0 && this.#dates.count >= nonNull * 0.9) {
      const dates = this.#dates.profile();
      if (dates) profile.dates = dates;
    }
    if (this.#textCount > 0) {
      profile.text = {
        minLength: this.#minLength,
        maxLength: this.#maxLength,
        meanLength: this.#lengthSum / this.#textCount,
        keywords: this.#keywords.top(this.#limits.topValues),
      };
    }
    return profile;
  }

  /** The state so far as plain data (structured-clone safe). */
  state(): ColumnProfilerState {
    return {
      count: this.#count,
      nulls: this.#nulls,
      counts: this.#exactBoxes()?.map((box) => [box.text, box.count]) ?? null,
      byteMode: this.#byteMode,
      hll: this.#hll.registers(),
      numericCount: this.#numericCount,
      mean: this.#mean,
      m2: this.#m2,
      min: this.#min,
      max: this.#max,
      sample: [...this.#sample],
      values: [...this.#values],
      textCount: this.#textCount,
      lengthSum: this.#lengthSum,
      minLength: this.#minLength,
      maxLength: this.#maxLength,
      dates: this.#dates.state(),
      keywords: this.#keywords.entries(),
      keywordBudget: this.#keywordBudget,
    };
  }

  /**
   * Adds the values another profiler of the same column saw (e.g. in another part of the file):
   * counts and sketches merge exactly (HyperLogLog registers by maximum, moments by Chan's
   * formula); the samples are drawn from both in proportion to the values each stands for.
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
      // From here on distinct values are estimated: bring both sides' exact values into the sketch.
      for (const [value] of other.counts ?? []) this.#hll.addHash(this.#hashOf(value));
      this.#dropExact();
    }
    this.#hll.mergeRegisters(other.hll);
    const numeric = this.#numericCount + other.numericCount;
    if (other.numericCount > 0) {
      const delta = other.mean - this.#mean;
      this.#m2 += other.m2 + (delta * delta * this.#numericCount * other.numericCount) / numeric;
      this.#mean += (delta * other.numericCount) / numeric;
    }
    const sample = this.#mix(
      this.#sample,
      this.#numericCount,
      other.sample,
      other.numericCount,
      this.#limits.sampleSize,
    );
    const values = this.#mix(this.#values, nonNullA, other.values, nonNullB, 500);
    this.#sample.splice(0, this.#sample.length, ...sample);
    this.#values.splice(0, this.#values.length, ...values);
    this.#numericCount = numeric;
    this.#min = Math.min(this.#min, other.min);
    this.#max = Math.max(this.#max, other.max);
    this.#count += other.count;
    this.#nulls += other.nulls;
    this.#textCount += other.textCount;
    this.#lengthSum += other.lengthSum;
    this.#minLength = Math.min(this.#minLength, other.minLength);
    this.#maxLength = Math.max(this.#maxLength, other.maxLength);
    this.#dates.merge(other.dates);
    this.#keywords.merge(other.keywords);
    this.#keywordBudget = Math.max(0, this.#keywordBudget - (this.#limits.keywordValues - other.keywordBudget));
  }

  // A uniform sample of the union of two populations, from uniform samples of each.
  #mix<T>(a: readonly T[], sizeA: number, b: readonly T[], sizeB: number, limit: number): T[] {
    if (a.length + b.length <= limit) return [...a, ...b];
    const fromA = Math.min(a.length, Math.round((limit * sizeA) / Math.max(1, sizeA + sizeB)));
    const fromB = Math.min(b.length, limit - fromA);
    const pick = (list: readonly T[], count: number) => {
      const copy = [...list];
      for (let index = 0; index < count; index += 1) {
        const swap = index + Math.floor(this.#random() * (copy.length - index));
        [copy[index], copy[swap]] = [copy[swap] as T, copy[index] as T];
      }
      return copy.slice(0, count);
    };
    return [...pick(a, fromA), ...pick(b, fromB)];
  }

  /** The numeric reservoir sample (sorted copy), for outlier fences. */
  numericSample(): number[] {
    return [...this.#sample].sort((a, b) => a - b);
  }
}
