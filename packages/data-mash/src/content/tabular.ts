import {
  type DelimitedParseOptions,
  type DelimitedParseReport,
  delimiterOf,
  newReport,
  type ParseWarning,
  parseDelimitedValues,
  resumeDelimitedValues,
  SAMPLE_CHARS,
  uniqueColumns,
} from '../parsing/delimited.js';
import { scanStrictRecords } from '../parsing/delimited-strict.js';
import { decodeText } from '../parsing/text-decoding.js';
import type { ParseContext } from './parse-context.js';
import { ProfileRelay } from './profile-relay.js';
import type { TableWriter } from './table-writer.js';

/**
 * Parses a CSV/TSV into a table. UTF-8 files with a one-byte delimiter go the byte fast path:
 * records are split from the bytes ({@link scanStrictRecords}) and each row is sampled, profiled
 * and stored as JSON Lines straight from its bytes ({@link TableWriter.writeFields}), making
 * strings only of sampled and new distinct values. Where the fast path would read the file
 * otherwise than the general parser (papaparse), the general parser takes over from that record:
 * the table, its profile, samples and warnings are those the general parser alone gives.
 */
export async function parseTabular(
  body: AsyncIterable<Uint8Array>,
  context: ParseContext,
  delimiter?: string,
): Promise<void> {
  const options: DelimitedParseOptions = {
    ...context.options.csv,
    ...(delimiter && !context.options.csv?.delimiter ? { delimiter } : {}),
  };
  if (options.columns) return parseGeneral(body, context, options);
  const source = body[Symbol.asyncIterator]();
  const taken: Uint8Array[] = [];
  // The general parser's sample (the decoded first chunks, at least SAMPLE_CHARS), taken the same
  // way so the delimiter is guessed from the same text.
  const teed = {
    async *[Symbol.asyncIterator]() {
      for (let next = await source.next(); !next.done; next = await source.next()) {
        taken.push(next.value);
        yield next.value;
      }
    },
  };
  let utf8: boolean | undefined;
  const decoded = decodeText(teed, (encoding, warning) => {
    utf8 = encoding === 'utf-8' && !warning && utf8 !== false;
  });
  let sample = '';
  // Not a for-await: leaving it would close the source, whose rest is still to be read.
  for (let next = await decoded.next(); !next.done; next = await decoded.next()) {
    sample += next.value;
    if (sample.length >= SAMPLE_CHARS) break;
  }
  async function* replay(): AsyncGenerator<Uint8Array> {
    yield* taken;
    for (let next = await source.next(); !next.done; next = await source.next()) yield next.value;
  }
  const chosen = utf8 ? delimiterOf(sample.replace(/\r\n?/g, '\n'), options.delimiter) : '';
  const code = chosen.length === 1 ? chosen.charCodeAt(0) : -1;
  // The byte path splits on one ASCII byte; a space could follow a closing quote (which papaparse allows).
  if (code < 0 || code >= 128 || chosen === '"' || chosen === ' ' || chosen === '\n' || chosen === '\r')
    return parseGeneral(replay(), context, options);
  await parseFast(replay(), context, { ...options, delimiter: chosen }, crlfOf(taken), options.delimiter);
}

// Lines end in `\r\n` when the first line does (a guess for speed only: the strict scan hands any
// other `\r` to the general parser).
function crlfOf(pieces: readonly Uint8Array[]): boolean {
  const head = Buffer.concat(pieces.slice(0, 2));
  const newline = head.indexOf(0x0a);
  return newline > 0 && head[newline - 1] === 0x0d;
}

async function parseFast(
  body: AsyncIterable<Uint8Array>,
  context: ParseContext,
  options: DelimitedParseOptions & { delimiter: string },
  crlf: boolean,
  given: string | undefined,
): Promise<void> {
  const maxColumns = options.maxColumns ?? 10_000;
  const { report, warn } = newReport(options.delimiter, options.maxWarnings ?? 100);
  let table: TableWriter | undefined;
  const profile = context.options.profile;
  // Profiled on a worker thread while this one stores the rows, from the same bytes.
  const relay = profile
    ? new ProfileRelay(
        {
          kind: 'stream',
          delimiter: options.delimiter,
          crlf,
          maxColumns,
          maxBufferBytes: options.maxLineChars ?? 16 * 1024 * 1024,
          profiler: profile,
        },
        context.options.profileWorker ?? false,
      )
    : undefined;
  let waiting: Array<Promise<void>> = [];
  const settle = () => {
    if (waiting.length === 0) return undefined;
    const all = Promise.all(waiting);
    waiting = [];
    return all;
  };
  const handOff = await scanStrictRecords(
    body,
    (bytes, starts, ends, escaped, count, ascii) => {
      if (!table) {
        // Too wide a header: the general parser refuses it with its error.
        if (count > maxColumns) return false;
        const names = Array.from({ length: count }, (_, index) => {
          const text = bytes.toString('utf8', starts[index] as number, ends[index] as number);
          return escaped[index] === 1 ? text.replaceAll('""', '"') : text;
        });
        report.columns = uniqueColumns(names, warn);
        table = context.openTable(context.baseName, report.columns, 2);
        if (relay) table.profileElsewhere(relay);
        return true;
      }
      const columns = report.columns.length;
      if (count !== columns) {
        // Worded as the general parser words it; the header is record 1.
        const record = report.rowCount + 2;
        warn({
          code: 'RAGGED_ROW',
          message: `record ${record} has ${count} fields, the header ${columns}; ${count < columns ? 'missing ones are empty' : 'extra ones are dropped'}`,
          row: record,
        });
      }
      report.rowCount += 1;
      const written = table.writeFields(bytes, starts, ends, escaped, count, ascii);
      if (written) {
        // Awaited after the chunk; seen now, so a failure while the chunk is scanned is not unhandled.
        written.catch(() => undefined);
        waiting.push(written);
      }
      return true;
    },
    {
      delimiter: options.delimiter.charCodeAt(0),
      crlf,
      maxBufferBytes: options.maxLineChars ?? 16 * 1024 * 1024,
      maxFields: maxColumns * 2 + 64,
      afterChunk: settle,
      ...(relay
        ? {
            onChunk: (chunk: Uint8Array) => {
              const held = relay.chunk(chunk);
              if (held) waiting.push(held);
            },
          }
        : {}),
    },
  );
  await settle();
  if (handOff?.fromStart) {
    relay?.abort();
    return parseGeneral(handOff.rest, context, options);
  }
  if (handOff) {
    const open = table as TableWriter;
    const rest = await resumeDelimitedValues(
      handOff.rest,
      (values) => open.writeValues(values),
      { ...options, columns: report.columns },
      handOff.offset,
    );
    join(report, rest, warn);
  }
  context.warn(report.warnings, report.droppedWarnings);
  context.report.encoding = report.encoding;
  // Without a header the general parser names the delimiter it was given, not the guess.
  context.report.delimiter = table ? report.delimiter : (given ?? ',');
  if (!table) context.openTable(context.baseName, report.columns, 2);
}

// Adds the general parser's report of the rest of a file: its record numbers (from 2 at its first
// record) become the whole file's.
function join(report: DelimitedParseReport, rest: DelimitedParseReport, warn: (warning: ParseWarning) => void): void {
  const offset = report.rowCount;
  for (const warning of rest.warnings) {
    if (warning.row === undefined) warn(warning);
    else {
      const row = warning.row + offset;
      warn({ ...warning, row, message: warning.message.replace(`record ${warning.row}`, `record ${row}`) });
    }
  }
  report.droppedWarnings += rest.droppedWarnings;
  report.rowCount += rest.rowCount;
  report.encoding = rest.encoding;
}

/** The general parser alone (papaparse), for every file the fast path cannot take, and as its reference in tests. */
export async function parseGeneral(
  body: AsyncIterable<Uint8Array>,
  context: ParseContext,
  options: DelimitedParseOptions,
): Promise<void> {
  let table: TableWriter | undefined;
  const report = await parseDelimitedValues(
    body,
    (values, _index, columns) => {
      // Records are numbered from the header, record 1, as parse warnings number them.
      table ??= context.openTable(context.baseName, columns, options.columns ? 1 : 2);
      return table.writeValues(values);
    },
    options,
  );
  context.warn(report.warnings, report.droppedWarnings);
  context.report.encoding = report.encoding;
  context.report.delimiter = report.delimiter;
  if (!table) context.openTable(context.baseName, report.columns, options.columns ? 1 : 2);
}
