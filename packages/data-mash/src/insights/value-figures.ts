import type { ColumnProfilerState, ProfileInput } from './column-profile.js';
import { readDate } from './dates.js';
import { NumberSummary } from './number-summary.js';
import { bytesHaveLeadingZero, hasLeadingZero, mayBeUnitNumber, readBoolean, readUnitNumber } from './readings.js';
import { TextFigures, type TextFiguresState } from './text-figures.js';
import {
  type CountBox,
  type FieldDecoder,
  hash32b,
  isDigit,
  isNumberText,
  numberFromBytes,
  startsFormula,
  utf16Length,
} from './values.js';

// What a distinct value reads as (CountBox.kind).
const TEXT = 0;
const NUMBER = 1;
const CODE = 2;
const TRUE = 3;
const FALSE = 4;
const INFINITE = 5;
const SAFE = 2 ** 53;

/** The part of a {@link ColumnProfilerState} a {@link ValueFigures} keeps besides its text figures. */
export type ValueFiguresState = Pick<ColumnProfilerState, 'numbers' | 'codes' | 'formulas' | 'booleans'>;

/**
 * What a column's non-null values read as, and the figures of each kind: numbers (moments to the
 * fourth, exact min and max, units, a reservoir sample for quantiles), codes with leading zeros,
 * formulas, booleans, and the figures of text ({@link TextFigures}: lengths, dates, keywords).
 */
export class ValueFigures {
  /** The number the last applied value was read as, or `NaN` when it was not a number. */
  lastNumber = Number.NaN;
  readonly numbers: NumberSummary;
  readonly #text: TextFigures;
  #codes = 0;
  #formulas = 0;
  #true = 0;
  #false = 0;
  readonly #readings = new Float64Array(2);

  constructor(sampleSize: number, keywordValues: number) {
    this.numbers = new NumberSummary(sampleSize);
    this.#text = new TextFigures(keywordValues);
  }

  /** True while multi-word values are still read for keywords. */
  get wantsKeywords(): boolean {
    return this.#text.wantsKeywords;
  }

  /** Reads a new distinct value: what it is (number, code, boolean, date, text) and its figures. */
  read(text: string, trimmed: string, hash: number, second = hash32b(text)): CountBox {
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
          if (Math.abs(number) >= SAFE) this.numbers.addBig(trimmed);
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
    else if (this.#text.datesPossible && readDate(trimmed, this.#readings)) {
      box.epoch = this.#readings[0] as number;
      box.alt = this.#readings[1] as number;
    }
    return box;
  }

  /** Counts one occurrence of a read value. `spaced`: the value when it is a keyword candidate. */
  apply(box: CountBox, seenBefore: boolean, spaced: string | undefined): void {
    this.lastNumber = Number.NaN;
    const kind = box.kind;
    if (kind === NUMBER) {
      this.#addNumber(box.number, box.unit);
      return;
    }
    if (kind === INFINITE) {
      this.numbers.infinite += 1;
      return;
    }
    if (box.formula) this.#formulas += 1;
    if (kind === CODE) this.#codes += 1;
    else if (kind === TRUE) this.#true += 1;
    else if (kind === FALSE) this.#false += 1;
    this.#text.add(box.length, box.epoch, box.alt, seenBefore, box.spaced, spaced);
  }

  #addNumber(number: number, unit: string): void {
    this.lastNumber = number;
    this.numbers.add(number);
    if (unit !== '' || this.numbers.units.size > 0) this.numbers.addUnit(unit);
  }

  /**
   * Past the exact limit: reads a value from its bytes (decoding only when reading needs it) and
   * counts it. Returns the value as text when it was decoded.
   */
  addUnseen(
    bytes: Uint8Array,
    start: number,
    end: number,
    trimmedStart: number,
    trimmedEnd: number,
    decode: FieldDecoder,
    singleByte: boolean,
    decoded: string | undefined,
  ): string | undefined {
    this.lastNumber = Number.NaN;
    let text = decoded;
    // Trimmed as the bytes were (not at all when neither end is white space or a control character).
    const untrimmed = trimmedStart === start && trimmedEnd === end;
    const number = numberFromBytes(bytes, trimmedStart, trimmedEnd);
    // biome-ignore lint/suspicious/noSelfCompare: the allocation-free test for NaN
    if (number === number) {
      if (!bytesHaveLeadingZero(bytes, trimmedStart, trimmedEnd)) {
        if (Math.abs(number) >= SAFE) {
          text ??= decode(bytes, start, end);
          this.numbers.addBig(text);
        }
        this.#addNumber(number, '');
        return text;
      }
      this.#codes += 1;
    } else if (mayBeUnitNumber(bytes, trimmedStart, trimmedEnd)) {
      text ??= decode(bytes, start, end);
      const withUnit = readUnitNumber(untrimmed ? text : text.trim());
      if (withUnit) {
        this.#addNumber(withUnit.value, withUnit.unit);
        return text;
      }
    }
    if (Number.isNaN(number) && mayBeInfinite(bytes, trimmedStart, trimmedEnd)) {
      text ??= decode(bytes, start, end);
      const trimmed = untrimmed ? text : text.trim();
      if (
        isInfinityWord(trimmed) ||
        (isNumberText(trimmed) && !bytesHaveLeadingZero(bytes, trimmedStart, trimmedEnd))
      ) {
        this.numbers.infinite += 1;
        return text;
      }
    }
    if (startsFormula(bytes[start] as number)) this.#formulas += 1;
    let dayFirst = Number.NaN;
    let monthFirst = Number.NaN;
    const first = bytes[trimmedStart] as number;
    // biome-ignore lint/suspicious/noSelfCompare: the allocation-free test for NaN
    if (number !== number && this.#text.datesPossible && (isDigit(first) || isLetter(first))) {
      text ??= decode(bytes, start, end);
      if (readDate(untrimmed ? text : text.trim(), this.#readings)) {
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
    const words = spaced && this.#text.wantsKeywords;
    if (words) text ??= decode(bytes, start, end);
    this.#text.add(length, dayFirst, monthFirst, false, spaced, words ? text : undefined);
    return text;
  }

  /** The figures a profile is made from. */
  profileInput(): Pick<ProfileInput, 'numbers' | 'codes' | 'formulas' | 'booleans' | 'text' | 'dates'> {
    return {
      numbers: this.numbers,
      codes: this.#codes,
      formulas: this.#formulas,
      booleans: { true: this.#true, false: this.#false },
      text: this.#text.text(),
      dates: this.#text.dates(),
    };
  }

  /** The state so far as plain data, but for the text figures ({@link textState}). */
  state(): ValueFiguresState {
    return {
      numbers: this.numbers.state(),
      codes: this.#codes,
      formulas: this.#formulas,
      booleans: [this.#true, this.#false],
    };
  }

  /** The text figures' state as plain data. */
  textState(): TextFiguresState {
    return this.#text.state();
  }

  /**
   * Adds the figures of another part of the same column; `mix` draws a uniform sample of the
   * union of two numeric samples.
   */
  merge(other: ValueFiguresState & TextFiguresState, mix: Parameters<NumberSummary['merge']>[1]): void {
    this.numbers.merge(other.numbers, mix);
    this.#codes += other.codes;
    this.#formulas += other.formulas;
    this.#true += other.booleans[0];
    this.#false += other.booleans[1];
    this.#text.merge(other);
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
