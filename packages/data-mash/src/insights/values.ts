// Reading single values: null tests, numbers from text and from bytes, hashes of bytes.
import { mix } from './hyperloglog.js';

/** `null`, `undefined`, and text that is empty or white space only. */
export function isNull(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value !== 'string') return false;
  // Most values start with a non-space: skip the trim then.
  return value.length === 0 || (value.charCodeAt(0) <= 32 && value.trim() === '');
}

// True when text is a plain decimal number: [+-] digits [. digits] [e [+-] digits]. A character
// loop, because this runs for every value of every column.
export function isNumberText(text: string): boolean {
  const length = text.length;
  let index = 0;
  let code = text.charCodeAt(0);
  if (code === 43 || code === 45) {
    index = 1;
    code = text.charCodeAt(1);
  }
  let digits = 0;
  while (index < length && code >= 48 && code <= 57) {
    digits += 1;
    index += 1;
    code = text.charCodeAt(index);
  }
  if (code === 46) {
    index += 1;
    code = text.charCodeAt(index);
    while (index < length && code >= 48 && code <= 57) {
      digits += 1;
      index += 1;
      code = text.charCodeAt(index);
    }
  }
  if (digits === 0) return false;
  if (index < length && (code === 101 || code === 69)) {
    index += 1;
    code = text.charCodeAt(index);
    if (code === 43 || code === 45) {
      index += 1;
      code = text.charCodeAt(index);
    }
    let exponent = 0;
    while (index < length && code >= 48 && code <= 57) {
      exponent += 1;
      index += 1;
      code = text.charCodeAt(index);
    }
    if (exponent === 0) return false;
  }
  return index === length;
}

/**
 * A value without the white space around it, as profiles read values: JavaScript's `trim` when the
 * value starts or ends with a character up to U+0020 (a space, a tab, a line break, or a control
 * character, which stays), else the value as it is.
 */
export function trimValue(text: string): string {
  return text.length > 0 && (text.charCodeAt(0) <= 32 || text.charCodeAt(text.length - 1) <= 32) ? text.trim() : text;
}

const isAsciiSpace = (byte: number) => byte === 32 || (byte >= 9 && byte <= 13);

// Bytes of the white space character (as `trim` knows them) that starts at `at`, or 0. `singleByte`:
// Windows-1252 (or ASCII), where 0xA0 is a no-break space; else UTF-8.
function spaceAt(bytes: Uint8Array, at: number, end: number, singleByte: boolean): number {
  const byte = bytes[at] as number;
  if (isAsciiSpace(byte)) return 1;
  if (byte < 0x80) return 0;
  if (singleByte) return byte === 0xa0 ? 1 : 0;
  const second = bytes[at + 1] as number;
  if (byte === 0xc2) return at + 1 < end && second === 0xa0 ? 2 : 0;
  if (at + 2 >= end) return 0;
  const third = bytes[at + 2] as number;
  const code = ((byte & 0x0f) << 12) | ((second & 0x3f) << 6) | (third & 0x3f);
  if (byte < 0xe0 || byte > 0xef) return 0;
  return code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
    ? 3
    : 0;
}

/**
 * Trims `bytes[start, end)` as {@link trimValue} trims its decoded text: `out[0]`, `out[1]` are the
 * bounds of what is left.
 */
export function trimBytes(bytes: Uint8Array, start: number, end: number, singleByte: boolean, out: Int32Array): void {
  let from = start;
  let to = end;
  if (to > from && ((bytes[from] as number) <= 32 || (bytes[to - 1] as number) <= 32)) {
    for (let width = 0; from < to; from += width) {
      width = spaceAt(bytes, from, to, singleByte);
      if (width === 0) break;
    }
    while (to > from) {
      const byte = bytes[to - 1] as number;
      if (byte < 0x80 && !isAsciiSpace(byte)) break;
      // The character that ends here starts 1 (ASCII, single-byte), 2 or 3 bytes back.
      let width = 0;
      if (byte < 0x80 || singleByte) width = spaceAt(bytes, to - 1, to, singleByte);
      else if (to - 2 >= from && spaceAt(bytes, to - 2, to, false) === 2) width = 2;
      else if (to - 3 >= from && spaceAt(bytes, to - 3, to, false) === 3) width = 3;
      if (width === 0) break;
      to -= width;
    }
  }
  out[0] = from;
  out[1] = to;
}

/** The number a value stands for, or NaN: numbers as they are, numeric text read. */
export function toNumber(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? value : Number.NaN;
  if (typeof value !== 'string') return Number.NaN;
  const first = value.charCodeAt(0);
  const text = first <= 32 ? value.trim() : value;
  if (!isNumberText(text)) return Number.NaN;
  const number = Number(text);
  return Number.isFinite(number) ? number : Number.NaN;
}

/**
 * A copy of a string that does not keep its parent alive. V8 makes substrings of 13 characters or
 * more (every parsed field) as views into the parent string, here a whole 64 KiB chunk of the
 * file: a profiler that kept 10,000 such values would keep up to 10,000 chunks. Concatenation and
 * slicing makes V8 copy the characters into a string of their own.
 */
export function detach(text: string): string {
  return text.length < 13 ? text : ` ${text}`.slice(1);
}

// A distinct value's count, with what it was read as, so repeated values are read once.
export interface CountBox {
  count: number;
  /** What the value reads as: 0 text, 1 number, 2 code (leading zero), 3 true, 4 false. */
  kind: number;
  /** The number (kind 1), else NaN. */
  number: number;
  /** The unit the number was written with (`%`, `$`...), or `''`. */
  unit: string;
  /** The instant a date reads as, day first for `d/m/yyyy`; NaN when not a date. */
  epoch: number;
  /** The instant read month first (the same as `epoch` for other date forms). */
  alt: number;
  hash: number;
  /** A second, independent 32-bit hash of the value: row fingerprints take both. */
  second: number;
  /** The value itself: the key of a string-keyed map; kept here for byte-keyed ones. */
  text: string;
  /** The value has a space: a keyword candidate. */
  spaced: boolean;
  /** Not a number, and starts with `=`, `+`, `-`, `@`, a tab or a CR: a spreadsheet would run it as a formula. */
  formula: boolean;
  /** `text.length`, kept beside the count (one cache line). */
  length: number;
}

export type { FieldDecoder } from '../parsing/delimited-bytes.js';

/** An ASCII digit byte. */
export const isDigit = (byte: number) => byte >= 48 && byte <= 57;

/** FNV-1a over bytes with murmur3's finaliser: for ASCII text the same value as {@link hash32}. */
export function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let index = start; index < end; index += 1) hash = Math.imul(hash ^ (bytes[index] as number), 0x01000193);
  return mix(hash) >>> 0;
}

// UTF-16 length of UTF-8 bytes: one unit a character, two for characters past U+FFFF.
export function utf16Length(bytes: Uint8Array, start: number, end: number): number {
  let length = 0;
  for (let index = start; index < end; index += 1) {
    const byte = bytes[index] as number;
    if ((byte & 0xc0) !== 0x80) length += byte >= 0xf0 ? 2 : 1;
  }
  return length;
}

const POWERS_OF_TEN = Array.from({ length: 23 }, (_, power) => 10 ** power);

/**
 * The number a field's bytes spell, by the grammar of isNumberText, or NaN. Up to 15 significant
 * digits and a power of ten up to 22 the result is exact (both operands are exact doubles, so the
 * one division or multiplication rounds correctly, as Number() does); past that, Number() decides.
 */
export function numberFromBytes(bytes: Uint8Array, start: number, end: number): number {
  let index = start;
  let negative = false;
  let byte = bytes[index] as number;
  if (byte === 43 || byte === 45) {
    negative = byte === 45;
    index += 1;
  }
  let mantissa = 0;
  let digits = 0;
  let scale = 0;
  let seen = 0;
  for (; index < end; index += 1) {
    byte = bytes[index] as number;
    if (!isDigit(byte)) break;
    if (mantissa !== 0 || byte !== 48) digits += 1;
    mantissa = mantissa * 10 + (byte - 48);
    seen += 1;
  }
  if (index < end && bytes[index] === 46) {
    index += 1;
    for (; index < end; index += 1) {
      byte = bytes[index] as number;
      if (!isDigit(byte)) break;
      if (mantissa !== 0 || byte !== 48) digits += 1;
      mantissa = mantissa * 10 + (byte - 48);
      scale -= 1;
      seen += 1;
    }
  }
  if (seen === 0) return Number.NaN;
  if (index < end) {
    byte = bytes[index] as number;
    if (byte !== 101 && byte !== 69) return Number.NaN;
    // An exponent: rare enough for the general reader.
    return toNumber(Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1'));
  }
  if (digits > 15 || scale < -22)
    return toNumber(Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1'));
  const value = scale === 0 ? mantissa : mantissa / (POWERS_OF_TEN[-scale] as number);
  return negative ? -value : value;
}

/**
 * Distinct values keyed by two 32-bit hashes of their bytes, in typed arrays (open addressing):
 * no key objects, no string hashing. Two distinct values share both hashes with a probability of
 * about 10^-8 among 10,000 values.
 */
export class ByteKeyTable {
  readonly boxes: CountBox[] = [];
  readonly #first: Int32Array;
  readonly #second: Int32Array;
  readonly #slots: Int32Array;
  readonly #mask: number;

  constructor(capacity: number) {
    const size = 2 ** Math.ceil(Math.log2(Math.max(16, capacity * 2 + 2)));
    this.#first = new Int32Array(size);
    this.#second = new Int32Array(size);
    this.#slots = new Int32Array(size);
    this.#mask = size - 1;
  }

  get size(): number {
    return this.boxes.length;
  }

  get(first: number, second: number): CountBox | undefined {
    for (let slot = (first ^ (second >>> 7)) & this.#mask; ; slot = (slot + 1) & this.#mask) {
      const entry = this.#slots[slot] as number;
      if (entry === 0) return undefined;
      if (this.#first[slot] === first && this.#second[slot] === second) return this.boxes[entry - 1];
    }
  }

  /** Adds a value not in the table (the caller checked with `get`). */
  add(first: number, second: number, box: CountBox): void {
    let slot = (first ^ (second >>> 7)) & this.#mask;
    while (this.#slots[slot] !== 0) slot = (slot + 1) & this.#mask;
    this.boxes.push(box);
    this.#first[slot] = first;
    this.#second[slot] = second;
    this.#slots[slot] = this.boxes.length;
  }
}

/**
 * The two hashes a {@link ByteKeyTable} keys by (`out[0]`, `out[1]`; the second only when `both`)
 * and the value's hash (`out[2]`, as {@link hashBytes}).
 */
export function hashPair(bytes: Uint8Array, start: number, end: number, out: Int32Array, both = true): void {
  let first = 0x811c9dc5;
  if (both) {
    let second = 0x9e3779b9 ^ (end - start);
    for (let index = start; index < end; index += 1) {
      const byte = bytes[index] as number;
      first = Math.imul(first ^ byte, 0x01000193);
      second = Math.imul(second ^ byte, 0x5bd1e995);
    }
    out[1] = second ^ (second >>> 15);
  } else {
    for (let index = start; index < end; index += 1) first = Math.imul(first ^ (bytes[index] as number), 0x01000193);
  }
  out[0] = first;
  out[2] = mix(first);
}

/** The first character (code) of a value that makes a spreadsheet read it as a formula: `=`, `+`, `-`, `@`, tab, CR. */
export function startsFormula(code: number): boolean {
  return code === 61 || code === 43 || code === 45 || code === 64 || code === 9 || code === 13;
}

/** A second 32-bit hash of a string, independent of {@link hash32} (other constants, murmur-style). */
export function hash32b(value: string): number {
  let hash = 0x9e3779b9 ^ value.length;
  for (let index = 0; index < value.length; index += 1) hash = Math.imul(hash ^ value.charCodeAt(index), 0x5bd1e995);
  return (hash ^ (hash >>> 15)) >>> 0;
}
