import { isUtf8 } from 'node:buffer';
import { TextDecoder } from 'node:util';
import { firstInvalidUtf8 } from '@platform/smart-city';

/** Encodings the Content Pillar reads. */
export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

/** A decoding event worth a warning. */
export interface DecodingWarning {
  code: 'ENCODING_FALLBACK';
  message: string;
  /** Byte offset where decoding changed. */
  offset: number;
}

/** Bytes at the end of `bytes` that begin a UTF-8 sequence not complete yet (0-3). */
export function incompleteUtf8Tail(bytes: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back += 1) {
    const byte = bytes[bytes.length - back] as number;
    if ((byte & 0xc0) === 0x80) continue;
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back ? back : 0;
  }
  return 0;
}

// The first byte that is not valid UTF-8: the Content Steward's scan, so sniffing and decoding agree.
export { firstInvalidUtf8 };

/**
 * Decodes a byte stream to text: the encoding named by a byte order mark (UTF-8, UTF-16 LE/BE),
 * else UTF-8, switching to Windows-1252 from the first chunk that is not valid UTF-8 (files that
 * mix encodings, or legacy spreadsheet exports) and reporting where. Chunks may be cut anywhere,
 * in a byte order mark or a character: no byte is lost or decoded twice. With `resume`, the chunks
 * continue a UTF-8 stream at byte `resume.offset` (warnings name bytes of the whole stream).
 */
export async function* decodeText(
  chunks: AsyncIterable<Uint8Array>,
  report: (detected: TextEncodingName, warning?: DecodingWarning) => void,
  resume?: { offset: number },
): AsyncGenerator<string> {
  let encoding: TextEncodingName | undefined = resume ? 'utf-8' : undefined;
  let decoder: TextDecoder | undefined;
  // Bytes held back: the start of the stream until a byte order mark can be told, then the
  // start of a UTF-8 character cut by the chunk's end.
  let held: Buffer = Buffer.alloc(0);
  let offset = resume?.offset ?? 0;
  if (resume) report('utf-8');
  const fallBack = (at: number) => {
    encoding = 'windows-1252';
    decoder = new TextDecoder('windows-1252');
    report(encoding, {
      code: 'ENCODING_FALLBACK',
      message: `invalid UTF-8 near byte ${at}: decoding as Windows-1252 from here`,
      offset: at,
    });
  };
  const decode = (bytes: Buffer, final: boolean): string => {
    if (encoding !== 'utf-8') return (decoder as TextDecoder).decode(bytes, { stream: !final });
    const tail = final ? 0 : incompleteUtf8Tail(bytes);
    const whole = tail === 0 ? bytes : bytes.subarray(0, bytes.length - tail);
    if (isUtf8(whole)) {
      held = tail === 0 ? Buffer.alloc(0) : Buffer.from(bytes.subarray(bytes.length - tail));
      return whole.toString('utf8');
    }
    // Valid UTF-8 up to the first invalid byte stays UTF-8: where the chunk was cut changes nothing.
    const invalid = firstInvalidUtf8(bytes);
    fallBack(offset - bytes.length + invalid);
    held = Buffer.alloc(0);
    return (
      bytes.toString('utf8', 0, invalid) + (decoder as TextDecoder).decode(bytes.subarray(invalid), { stream: !final })
    );
  };
  const start = (bytes: Buffer): Buffer => {
    if (bytes[0] === 0xff && bytes[1] === 0xfe) encoding = 'utf-16le';
    else if (bytes[0] === 0xfe && bytes[1] === 0xff) encoding = 'utf-16be';
    else encoding = 'utf-8';
    report(encoding);
    if (encoding !== 'utf-8') {
      decoder = new TextDecoder(encoding);
      return bytes.subarray(2);
    }
    return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  };
  for await (const raw of chunks) {
    offset += raw.byteLength;
    let bytes: Buffer =
      held.length === 0 ? Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength) : Buffer.concat([held, raw]);
    held = Buffer.alloc(0);
    if (!encoding) {
      if (bytes.length < 3) {
        held = Buffer.from(bytes);
        continue;
      }
      bytes = start(bytes);
    }
    const text = decode(bytes, false);
    if (text) yield text;
  }
  if (!encoding && held.length === 0) return;
  const rest = encoding ? held : start(held);
  const text = decode(rest, true);
  if (text) yield text;
}
