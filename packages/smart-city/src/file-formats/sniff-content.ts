/** The encodings text is read in: the one a byte order mark names, else UTF-8, else Windows-1252. */
export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

const startsWith = (bytes: Uint8Array, signature: readonly number[], offset = 0) =>
  bytes.length >= offset + signature.length && signature.every((value, index) => bytes[offset + index] === value);

const MACH_O = [
  [0xfe, 0xed, 0xfa, 0xce], // 32-bit, big-endian
  [0xfe, 0xed, 0xfa, 0xcf], // 64-bit, big-endian
  [0xce, 0xfa, 0xed, 0xfe], // 32-bit, little-endian
  [0xcf, 0xfa, 0xed, 0xfe], // 64-bit, little-endian
  [0xca, 0xfe, 0xba, 0xbe], // universal (also a Java class file)
  [0xbe, 0xba, 0xfe, 0xca], // universal, little-endian
];

/**
 * Whether the bytes begin a native executable: ELF, Mach-O, or a Windows/OS/2 program (`MZ`
 * whose header points, at `e_lfanew`, to a `PE\0\0`, `NE`, `LE` or `LX` header). `MZ` alone is
 * not enough: text can begin with it (a column named `MZ_code`), and a DOS program without a new
 * header is full of control bytes and refused as binary anyway. A `#!` script is text.
 */
export function isExecutable(head: Uint8Array): boolean {
  if (startsWith(head, [0x7f, 0x45, 0x4c, 0x46])) return true; // ELF
  if (MACH_O.some((signature) => startsWith(head, signature))) return true;
  if (!startsWith(head, [0x4d, 0x5a]) || head.length < 0x40) return false;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const offset = view.getUint32(0x3c, true);
  if (offset < 0x40 || offset + 4 > head.length) return false;
  return (
    startsWith(head, [0x50, 0x45, 0x00, 0x00], offset) || // PE
    startsWith(head, [0x4e, 0x45], offset) || // NE (16-bit Windows)
    startsWith(head, [0x4c, 0x45], offset) || // LE (VxD, OS/2)
    startsWith(head, [0x4c, 0x58], offset) // LX (OS/2)
  );
}

/**
 * The index of the first byte of `bytes` that is not part of valid UTF-8 (its length when all
 * are). Overlong forms, UTF-16 surrogates and points past U+10FFFF are invalid. With
 * `cutEndIsValid`, a character cut by the end of `bytes` (a sample of a longer file) counts as
 * valid; otherwise it is where the invalid part starts. One scan for the Content Steward's sniffing
 * and the parsers' decoding.
 */
export function firstInvalidUtf8(bytes: Uint8Array, options: { cutEndIsValid?: boolean } = {}): number {
  let index = 0;
  while (index < bytes.length) {
    const byte = bytes[index] as number;
    if (byte < 0x80) {
      index += 1;
      continue;
    }
    let needed: number;
    let min: number;
    if (byte >= 0xc2 && byte <= 0xdf) [needed, min] = [1, 0x80];
    else if (byte >= 0xe0 && byte <= 0xef) [needed, min] = [2, 0x800];
    else if (byte >= 0xf0 && byte <= 0xf4) [needed, min] = [3, 0x10000];
    else return index;
    let point = byte & (0x3f >> needed);
    for (let next = 1; next <= needed; next += 1) {
      if (index + next >= bytes.length) return options.cutEndIsValid ? bytes.length : index;
      const continuation = bytes[index + next] as number;
      if ((continuation & 0xc0) !== 0x80) return index;
      point = (point << 6) | (continuation & 0x3f);
    }
    if (point < min || (point >= 0xd800 && point <= 0xdfff) || point > 0x10ffff) return index;
    index += needed + 1;
  }
  return index;
}

/**
 * Decodes text the way the data mash's parsers do: the encoding a byte order mark names (UTF-8,
 * UTF-16 LE or BE), else UTF-8 up to the first byte that is not UTF-8 and Windows-1252 from
 * there (a legacy export, or a file that mixes both). The byte order mark is not part of the text.
 * With `sample`, the bytes are the first of a longer file: a character cut at their end is left out.
 */
export function decodeTextContent(bytes: Uint8Array, sample = false): { text: string; encoding: TextEncoding } {
  const options = { stream: sample };
  if (startsWith(bytes, [0xff, 0xfe]) || startsWith(bytes, [0xfe, 0xff])) {
    const encoding = bytes[0] === 0xff ? 'utf-16le' : 'utf-16be';
    return { text: new TextDecoder(encoding).decode(bytes, options), encoding };
  }
  const body = startsWith(bytes, [0xef, 0xbb, 0xbf]) ? bytes.subarray(3) : bytes;
  const valid = firstInvalidUtf8(body, { cutEndIsValid: true });
  const utf8 = new TextDecoder('utf-8', { ignoreBOM: true }).decode(body.subarray(0, valid), options);
  if (valid === body.length) return { text: utf8, encoding: 'utf-8' };
  return { text: utf8 + new TextDecoder('windows-1252').decode(body.subarray(valid)), encoding: 'windows-1252' };
}

/**
 * Characters that text does not contain: C0 controls other than tab, line feed, vertical tab,
 * form feed, carriage return and escape (ANSI colours in logs); DEL; C1 controls (as characters:
 * in Windows-1252 the bytes 0x80-0x9F are mostly letters and signs); and U+FFFD, which stands
 * for a sequence that was not valid in the encoding.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is counted
const NOT_TEXT = /[\u0000-\u0008\u000e-\u001a\u001c-\u001f\u007f-\u009f\ufffd]/g;

/** Largest share of characters in {@link NOT_TEXT} that a text may have: one in a hundred. */
const NOT_TEXT_SHARE = 0.01;

/** What a file's first bytes are, once magic bytes said nothing. */
export interface TextVerdict {
  type: 'text' | 'json' | 'html' | 'binary';
  /** For text: the encoding it is read in. */
  encoding?: TextEncoding;
}

/**
 * Text or binary, by the characters of the first bytes decoded as the parsers decode them: text
 * when at most 1 % of them are control characters or invalid sequences. A Windows-1252 export
 * is text (its bytes 0x80-0xFF are letters), UTF-16 is text when a byte order mark names it, a
 * stray NUL in a long file does not make it binary; UTF-16 without a byte order mark (half of
 * its bytes NUL) and compressed or random data are binary. Text is further called `json` or
 * `html` by how it begins (a hint only: text formats are told by their names).
 */
export function sniffText(head: Uint8Array): TextVerdict {
  const { text, encoding } = decodeTextContent(head, true);
  const strange = text.match(NOT_TEXT)?.length ?? 0;
  if (strange > text.length * NOT_TEXT_SHARE) return { type: 'binary' };
  const start = text.trimStart().slice(0, 16).toLowerCase();
  if (start.startsWith('{') || start.startsWith('[')) return { type: 'json', encoding };
  if (start.startsWith('<!doctype html') || start.startsWith('<html')) return { type: 'html', encoding };
  return { type: 'text', encoding };
}
