import { isAscii, isUtf8 } from 'node:buffer';
import { PlatformError } from '@platform/foundations/errors';
import type { ParseWarning } from './delimited.js';
import { incompleteUtf8Tail } from './text-decoding.js';

/** Decodes `bytes[start, end)` to a string: UTF-8, or Windows-1252 after an encoding fallback. */
export type FieldDecoder = (bytes: Uint8Array, start: number, end: number) => string;

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/** Receives one record: field `i` is `bytes[starts[i], ends[i])`; `quoted[i]` is 1 when it held doubled quotes (decode, then unescape). */
export type ByteRecordHandler = (
  bytes: Buffer,
  starts: Int32Array,
  ends: Int32Array,
  escaped: Uint8Array,
  count: number,
  decode: FieldDecoder,
  /** Every byte of `bytes` is one character (ASCII, or a single-byte encoding): lengths need no decoding. */
  singleByte: boolean,
) => void;

/** Options of {@link scanDelimitedBytes}. */
export interface ByteScanOptions {
  delimiter: number;
  /** `\r\n` when the file's lines end so (a lone `\r` is then data), else `\n`. */
  crlf: boolean;
  maxLineBytes: number;
  maxColumns: number;
  warn: (warning: ParseWarning) => void;
  /** Records numbered from here (the header is record 1). */
  firstRecord: number;
}

const utf8: FieldDecoder = (bytes, start, end) => (bytes as Buffer).toString('utf8', start, end);
const windows1252Decoder = new TextDecoder('windows-1252');
const windows1252: FieldDecoder = (bytes, start, end) => windows1252Decoder.decode(bytes.subarray(start, end));

function longestLine(buffer: Buffer): number {
  let longest = 0;
  let start = 0;
  for (let newline = buffer.indexOf(LF); newline >= 0; newline = buffer.indexOf(LF, start)) {
    longest = Math.max(longest, newline - start);
    start = newline + 1;
  }
  return Math.max(longest, buffer.length - start);
}

/**
 * Splits a delimited byte stream into records without making strings: RFC 4180 quoting (doubled
 * quotes flagged for unescaping, line breaks inside quotes), `\n` or `\r\n` line ends, empty lines
 * skipped, UTF-8 checked chunk by chunk with a switch to Windows-1252 where it stops being valid.
 * The fast path of {@link profileDelimitedFile}; papaparse remains the general parser.
 * Resolves with the number of records handed out and the encoding in use at the end.
 */
export async function scanDelimitedBytes(
  input: AsyncIterable<Uint8Array>,
  onRecord: ByteRecordHandler,
  options: ByteScanOptions,
): Promise<{ records: number; encoding: 'utf-8' | 'windows-1252' }> {
  let starts = new Int32Array(64);
  let ends = new Int32Array(64);
  let escaped = new Uint8Array(64);
  let decode = utf8;
  let encoding: 'utf-8' | 'windows-1252' = 'utf-8';
  let carry: Buffer = Buffer.alloc(0);
  let pendingUtf8: Buffer = Buffer.alloc(0);
  let offset = 0;
  let record = options.firstRecord - 1;
  let first = true;

  const grow = () => {
    const size = starts.length * 2;
    if (size > options.maxColumns * 2 + 64) {
      throw new PlatformError('PARSE_LIMIT_EXCEEDED', `a record has more than ${options.maxColumns} fields`, {
        details: { limit: 'maxColumns', value: options.maxColumns },
      });
    }
    const nextStarts = new Int32Array(size);
    nextStarts.set(starts);
    const nextEnds = new Int32Array(size);
    nextEnds.set(ends);
    const nextEscaped = new Uint8Array(size);
    nextEscaped.set(escaped);
    starts = nextStarts;
    ends = nextEnds;
    escaped = nextEscaped;
  };

  // Scans whole records of `buffer` from 0; returns where the unfinished one starts.
  const scan = (buffer: Buffer, final: boolean): number => {
    const length = buffer.length;
    const singleByte = encoding === 'windows-1252' || isAscii(buffer);
    const delimiter = options.delimiter;
    let recordStart = 0;
    let position = 0;
    while (position < length || (final && recordStart < length)) {
      let count = 0;
      let cursor = recordStart;
      let complete = false;
      for (;;) {
        if (count === starts.length) grow();
        if (cursor < length && buffer[cursor] === QUOTE) {
          // A quoted field: up to a quote not followed by another.
          const open = cursor;
          let search = cursor + 1;
          let doubled = 0;
          let close = -1;
          for (;;) {
            const quote = buffer.indexOf(QUOTE, search);
            if (quote < 0) break;
            if (buffer[quote + 1] === QUOTE) {
              doubled = 1;
              search = quote + 2;
              continue;
            }
            if (quote + 1 >= length && !final) break;
            close = quote;
            break;
          }
          if (close < 0) {
            if (!final) return recordStart;
            options.warn({
              code: 'MALFORMED_QUOTES',
              message: `record ${record + 1}: quoted field not closed`,
              row: record + 1,
            });
            starts[count] = cursor + 1;
            ends[count] = length;
            escaped[count] = doubled;
            count += 1;
            cursor = length;
            complete = true;
            break;
          }
          starts[count] = cursor + 1;
          ends[count] = close;
          escaped[count] = doubled;
          cursor = close + 1;
          // After the closing quote: a delimiter, a line end, or the end of the data.
          let next = cursor < length ? (buffer[cursor] as number) : -1;
          if (next !== delimiter && next !== LF && !(next === CR && options.crlf) && next !== -1) {
            options.warn({
              code: 'MALFORMED_QUOTES',
              message: `record ${record + 1}: text after a closing quote`,
              row: record + 1,
            });
            // Keep the field as written, quotes and all, up to the next delimiter or line end.
            for (; cursor < length; cursor += 1) {
              next = buffer[cursor] as number;
              if (next === delimiter || next === LF) break;
            }
            starts[count] = open;
            ends[count] = options.crlf && next === LF && buffer[cursor - 1] === CR ? cursor - 1 : cursor;
            escaped[count] = 2;
          }
        } else {
          const fieldStart = cursor;
          let byte = -1;
          while (cursor < length) {
            byte = buffer[cursor] as number;
            if (byte === delimiter || byte === LF) break;
            cursor += 1;
          }
          starts[count] = fieldStart;
          ends[count] =
            options.crlf && byte === LF && cursor > fieldStart && buffer[cursor - 1] === CR ? cursor - 1 : cursor;
          escaped[count] = 0;
          if (cursor >= length && !final) return recordStart;
        }
        count += 1;
        if (cursor >= length) {
          complete = true;
          break;
        }
        const byte = buffer[cursor] as number;
        if (byte === delimiter) {
          cursor += 1;
          continue;
        }
        if (byte === CR && options.crlf && buffer[cursor + 1] === LF) cursor += 1;
        else if (byte === CR && options.crlf && cursor + 1 >= length && !final) return recordStart;
        if (buffer[cursor] === LF || cursor >= length) {
          cursor += 1;
          complete = true;
          break;
        }
        cursor += 1;
      }
      if (!complete) return recordStart;
      position = cursor;
      const empty = count === 1 && starts[0] === ends[0] && escaped[0] === 0 && buffer[recordStart] !== QUOTE;
      recordStart = cursor;
      if (empty) continue;
      record += 1;
      onRecord(buffer, starts, ends, escaped, count, decode, singleByte);
      if (recordStart >= length) break;
    }
    return Math.min(recordStart, length);
  };

  for await (const chunk of input) {
    let bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (first) {
      first = false;
      if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
        bytes = bytes.subarray(3);
        offset = 3;
      }
    }
    if (encoding === 'utf-8') {
      const checked = pendingUtf8.length > 0 ? Buffer.concat([pendingUtf8, bytes]) : bytes;
      const tail = incompleteUtf8Tail(checked);
      if (!isUtf8(checked.subarray(0, checked.length - tail))) {
        encoding = 'windows-1252';
        decode = windows1252;
        options.warn({
          code: 'ENCODING_FALLBACK',
          message: `invalid UTF-8 near byte ${offset}: decoding as Windows-1252 from here`,
        });
      }
      pendingUtf8 = tail > 0 ? Buffer.from(checked.subarray(checked.length - tail)) : Buffer.alloc(0);
    }
    offset += bytes.length;
    const buffer = carry.length > 0 ? Buffer.concat([carry, bytes]) : bytes;
    // A guard against one-line files: only a buffer longer than the limit can hold a line over it.
    if (buffer.length > options.maxLineBytes && longestLine(buffer) > options.maxLineBytes) {
      throw new PlatformError(
        'PARSE_LIMIT_EXCEEDED',
        `a line is longer than ${options.maxLineBytes} characters; raise maxLineChars to read it`,
        {
          details: { limit: 'maxLineChars', value: options.maxLineBytes },
        },
      );
    }
    const rest = scan(buffer, false);
    carry = rest < buffer.length ? Buffer.from(buffer.subarray(rest)) : Buffer.alloc(0);
  }
  if (carry.length > 0) scan(carry, true);
  return { records: record - options.firstRecord + 1, encoding };
}
