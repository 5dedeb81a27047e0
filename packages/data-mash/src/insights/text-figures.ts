import type { ColumnProfilerState, ProfileInput } from './column-profile.js';
import { DateAccumulator } from './dates.js';
import { KeywordCounter } from './keywords.js';

/** The part of a {@link ColumnProfilerState} a {@link TextFigures} keeps. */
export type TextFiguresState = Pick<
  ColumnProfilerState,
  | 'textCount'
  | 'spaced'
  | 'lengthSum'
  | 'minLength'
  | 'maxLength'
  | 'dates'
  | 'dayFirst'
  | 'monthFirst'
  | 'dayFirstOnly'
  | 'monthFirstOnly'
  | 'ambiguous'
  | 'keywords'
  | 'keywordBudget'
>;

/**
 * The figures of a column's values that are not numbers: lengths, dates (the day/month order
 * decided from the values that can be read one way only) and keywords of multi-word values.
 */
export class TextFigures {
  readonly #keywordValues: number;
  #count = 0;
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

  /** `keywordValues`: how many multi-word values are read for keywords. */
  constructor(keywordValues: number) {
    this.#keywordValues = keywordValues;
    this.#keywordBudget = keywordValues;
  }

  /** False once most values so far were not dates: values are then no longer read as dates. */
  get datesPossible(): boolean {
    return this.#datesPossible;
  }

  /** True while multi-word values are still read for keywords. */
  get wantsKeywords(): boolean {
    return this.#keywordBudget > 0;
  }

  // `words`: the value when it has a space (a keyword candidate), else undefined.
  add(
    length: number,
    dayFirst: number,
    monthFirst: number,
    seenBefore: boolean,
    spaced: boolean,
    words: string | undefined,
  ): void {
    this.#count += 1;
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
      if (!day && !month && this.#count - dates > 100 && dates < this.#count * 0.9) this.#datesPossible = false;
    }
    if (this.#keywordBudget > 0 && words !== undefined) {
      this.#keywordBudget -= 1;
      this.#keywords.add(words);
    }
  }

  /** The text figures a profile is made from. */
  text(): ProfileInput['text'] {
    return {
      count: this.#count,
      spaced: this.#spaced,
      lengthSum: this.#lengthSum,
      minLength: this.#minLength,
      maxLength: this.#maxLength,
      keywords: this.#keywords,
    };
  }

  /** The date figures a profile is made from. */
  dates(): ProfileInput['dates'] {
    return {
      dayFirst: this.#withShared(this.#dayFirst),
      monthFirst: this.#withShared(this.#monthFirst),
      dayFirstOnly: this.#dayFirstOnly,
      monthFirstOnly: this.#monthFirstOnly,
      ambiguous: this.#ambiguous,
    };
  }

  // The dates of one order: those read the same either way, and that order's own readings.
  #withShared(order: DateAccumulator): DateAccumulator {
    const dates = new DateAccumulator();
    dates.merge(this.#dates.state());
    dates.merge(order.state());
    return dates;
  }

  /** The state so far as plain data. */
  state(): TextFiguresState {
    return {
      textCount: this.#count,
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

  /** Adds the figures of another part of the same column. */
  merge(other: TextFiguresState): void {
    this.#count += other.textCount;
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
    this.#keywordBudget = Math.max(0, this.#keywordBudget - (this.#keywordValues - other.keywordBudget));
  }
}
