import { createReadStream, existsSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { PlatformError } from '@platform/foundations/errors';
import {
  type DelimitedParseOptions,
  type DelimitedParseReport,
  parseDelimitedValues,
} from '../../parsing/delimited.js';
import {
  type TableInsights,
  TableProfiler,
  type TableProfilerOptions,
  type TableProfilerState,
} from '../table-profiler.js';
import { type ByteLayout, byteLayoutOf, profileBytes } from './profile-bytes.js';
import { profileRange } from './profile-range.js';
import { splitPoints } from './split.js';
import { startWorker } from './worker-flags.js';

/** Options of {@link profileDelimitedFile}. */
export interface FileProfileOptions {
  /**
   * Threads to profile on, the calling thread included (it takes the first part, worker threads
   * the others); default the machine's available parallelism. 1 profiles on the calling thread only.
   */
  workers?: number;
  /** Smallest part a worker is given. Default 16 MiB: below that, starting a thread costs more than it saves. */
  minBytesPerWorker?: number;
  csv?: Omit<DelimitedParseOptions, 'columns'>;
  profiler?: TableProfilerOptions;
  /**
   * `bytes` (default): the fast path, which reads fields from the file's bytes and makes strings
   * only of new distinct values, samples and keyword candidates; used when the file allows
   * (UTF-8 or Windows-1252, a one-character delimiter, `\n` or `\r\n` line ends), papaparse
   * otherwise. `papaparse`: always the general parser.
   */
  engine?: 'bytes' | 'papaparse';
}

/** What one worker is asked to do. */
export interface RangeTask {
  path: string;
  start: number;
  end: number;
  columns: string[];
  delimiter: string;
  csv: Omit<DelimitedParseOptions, 'columns'>;
  profiler: TableProfilerOptions;
  /** Set when the range is read on the byte fast path. */
  layout?: ByteLayout;
}

type WorkerReply =
  | { ok: true; state: TableProfilerState; report: DelimitedParseReport }
  | { ok: false; code: string; message: string; details?: unknown };

const PREFIX_BYTES = 1024 * 1024;

/**
 * Parses and profiles a CSV/TSV file on disk in one pass, on several cores: the file is cut at
 * record boundaries into one byte range a thread (the calling thread and worker threads), each
 * thread parses and profiles its range, and the profiles are merged ({@link TableProfiler.merge}): counts, moments, correlations
 * and HyperLogLog sketches exactly, samples in proportion. Files smaller than two parts, and
 * UTF-16 files, are profiled on the calling thread. Warnings carry record numbers of the whole file.
 */
export async function profileDelimitedFile(
  path: string,
  options: FileProfileOptions = {},
): Promise<{ report: DelimitedParseReport; insights: TableInsights; workers: number }> {
  const { size } = await stat(path);
  const prefix = await readPrefix(path, Math.min(size, PREFIX_BYTES));
  const utf16 = (prefix[0] === 0xff && prefix[1] === 0xfe) || (prefix[0] === 0xfe && prefix[1] === 0xff);
  const minPart = options.minBytesPerWorker ?? 16 * 1024 * 1024;
  const workers = Math.max(1, Math.min(options.workers ?? availableParallelism(), Math.floor(size / minPart)));
  if (utf16) return { ...(await profileOnThisThread(path, options, undefined)), workers: 1 };

  // The header and the delimiter, from the first records.
  const head = await parseDelimitedValues(prefix.subarray(0, lastSafeBreak(prefix)), () => {}, options.csv);
  const columns = head.columns;
  const layout = options.engine === 'papaparse' ? undefined : byteLayoutOf(prefix, head.delimiter);
  if (workers < 2 || columns.length === 0) return { ...(await profileOnThisThread(path, options, layout)), workers: 1 };
  const bom = prefix[0] === 0xef && prefix[1] === 0xbb && prefix[2] === 0xbf ? 3 : 0;
  const headerEnd = firstSafeBreak(prefix, bom);
  if (headerEnd < 0) return { ...(await profileOnThisThread(path, options, layout)), workers: 1 };
  const cuts = await splitPoints(path, headerEnd, size, workers);
  // Each part checks its own first rows for duplicates; the merge keeps those of the whole
  // table's first `duplicateRows` rows, as one thread would.
  const profilerOptions: TableProfilerOptions = { ...options.profiler };
  const running: Worker[] = [];
  const tasks: RangeTask[] = cuts.slice(1).map((end, index) => ({
    path,
    start: cuts[index] as number,
    end,
    columns,
    delimiter: head.delimiter,
    csv: options.csv ?? {},
    profiler: profilerOptions,
    ...(layout ? { layout } : {}),
  }));
  // The calling thread takes the first part (it would only wait otherwise); workers take the rest.
  const replies = await Promise.all(
    tasks.map((task, index) => (index === 0 ? profileRange(task) : runWorker(running, task))),
  ).catch((error: unknown) => {
    // One part failed: the others' work is of no use.
    for (const worker of running) void worker.terminate();
    throw error;
  });
  // Rows are numbered as the file's records, the header being row 1 (as warnings number them).
  const merged = new TableProfiler(columns, options.profiler).numberRowsFrom(2);
  const report: DelimitedParseReport = {
    ...head,
    rowCount: 0,
    warnings: [...head.warnings.filter((warning) => warning.row === 1)],
    droppedWarnings: 0,
  };
  for (const reply of replies) {
    const offset = report.rowCount;
    for (const warning of reply.report.warnings) {
      if (warning.row === undefined) report.warnings.push(warning);
      else {
        // Record numbers of a part count from its start: make them the whole file's.
        const row = warning.row + offset;
        report.warnings.push({
          ...warning,
          row,
          message: warning.message.replace(`record ${warning.row}`, `record ${row}`),
        });
      }
    }
    report.droppedWarnings += reply.report.droppedWarnings;
    if (reply.report.encoding !== 'utf-8') report.encoding = reply.report.encoding;
    report.rowCount += reply.report.rowCount;
    merged.merge(reply.state);
  }
  return { report, insights: merged.result(), workers: replies.length };
}

async function profileOnThisThread(
  path: string,
  options: FileProfileOptions,
  layout: ByteLayout | undefined,
): Promise<{ report: DelimitedParseReport; insights: TableInsights }> {
  if (layout) {
    const { profiler, report } = await profileBytes(createReadStream(path), layout, {
      ...(options.csv ? { csv: options.csv } : {}),
      ...(options.profiler ? { profiler: options.profiler } : {}),
    });
    return { report, insights: profiler.numberRowsFrom(2).result() };
  }
  let profiler: TableProfiler | undefined;
  const report = await parseDelimitedValues(
    createReadStream(path),
    (values, _index, columns) => {
      profiler ??= new TableProfiler(columns, options.profiler);
      profiler.addValues(values);
    },
    options.csv,
  );
  profiler ??= new TableProfiler(report.columns, options.profiler);
  return { report, insights: profiler.numberRowsFrom(2).result() };
}

function runWorker(
  running: Worker[],
  task: RangeTask,
): Promise<{ state: TableProfilerState; report: DelimitedParseReport }> {
  return new Promise((resolve, reject) => {
    // With this process's flags, less those a worker refuses (V8 and process-wide ones: see startWorker).
    const worker = startWorker(workerFile(), {
      workerData: task,
      // A young generation of 16 MiB keeps a worker's heap (and the process's peak RSS) small.
      resourceLimits: { maxYoungGenerationSizeMb: 16 },
    });
    running.push(worker);
    worker.once('message', (reply: WorkerReply) => {
      if (reply.ok) resolve(reply);
      else
        reject(
          new PlatformError(
            reply.code,
            reply.message,
            reply.details ? { details: reply.details as Record<string, unknown> } : {},
          ),
        );
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0 && code !== 1)
        reject(new PlatformError('INTERNAL', `a profiling worker exited with code ${code}`));
    });
  });
}

/**
 * The profile worker's file: a separate entry of the build; sources under test use the built one
 * (`INTERNAL` when it is not built).
 */
export function workerFile(): URL {
  const here = import.meta.url;
  if (here.endsWith('.cjs')) return new URL('./profile-worker.cjs', here);
  if (here.endsWith('.js')) return new URL('./profile-worker.js', here);
  const built = new URL('../../../dist/profile-worker.js', here);
  if (!existsSync(built)) {
    throw new PlatformError(
      'INTERNAL',
      'the profile worker is not built: run `pnpm build` before profiling on worker threads from the sources',
    );
  }
  return built;
}

async function readPrefix(path: string, length: number): Promise<Buffer> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await file.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

// The end of the first record: the first line break with an even number of quotes before it.
function firstSafeBreak(bytes: Buffer, from: number): number {
  let quotes = 0;
  for (let index = from; index < bytes.length; index += 1) {
    const byte = bytes[index];
    if (byte === 0x22) quotes += 1;
    else if (byte === 0x0a && quotes % 2 === 0) return index + 1;
  }
  return -1;
}

// The end of the last whole record in a prefix.
function lastSafeBreak(bytes: Buffer): number {
  let quotes = 0;
  let last = 0;
  for (let index = 0; index < bytes.length; index += 1) {
    const byte = bytes[index];
    if (byte === 0x22) quotes += 1;
    else if (byte === 0x0a && quotes % 2 === 0) last = index + 1;
  }
  return last;
}
