// JSON text of rows straight from the UTF-8 bytes of their fields: the bytes `JSON.stringify` of
// the row object gives, without a string a field, an object a row or a string a line.

// What each byte becomes inside a JSON string: 0 as it is, else the escape's second character
// (`u` for the six-character `\u00XX` form).
const ESCAPES = new Uint8Array(256);
for (let byte = 0; byte < 0x20; byte += 1) ESCAPES[byte] = 0x75;
ESCAPES[0x08] = 0x62; // \b
ESCAPES[0x09] = 0x74; // \t
ESCAPES[0x0a] = 0x6e; // \n
ESCAPES[0x0c] = 0x66; // \f
ESCAPES[0x0d] = 0x72; // \r
ESCAPES[0x22] = 0x22; // \"
ESCAPES[0x5c] = 0x5c; // \\
const HEX = Buffer.from('0123456789abcdef', 'latin1');

/** At most this many bytes per field byte: a control byte becomes `\u00XX`. */
export const JSON_BYTES_PER_BYTE = 6;

/**
 * Writes `bytes[start, end)` (valid UTF-8) as a JSON string into `out` at `at`, as
 * `JSON.stringify` writes the decoded text; `doubled`: each `""` in it stands for one quote.
 * Returns where the string ends. `out` needs room for 2 + 6 bytes per input byte.
 */
export function writeJsonString(
  out: Uint8Array,
  at: number,
  bytes: Uint8Array,
  start: number,
  end: number,
  doubled: boolean,
): number {
  let position = at;
  out[position++] = 0x22;
  for (let index = start; index < end; index += 1) {
    const byte = bytes[index] as number;
    const escaped = ESCAPES[byte] as number;
    if (escaped === 0) {
      out[position++] = byte;
      continue;
    }
    out[position++] = 0x5c;
    out[position++] = escaped;
    if (escaped === 0x75) {
      out[position++] = 0x30;
      out[position++] = 0x30;
      out[position++] = HEX[byte >>> 4] as number;
      out[position++] = HEX[byte & 15] as number;
    } else if (escaped === 0x22 && doubled) index += 1;
  }
  out[position++] = 0x22;
  return position;
}

/**
 * How `JSON.stringify` lays out a row object of these columns: the columns in the order of its
 * keys (integer-like names first, ascending, as for any object) and the bytes before each value
 * (`{"name":` for the first, `,"name":` after).
 */
export interface JsonRowLayout {
  /** Column index of the k-th key. */
  order: Int32Array;
  /** The bytes before each value, one after the other; key k's are `prefixes[starts[k], starts[k + 1])`. */
  prefixes: Uint8Array;
  prefixStarts: Int32Array;
}

/** The layout of rows of `columns`, as {@link TableWriter.writeValues} builds their objects. */
export function jsonRowLayout(columns: readonly string[]): JsonRowLayout {
  const probe: Record<string, number> = {};
  columns.forEach((column, index) => {
    // As the row object gets it: `__proto__` assigned would set the prototype instead.
    if (column === '__proto__')
      Object.defineProperty(probe, column, { value: index, enumerable: true, writable: true });
    else probe[column] = index;
  });
  const keys = Object.keys(probe);
  const parts = keys.map((key, k) => Buffer.from(`${k === 0 ? '{' : ','}${JSON.stringify(key)}:`, 'utf8'));
  const prefixStarts = new Int32Array(keys.length + 1);
  parts.forEach((part, k) => {
    prefixStarts[k + 1] = (prefixStarts[k] as number) + part.length;
  });
  return {
    order: Int32Array.from(keys, (key) => probe[key] as number),
    prefixes: Buffer.concat(parts),
    prefixStarts,
  };
}
