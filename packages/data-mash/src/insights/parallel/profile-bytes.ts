import { PlatformError } from '@platform/foundations/errors';
import {
  type DelimitedParseOptions,
  type DelimitedParseReport,
  newReport,
  uniqueColumns,
} from '../../parsing/delimited.js';
import { scanDelimitedBytes } from '../../parsing/delimited-bytes.js';
import { TableProfiler, type TableProfilerOptions } from '../table-profiler.js';

/** How a file's records are laid out, as found in its first bytes. */
export interface ByteLayout {
  delimiter: string;
  /** Lines end in `\r\n`. */
  crlf: boolean;
}

/**
 * Parses and profiles delimited bytes on the fast path: no string a field, except new distinct
 * values, samples and keyword candidates. The first record is the header unless `columns` is
 * given. Same report and figures as papaparse + {@link TableProfiler.addValues}.
 */
export async function profileBytes(
  input: AsyncIterable<Uint8Array>,
  layout: ByteLayout,
  options: {
    columns?: readonly string[];
    csv?: Omit<DelimitedParseOptions, 'columns'>;
    profiler?: TableProfilerOptions;
  },
): Promise<{ profiler: TableProfiler; report: DelimitedParseReport }> {
  const maxWarnings = options.csv?.maxWarnings ?? 100;
  const maxColumns = options.csv?.maxColumns ?? 10_000;
  const { report, warn } = newReport(layout.delimiter, maxWarnings);
  if (options.columns) report.columns = [...options.columns];
  let profiler = options.columns ? new TableProfiler(options.columns, options.profiler) : undefined;
  let record = options.columns ? 1 : 0;
  const result = await scanDelimitedBytes(
    input,
    (bytes, starts, ends, escaped, count, decode, singleByte) => {
      record += 1;
      if (!profiler) {
        if (count > maxColumns) {
          throw new PlatformError(
            'PARSE_LIMIT_EXCEEDED',
            `the header has ${count} columns; the limit is ${maxColumns}`,
            {
              details: { limit: 'maxColumns' },
            },
          );
        }
        const names = Array.from({ length: count }, (_, index) => {
          const text = decode(bytes, starts[index] as number, ends[index] as number);
          return escaped[index] === 1 ? text.replaceAll('""', '"') : text;
        });
        report.columns = uniqueColumns(names, warn);
        profiler = new TableProfiler(report.columns, options.profiler);
        return;
      }
      const columns = report.columns.length;
      if (count !== columns) {
        warn({
          code: 'RAGGED_ROW',
          message: `record ${record} has ${count} fields, the header ${columns}; ${count < columns ? 'missing ones are empty' : 'extra ones are dropped'}`,
          row: record,
        });
      }
      report.rowCount += 1;
      profiler.addFields(bytes, starts, ends, escaped, count, decode, singleByte);
    },
    {
      delimiter: layout.delimiter.charCodeAt(0),
      crlf: layout.crlf,
      maxLineBytes: options.csv?.maxLineChars ?? 16 * 1024 * 1024,
      maxColumns,
      warn: (warning) => {
        if (warning.code === 'ENCODING_FALLBACK') report.encoding = 'windows-1252';
        warn(warning);
      },
      firstRecord: record + 1,
    },
  );
  report.encoding = result.encoding;
  return { profiler: profiler ?? new TableProfiler(report.columns, options.profiler), report };
}

/** The layout of a file from its first bytes, or `undefined` when only the general parser can read it. */
export function byteLayoutOf(prefix: Uint8Array, delimiter: string): ByteLayout | undefined {
  if (delimiter.length !== 1 || delimiter.charCodeAt(0) > 127 || delimiter === '"') return undefined;
  if ((prefix[0] === 0xff && prefix[1] === 0xfe) || (prefix[0] === 0xfe && prefix[1] === 0xff)) return undefined;
  const newline = prefix.indexOf(0x0a);
  if (newline < 0) return undefined;
  // Old Mac line ends (a lone \\r) before the first \\n: the general parser.
  const carriage = prefix.indexOf(0x0d);
  if (carriage >= 0 && carriage < newline - 1) return undefined;
  return { delimiter, crlf: newline > 0 && prefix[newline - 1] === 0x0d };
}
