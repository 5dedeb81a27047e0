import { isAscii, isUtf8 } from 'node:buffer';
import { incompleteUtf8Tail } from './text-decoding.js';

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Receives one record: field `i` is `bytes[starts[i], ends[i])`, `escaped[i]` is 1 when it holds
 * doubled quotes. Returns false to refuse it: the scan then stops there and hands the rest over.
 */
export type StrictRecordHandler = (
  bytes: Buffer,
  starts: Int32Array,
  ends: Int32Array,
  escaped: Uint8Array,
  count: number,
  /** Every byte of the buffer is ASCII: lengths need no decoding. */
  ascii: boolean,
) => boolean;

/** Options of {@link scanStrictRecords}. */
export interface StrictScanOptions {
  delimiter: number;
  /** `\r\n` line ends (a `\r` before a `\n` ends a field), else `\n`. */
  crlf: boolean;
  /** Largest buffer (an unfinished record and a chunk) scanned; past it the rest is handed over. */
  maxBufferBytes: number;
  /** Most fields a record may have before the rest is handed over. */
  maxFields: number;
  /** Called after each chunk's records; the scan waits for the promise it returns (backpressure). */
  afterChunk: () => undefined | Promise<unknown>;
  /** Given each chunk of the input as it came, before it is scanned (to scan it again elsewhere). */
  onChunk?: (chunk: Uint8Array) => void;
}

/** Where a strict scan stopped: the rest of the input from the start of a record. */
export interface HandOff {
  /** The bytes from the refused record on, then the rest of the input. */
  rest: AsyncIterable<Uint8Array>;
  /** Where `rest` starts in the input, in bytes (a byte-order mark counted). */
  offset: number;
  /** Set when no record was handed out: `rest` is then the whole input as it came, mark and all. */
  fromStart: boolean;
}

/**
 * Splits UTF-8 delimited bytes into records without making strings, as long as the general parser
 * (papaparse after `RecordBreaks`) would read them alike: RFC 4180 quoting, `\n` or `\r\n` line
 * ends, blank lines skipped. At the first thing it does not read the same way (invalid UTF-8, a
 * lone `\r`, text after a closing quote, a quote never closed, a very long record, a record the
 * handler refuses) it stops at the start of that record and hands the rest over, so the general
 * parser reads it from there: nothing it handed out differs, and nothing is read twice.
 * Resolves with `undefined` when it read the whole input.
 */
export async function scanStrictRecords(
  input: AsyncIterable<Uint8Array>,
  onRecord: StrictRecordHandler,
  options: StrictScanOptions,
): Promise<HandOff | undefined> {
  const iterator = input[Symbol.asyncIterator]();
  const { delimiter, crlf, maxFields } = options;
  let starts = new Int32Array(64);
  let ends = new Int32Array(64);
  let escaped = new Uint8Array(64);
  let carry: Buffer = Buffer.alloc(0);
  let pendingUtf8 = 0;
  let consumed = 0;
  let first = true;
  // The input as it came until a record is handed out: a hand-off before then gives it all back.
  let head: Uint8Array[] | undefined = [];
  let stopped = false;

  const grow = () => {
    const size = starts.length * 2;
    const next = [new Int32Array(size), new Int32Array(size), new Uint8Array(size)] as const;
    next[0].set(starts);
    next[1].set(ends);
    next[2].set(escaped);
    [starts, ends, escaped] = next;
  };

  // Scans whole records of `buffer`; returns where the first unread one starts (`stopped` set
  // when the scan refused it rather than ran out of bytes).
  const scan = (buffer: Buffer, final: boolean): number => {
    const length = buffer.length;
    const ascii = isAscii(buffer);
    const hasCr = buffer.indexOf(CR) >= 0;
    let recordStart = 0;
    while (recordStart < length) {
      let count = 0;
      let cursor = recordStart;
      for (;;) {
        if (count === starts.length) {
          if (count >= maxFields) {
            stopped = true;
            return recordStart;
          }
          grow();
        }
        if (cursor < length && buffer[cursor] === QUOTE) {
          let search = cursor + 1;
          let doubled = 0;
          let close = -1;
          for (;;) {
            const quote = buffer.indexOf(QUOTE, search);
            if (quote < 0) break;
            if (quote + 1 >= length) {
              if (final) close = quote;
              break;
            }
            if (buffer[quote + 1] === QUOTE) {
              doubled = 1;
              search = quote + 2;
              continue;
            }
            close = quote;
            break;
          }
          if (close < 0) {
            // Not closed: more bytes may close it, or (at the end) the general parser reads it.
            stopped = final;
            return recordStart;
          }
          starts[count] = cursor + 1;
          ends[count] = close;
          escaped[count] = doubled;
          cursor = close + 1;
          if (cursor < length) {
            const next = buffer[cursor] as number;
            // The general parser allows spaces, or any text, after a closing quote: its reading.
            if (next !== delimiter && next !== LF && !(crlf && next === CR)) {
              stopped = true;
              return recordStart;
            }
          }
        } else {
          const fieldStart = cursor;
          while (cursor < length) {
            const byte = buffer[cursor] as number;
            if (byte === delimiter || byte === LF) break;
            cursor += 1;
          }
          if (cursor >= length && !final) return recordStart;
          let fieldEnd = cursor;
          if (crlf && buffer[cursor] === LF && fieldEnd > fieldStart && buffer[fieldEnd - 1] === CR) fieldEnd -= 1;
          // A `\r` left in an unquoted field ends a line for the general parser.
          if (hasCr) {
            const cr = buffer.indexOf(CR, fieldStart);
            if (cr >= 0 && cr < fieldEnd) {
              stopped = true;
              return recordStart;
            }
          }
          starts[count] = fieldStart;
          ends[count] = fieldEnd;
          escaped[count] = 0;
        }
        count += 1;
        if (cursor >= length) break;
        const byte = buffer[cursor] as number;
        if (byte === delimiter) {
          cursor += 1;
          continue;
        }
        if (byte === CR) {
          // After a closing quote in a `\r\n` file: the `\n` must follow.
          if (cursor + 1 >= length && !final) return recordStart;
          if (buffer[cursor + 1] !== LF) {
            stopped = true;
            return recordStart;
          }
          cursor += 1;
        }
        cursor += 1;
        break;
      }
      const empty = count === 1 && starts[0] === ends[0] && buffer[recordStart] !== QUOTE;
      if (!empty) {
        if (!onRecord(buffer, starts, ends, escaped, count, ascii)) {
          stopped = true;
          return recordStart;
        }
        head = undefined;
      }
      recordStart = cursor;
    }
    return recordStart;
  };

  const handOff = (buffer: Buffer, at: number): HandOff => {
    const given = head;
    const offset = consumed - buffer.length + at;
    async function* rest(): AsyncGenerator<Uint8Array> {
      let done = false;
      try {
        if (given) yield* given;
        else if (at < buffer.length) yield buffer.subarray(at);
        for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
        done = true;
      } finally {
        if (!done) await iterator.return?.();
      }
    }
    return { rest: rest(), offset: given ? 0 : offset, fromStart: given !== undefined };
  };

  try {
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      const chunk = next.value;
      head?.push(chunk);
      options.onChunk?.(chunk);
      let bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      consumed += bytes.length;
      if (first) {
        first = false;
        // A mark cut by the chunk's end is the general parser's to tell.
        if (bytes.length < 3) return handOff(bytes, 0);
        if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
      }
      const buffer = carry.length > 0 ? Buffer.concat([carry, bytes]) : bytes;
      // The bytes of this chunk are checked with the start of a character the last one cut.
      const checked = buffer.subarray(carry.length - pendingUtf8);
      pendingUtf8 = incompleteUtf8Tail(checked);
      if (!isUtf8(checked.subarray(0, checked.length - pendingUtf8))) return handOff(buffer, 0);
      if (buffer.length > options.maxBufferBytes) return handOff(buffer, 0);
      const rest = scan(buffer, false);
      if (stopped) return handOff(buffer, rest);
      carry = rest < buffer.length ? Buffer.from(buffer.subarray(rest)) : Buffer.alloc(0);
      const waiting = options.afterChunk();
      if (waiting) await waiting;
    }
    // An unfinished character at the end is the general parser's to decode (or not).
    if (pendingUtf8 > 0) return handOff(carry, 0);
    if (carry.length > 0) {
      const rest = scan(carry, true);
      if (stopped) return handOff(carry, rest);
    }
    const waiting = options.afterChunk();
    if (waiting) await waiting;
    return undefined;
  } catch (error) {
    await iterator.return?.();
    throw error;
  }
}
