import { TextDecoder } from 'node:util';

/** Encodings the Content Pillar reads. */
export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

/** A decoding event worth a warning. */
export interface DecodingWarning {
  code: 'ENCODING_FALLBACK';
  message: string;
  /** Byte offset where decoding changed. */
  offset: number;
}

/**
 * Decodes a byte stream to text: the encoding named by a byte order mark (UTF-8, UTF-16 LE/BE),
 * else UTF-8, switching to Windows-1252 from the first chunk that is not valid UTF-8 (files that
 * mix encodings, or legacy spreadsheet exports) and reporting where.
 */
export async function* decodeText(
  chunks: AsyncIterable<Uint8Array>,
  report: (detected: TextEncodingName, warning?: DecodingWarning) => void,
): AsyncGenerator<string> {
  let decoder: TextDecoder | undefined;
  let encoding: TextEncodingName = 'utf-8';
  let offset = 0;
  for await (const raw of chunks) {
    let chunk = raw;
    if (!decoder) {
      if (chunk[0] === 0xff && chunk[1] === 0xfe) encoding = 'utf-16le';
      else if (chunk[0] === 0xfe && chunk[1] === 0xff) encoding = 'utf-16be';
      if (encoding !== 'utf-8') chunk = chunk.subarray(2);
      else if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
      decoder = new TextDecoder(encoding, { fatal: encoding === 'utf-8' });
      report(encoding);
    }
    try {
      yield decoder.decode(chunk, { stream: true });
    } catch {
      encoding = 'windows-1252';
      decoder = new TextDecoder('windows-1252');
      report(encoding, {
        code: 'ENCODING_FALLBACK',
        message: `invalid UTF-8 near byte ${offset}: decoding as Windows-1252 from here`,
        offset,
      });
      yield decoder.decode(chunk, { stream: true });
    }
    offset += raw.byteLength;
  }
  if (decoder) {
    const tail = decoder.decode();
    if (tail) yield tail;
  }
}
