// What a value reads as beyond a plain number: null tokens, codes, booleans, numbers with units.

/**
 * Values read as missing besides empty and white-space-only ones: pandas' default `na_values`
 * (without the C runtime's `1.#IND` family) and a lone `-`. Case matters, as in pandas.
 */
export const DEFAULT_NULL_TOKENS: readonly string[] = [
  'NA',
  'N/A',
  'n/a',
  '#N/A',
  '#N/A N/A',
  '#NA',
  '<NA>',
  'NULL',
  'null',
  'NaN',
  'nan',
  'None',
  '-',
];

/**
 * Null tokens, checked on text or on bytes. A byte check decodes only values as short as the
 * longest token whose first byte some token starts with: cheap on the fast path.
 */
export class NullTokens {
  readonly #tokens: ReadonlySet<string>;
  readonly #firstBytes = new Uint8Array(256);
  readonly #maxBytes: number;

  constructor(tokens: readonly string[]) {
    this.#tokens = new Set(tokens.map((token) => token.trim()).filter((token) => token !== ''));
    let longest = 0;
    for (const token of this.#tokens) {
      const bytes = Buffer.from(token, 'utf8');
      this.#firstBytes[bytes[0] as number] = 1;
      longest = Math.max(longest, bytes.length);
    }
    this.#maxBytes = longest;
  }

  /** `text` (already trimmed) is a null token. */
  has(text: string): boolean {
    return this.#tokens.has(text);
  }

  /** The trimmed bytes `bytes[start, end)` spell a null token. */
  hasBytes(bytes: Uint8Array, start: number, end: number): boolean {
    if (end - start > this.#maxBytes || this.#firstBytes[bytes[start] as number] === 0) return false;
    return this.#tokens.has(Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('utf8'));
  }
}

/**
 * A number written with a leading zero (`00501`, `007`, `-01.5`): a code (postal codes, FIPS
 * codes, padded ids), not a quantity; DuckDB's sniffer keeps such columns as text too. `text` is
 * trimmed and is a plain decimal number.
 */
export function hasLeadingZero(text: string): boolean {
  const first = text.charCodeAt(0);
  const at = first === 43 || first === 45 ? 1 : 0;
  if (text.charCodeAt(at) !== 48) return false;
  const next = text.charCodeAt(at + 1);
  return next >= 48 && next <= 57;
}

/** {@link hasLeadingZero} on trimmed bytes. */
export function bytesHaveLeadingZero(bytes: Uint8Array, start: number, end: number): boolean {
  const first = bytes[start] as number;
  const at = start + (first === 43 || first === 45 ? 1 : 0);
  if (at + 1 >= end || bytes[at] !== 48) return false;
  const next = bytes[at + 1] as number;
  return next >= 48 && next <= 57;
}

const TRUE_WORDS = new Set(['true', 'yes', 't', 'y']);
const FALSE_WORDS = new Set(['false', 'no', 'f', 'n']);

/** `true`, `false`, or undefined: `true/false`, `yes/no`, `t/f`, `y/n` in any case (trimmed text). */
export function readBoolean(text: string): boolean | undefined {
  if (text.length > 5) return undefined;
  const lower = text.toLowerCase();
  if (TRUE_WORDS.has(lower)) return true;
  if (FALSE_WORDS.has(lower)) return false;
  return undefined;
}

// Currency signs read before (or after) an amount; `%` after a number.
// A sign, an optional currency before, the digits (grouped by thousands or not), an optional
// fraction, then an optional currency or percent sign after.
const UNIT_NUMBER = /^([+-]?)(?:([$€£¥₹₩₽])\s?)?([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:\s?([$€£¥₹₩₽%]))?$/;

/** A number and the unit it was written with. */
export interface UnitNumber {
  value: number;
  /** `%`, a currency sign as written (`$`, `€`), or `''` for a plain number with thousands separators. */
  unit: string;
}

/**
 * Reads a number written with a unit or with thousands separators: `$1,234.50`, `-€5`,
 * `12,000`, `45%`, `4.5 %`, `100 €`. Groups must be of three digits
 * (`1,5` is not read: in much of Europe it is one and a half). A number with a currency on both
 * sides, or a percent sign before it, is not read. `text` is trimmed. Percentages keep their
 * value as written (45 for `45%`).
 */
export function readUnitNumber(text: string): UnitNumber | undefined {
  if (text.length > 40) return undefined;
  const match = UNIT_NUMBER.exec(text);
  if (!match) return undefined;
  const [, outerSign, before, innerSign, whole, fraction, after] = match;
  if ((before && after) || (outerSign && innerSign)) return undefined;
  const unit = before ?? after ?? '';
  // A plain number (no unit, no separator) is not this reader's: the plain reader has it.
  if (unit === '' && !(whole as string).includes(',')) return undefined;
  const sign = (outerSign || innerSign) === '-' ? -1 : 1;
  const value = sign * Number(`${(whole as string).replaceAll(',', '')}${fraction ?? ''}`);
  return Number.isFinite(value) ? { value, unit } : undefined;
}

/**
 * Could `bytes[start, end)` (trimmed) be a number with a unit or separators? A cheap test on the
 * first and last bytes and commas, so only candidates are decoded on the fast path.
 */
export function mayBeUnitNumber(bytes: Uint8Array, start: number, end: number): boolean {
  const first = bytes[start] as number;
  const last = bytes[end - 1] as number;
  if (first === 36 || first >= 0xc2 || last === 37 || last >= 0x80) return true;
  if (!((first >= 48 && first <= 57) || first === 43 || first === 45)) return false;
  for (let index = start; index < end; index += 1) if (bytes[index] === 44) return true;
  return false;
}
