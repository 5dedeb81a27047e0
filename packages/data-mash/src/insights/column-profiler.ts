import { type ColumnProfile, type ColumnProfilerState, type ProfilerLimits, profileOf } from './column-profile.js';
import { DateAccumulator, readDate } from './dates.js';
import { HeavyHitters, type HeavyKey } from './heavy-hitters.js';
import { HyperLogLog, hash32 } from './hyperloglog.js';
import { KeywordCounter } from './keywords.js';
import { NumberSummary } from './number-summary.js';
import {
  bytesHaveLeadingZero,
  DEFAULT_NULL_TOKENS,
  hasLeadingZero,
  mayBeUnitNumber,
  NullTokens,
  readBoolean,
  readUnitNumber,
} from './readings.js';
import {
  ByteKeyTable,
  type CountBox,
  detach,
  type FieldDecoder,
  hash32b,
  hashPair,
  isDigit,
  isNumberText,
  numberFromBytes,
  startsFormula,
  utf16Length,
} from './values.js';

export {
  type ColumnProfile,
  type ColumnProfilerState,
  type NumericProfile,
  type PhysicalType,
  type ProfilerLimits,
  quantile,
} from './column-profile.js';

// What a distinct value reads as (CountBox.kind).
const TEXT = 0;
const NUMBER = 1;
const CODE = 2;
const TRUE = 3;
const FALSE = 4;
const INFINITE = 5;
const SAFE = 2 ** 53;

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
  readonly #numbers: NumberSummary;
  #codes = 0;
  #formulas = 0;
  #true = 0;
  #false = 0;
  readonly #values: string[] = [];
  #textCount = 0;
  #spaced = 0;
  #lengthSum = 0;
  #minLength = Number.POSITIVE_INFINITY;
  #maxLength = 0;
  // Dates read day first and month first; `d/m/yyyy` values possible in one order only.
  // Dates read the same in both orders (ISO...) go to one accumulator; readings that differ
  // (`d/m/yyyy` values) to one per order. A column's dates are the first and its order's.
  readonly #dates = new DateAccumulator();
  readonly #dayFirst = new DateAccumulator();
  readonly #monthFirst = new DateAccumulator();
  #dayFirstOnly = 0;
  #monthFirstOnly = 0;
  #ambiguous = 0;
  #datesPossible = true;
  readonly #keywords = new KeywordCounter();
  #keywordBudget: number;
  #seed = 0x2545f491;
  readonly #readings = new Float64Array(2);

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
    this.#keywordBudget = this.#limits.keywordValues;
    this.#numbers = new NumberSummary(this.#limits.sampleSize);
  }

  #next(): number {
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
    const text = value === null || value === undefined ? '' : typeof value === 'string' ? value : String(value);
    const trimmed =
      text.length > 0 && (text.charCodeAt(0) <= 32 || text.charCodeAt(text.length - 1) <= 32) ? text.trim() : text;
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
      box = this.#read(detach(text), trimmed, hash32(text));
      if (counts) {
        counts.set(box.text, box);
        if (counts.size > this.#limits.exactDistinct) this.#dropExact();
      } else {
        this.#hll.addHash(box.hash);
        const heavy = this.#heavy as HeavyHitters<string | number>;
        if (heavy.screen(box.hash) && heavy.count(box.text, 0)) heavy.take(box.text, box.text, 0);
      }
    }
    this.#apply(box, seenBefore, box.spaced ? box.text : undefined);
    this.lastCheck = box.second;
    return box.hash === 0 ? 1 : box.hash;
  }

  // Reads a new distinct value: what it is (number, code, boolean, date, text) and its figures.
  #read(text: string, trimmed: string, hash: number, second = hash32b(text)): CountBox {
    const box: CountBox = {
      second,
      count: 1,
      kind: TEXT,
      number: Number.NaN,
      unit: '',
      epoch: Number.NaN,
      alt: Number.NaN,
      hash,
      text,
      spaced: text.includes(' '),
      formula: false,
      length: text.length,
    };
    if (isNumberText(trimmed)) {
      if (hasLeadingZero(trimmed)) {
        box.kind = CODE;
        box.formula = startsFormula(text.charCodeAt(0));
      } else {
        const number = Number(trimmed);
        if (Number.isFinite(number)) {
          box.kind = NUMBER;
          box.number = number;
          if (Math.abs(number) >= SAFE) this.#numbers.addBig(trimmed);
        } else box.kind = INFINITE;
      }
      return box;
    }
    if (isInfinityWord(trimmed)) {
      box.kind = INFINITE;
      return box;
    }
    const withUnit = readUnitNumber(trimmed);
    if (withUnit) {
      box.kind = NUMBER;
      box.number = withUnit.value;
      box.unit = withUnit.unit;
      return box;
    }
    box.formula = startsFormula(text.charCodeAt(0));
    const truth = readBoolean(trimmed);
    if (truth !== undefined) box.kind = truth ? TRUE : FALSE;
    else if (this.#datesPossible && readDate(trimmed, this.#readings)) {
      box.epoch = this.#readings[0] as number;
      box.alt = this.#readings[1] as number;
    }
    return box;
  }

  // Counts one occurrence of a read value.
  #apply(box: CountBox, seenBefore: boolean, spaced: string | undefined): void {
    const kind = box.kind;
    if (kind === NUMBER) {
      this.#addNumber(box.number, box.unit);
      return;
    }
    if (kind === INFINITE) {
      this.#numbers.infinite += 1;
      return;
    }
    if (box.formula) this.#formulas += 1;
    if (kind === CODE) this.#codes += 1;
    else if (kind === TRUE) this.#true += 1;
    else if (kind === FALSE) this.#false += 1;
    this.#addText(box.length, box.epoch, box.alt, seenBefore, box.spaced, spaced);
  }

  #addNumber(number: number, unit: string): void {
    this.lastNumber = number;
    this.#numbers.add(number);
    if (unit !== '' || this.#numbers.units.size > 0) this.#numbers.addUnit(unit);
  }

  // `words`: the value when it has a space (a keyword candidate), else undefined.
  #addText(
    length: number,
    dayFirst: number,
    monthFirst: number,
    seenBefore: boolean,
    spaced: boolean,
    words: string | undefined,
  ): void {
    this.#textCount += 1;
    this.#lengthSum += length;
    if (length < this.#minLength) this.#minLength = length;
    if (length > this.#maxLength) this.#maxLength = length;
    if (spaced) this.#spaced += 1;
    if (this.#datesPossible) {
      // biome-ignore lint/suspicious/noSelfCompare: the allocation-free test for NaN
      const day = dayFirst === dayFirst;
      // biome-ignore lint/suspicious/noSelfCompare: the allocation-free test for NaN
      const month = monthFirst === monthFirst;
      if (day && dayFirst === monthFirst) this.#dates.add(dayFirst, seenBefore);
      else {
        if (day) this.#dayFirst.add(dayFirst, seenBefore);
        if (month) this.#monthFirst.add(monthFirst, seenBefore);
      }
      if (day !== month) {
        if (day) this.#dayFirstOnly += 1;
        else this.#monthFirstOnly += 1;
      } else if (day && dayFirst !== monthFirst) this.#ambiguous += 1;
      // Stop looking once most values so far were not dates.
      const dates = this.#dates.count + Math.max(this.#dayFirst.count, this.#monthFirst.count);
      if (!day && !month && this.#textCount - dates > 100 && dates < this.#textCount * 0.9) this.#datesPossible = false;
    }
    if (this.#keywordBudget > 0 && words !== undefined) {
      this.#keywordBudget -= 1;
      this.#keywords.add(words);
    }
  }

  #sampleValue(text: string): void {
    const nonNull = this.#count - this.#nulls;
    if (this.#values.length < 500) this.#values.push(detach(text));
    else {
      const slot = Math.floor(this.#next() * nonNull);
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
    let trimmedStart = start;
    let trimmedEnd = end;
    while (trimmedStart < trimmedEnd && (bytes[trimmedStart] as number) <= 32) trimmedStart += 1;
    while (trimmedEnd > trimmedStart && (bytes[trimmedEnd - 1] as number) <= 32) trimmedEnd -= 1;
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
      this.#apply(box, true, box.spaced && this.#keywordBudget > 0 ? text : undefined);
    } else if (table) {
      text = decode(bytes, start, end);
      const created = this.#read(text, text.trim(), hashed, (pair[1] as number) >>> 0);
      table.add(pair[0] as number, pair[1] as number, created);
      if (table.size > this.#limits.exactDistinct) this.#dropExact();
      this.#apply(created, false, created.spaced ? text : undefined);
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
      text = this.#addUnseen(bytes, start, end, trimmedStart, trimmedEnd, decode, singleByte, text);
    }
    if (this.#values.length < 500) this.#values.push(text ?? decode(bytes, start, end));
    else {
      const slot = Math.floor(this.#next() * nonNull);
      if (slot < 500) this.#values[slot] = text ?? decode(bytes, start, end);
    }
    return hashed === 0 ? 1 : hashed;
  }

  // Past the exact limit: reads a value from its bytes (decoding only when reading needs it).
  #addUnseen(
    bytes: Uint8Array,
    start: number,
    end: number,
    trimmedStart: number,
    trimmedEnd: number,
    decode: FieldDecoder,
    singleByte: boolean,
    decoded: string | undefined,
  ): string | undefined {
    let text = decoded;
    const number = numberFromBytes(bytes, trimmedStart, trimmedEnd);
    // biome-ignore lint/suspicious/noSelfCompare: the allocation-free test for NaN
    if (number === number) {
      if (!bytesHaveLeadingZero(bytes, trimmedStart, trimmedEnd)) {
        if (Math.abs(number) >= SAFE) {
          text ??= decode(bytes, start, end);
          this.#numbers.addBig(text);
        }
        this.#addNumber(number, '');
        return text;
      }
      this.#codes += 1;
    } else if (mayBeUnitNumber(bytes, trimmedStart, trimmedEnd)) {
      text ??= decode(bytes, start, end);
      const withUnit = readUnitNumber(text.trim());
      if (withUnit) {
        this.#addNumber(withUnit.value, withUnit.unit);
        return text;
      }
    }
    if (Number.isNaN(number) && mayBeInfinite(bytes, trimmedStart, trimmedEnd)) {
      text ??= decode(bytes, start, end);
      const trimmed = text.trim();
      if (
        isInfinityWord(trimmed) ||
        (isNumberText(trimmed) && !bytesHaveLeadingZero(bytes, trimmedStart, trimmedEnd))
      ) {
        this.#numbers.infinite += 1;
        return text;
      }
    }
    if (startsFormula(bytes[start] as number)) this.#formulas += 1;
    let dayFirst = Number.NaN;
    let monthFirst = Number.NaN;
    const first = bytes[trimmedStart] as number;
    // biome-ignore lint/suspicious/noSelfCompare: the allocation-free test for NaN
    if (number !== number && this.#datesPossible && (isDigit(first) || isLetter(first))) {
      text ??= decode(bytes, start, end);
      if (readDate(text.trim(), this.#readings)) {
        dayFirst = this.#readings[0] as number;
        monthFirst = this.#readings[1] as number;
      }
    }
    let spaced = false;
    for (let index = start; index < end; index += 1)
      if (bytes[index] === 32) {
        spaced = true;
        break;
      }
    const length = singleByte ? end - start : utf16Length(bytes, start, end);
    const words = spaced && this.#keywordBudget > 0;
    if (words) text ??= decode(bytes, start, end);
    this.#addText(length, dayFirst, monthFirst, false, spaced, words ? text : undefined);
    return text;
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
    const created = this.#read(value, value.trim(), this.#hashOf(value));
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
      numbers: this.#numbers,
      codes: this.#codes,
      formulas: this.#formulas,
      booleans: { true: this.#true, false: this.#false },
      text: {
        count: this.#textCount,
        spaced: this.#spaced,
        lengthSum: this.#lengthSum,
        minLength: this.#minLength,
        maxLength: this.#maxLength,
        keywords: this.#keywords,
      },
      dates: {
        dayFirst: this.#withShared(this.#dayFirst),
        monthFirst: this.#withShared(this.#monthFirst),
        dayFirstOnly: this.#dayFirstOnly,
        monthFirstOnly: this.#monthFirstOnly,
        ambiguous: this.#ambiguous,
      },
    });
  }

  // The dates of one order: those read the same either way, and that order's own readings.
  #withShared(order: DateAccumulator): DateAccumulator {
    const dates = new DateAccumulator();
    dates.merge(this.#dates.state());
    dates.merge(order.state());
    return dates;
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
      numbers: this.#numbers.state(),
      codes: this.#codes,
      formulas: this.#formulas,
      booleans: [this.#true, this.#false],
      values: [...this.#values],
      textCount: this.#textCount,
      spaced: this.#spaced,
      lengthSum: this.#lengthSum,
      minLength: this.#minLength,
      maxLength: this.#maxLength,
      dates: this.#dates.state(),
      dayFirst: this.#dayFirst.state(),
      monthFirst: this.#monthFirst.state(),
      dayFirstOnly: this.#dayFirstOnly,
      monthFirstOnly: this.#monthFirstOnly,
      ambiguous: this.#ambiguous,
      keywords: this.#keywords.entries(),
      keywordBudget: this.#keywordBudget,
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
    this.#numbers.merge(other.numbers, (a, sizeA, b, sizeB, limit) => this.#mix(a, sizeA, b, sizeB, limit));
    const values = this.#mix(this.#values, nonNullA, other.values, nonNullB, 500);
    this.#values.splice(0, this.#values.length, ...values);
    this.#count += other.count;
    this.#nulls += other.nulls;
    this.#codes += other.codes;
    this.#formulas += other.formulas;
    this.#true += other.booleans[0];
    this.#false += other.booleans[1];
    this.#textCount += other.textCount;
    this.#spaced += other.spaced;
    this.#lengthSum += other.lengthSum;
    this.#minLength = Math.min(this.#minLength, other.minLength);
    this.#maxLength = Math.max(this.#maxLength, other.maxLength);
    this.#dates.merge(other.dates);
    this.#dayFirst.merge(other.dayFirst);
    this.#monthFirst.merge(other.monthFirst);
    this.#dayFirstOnly += other.dayFirstOnly;
    this.#monthFirstOnly += other.monthFirstOnly;
    this.#ambiguous += other.ambiguous;
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
        const swap = index + Math.floor(this.#next() * (copy.length - index));
        [copy[index], copy[swap]] = [copy[swap] as T, copy[index] as T];
      }
      return copy.slice(0, count);
    };
    return [...pick(a, fromA), ...pick(b, fromB)];
  }

  /** The numeric reservoir sample (sorted copy), for outlier fences. */
  numericSample(): number[] {
    return [...this.#numbers.sample].sort((a, b) => a - b);
  }
}

const INFINITY_WORD = /^[+-]?(?:inf|infinity)$/i;
/** `inf`, `-Infinity`, `+INF`...: an infinite number as spreadsheets, pandas and DuckDB write it. */
const isInfinityWord = (text: string) => text.length <= 9 && INFINITY_WORD.test(text);

// Could trimmed bytes be an infinity word or a number too large for a double (`1e400`)?
function mayBeInfinite(bytes: Uint8Array, start: number, end: number): boolean {
  const length = end - start;
  const first = bytes[start] as number;
  const letter = first === 43 || first === 45 ? (bytes[start + 1] as number) : first;
  if ((letter === 105 || letter === 73) && length <= 9) return true;
  if (length < 4) return false;
  for (let index = start; index < end; index += 1) if (bytes[index] === 101 || bytes[index] === 69) return true;
  return false;
}

const isLetter = (byte: number) => (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122);

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
