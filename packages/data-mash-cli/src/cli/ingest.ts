import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { DataMashFlowResult } from '@platform/data-mash';
import { PlatformError, parseByteSize, serializeError } from '@platform/foundations';
import type { TelemetryEvent } from '@platform/observability';
import cliProgress from 'cli-progress';
import { glob, isDynamicPattern } from 'tinyglobby';
import { duration, EXIT, errorLine, figure, print, printable, printJson, UsageError } from './output.js';
import { type GlobalOptions, openSession } from './session.js';
import { queueOption } from './work.js';

const PHASES = [
  ['file_uploaded', 'upload'],
  ['file_parsed', 'parse'],
  ['semantic_processed', 'store'],
  ['insights_generated', 'profile'],
] as const;

/** Files named on the command line: paths as they are, globs expanded (for shells that do not). */
export async function resolveFiles(patterns: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const pattern of patterns) {
    const info = await stat(pattern).catch(() => undefined);
    if (info?.isFile()) {
      files.push(resolve(pattern));
      continue;
    }
    if (info?.isDirectory())
      throw new UsageError(`'${pattern}' is a directory; name its files, e.g. '${pattern}/*.csv'`);
    if (!isDynamicPattern(pattern)) throw new UsageError(`no such file: '${pattern}'`);
    const matches = await glob(pattern, { onlyFiles: true, absolute: true });
    if (matches.length === 0) throw new UsageError(`no file matches '${pattern}'`);
    files.push(...matches.sort());
  }
  return [...new Set(files)];
}

/** One file's outcome, as `--json` prints it. */
export type IngestReport = { file: string; durationMs: number } & DataMashFlowResult;

/** Options of `data-mash ingest`. */
export interface IngestOptions extends GlobalOptions {
  /** Submit to the distributed runner's queue in this Postgres instead of running here. */
  queue?: string;
  /** With `queue`: wait for the flows to finish (default), or print the jobs and return. */
  wait?: boolean;
  /** With `queue`: before each file, wait while the queue holds this many waiting jobs. */
  maxQueued?: string;
  /** `--max-bytes` (or `PLATFORM_MAX_FILE_BYTES`): the largest file accepted, `2GB`, `500MiB`, `1048576`. */
  maxBytes?: string;
}

/** The platform configuration an ingest needs on top of the global options: the size limit. */
function ingestConfig(options: IngestOptions) {
  if (options.maxBytes === undefined) return {};
  const maxFileBytes = parseByteSize(options.maxBytes);
  if (maxFileBytes === undefined || maxFileBytes < 1) {
    throw new UsageError(`--max-bytes expects a size such as 2GB, 500MiB or 1048576, not '${options.maxBytes}'`);
  }
  return { limits: { maxFileBytes } };
}

/**
 * `data-mash ingest <files...>`: runs the flow on each file in turn, with a progress bar per file
 * and phase on a terminal, then a summary per file; with `--queue`, submits them to workers
 * (`data-mash work`) instead. Exit code 1 when any flow failed.
 */
export async function ingest(patterns: readonly string[], options: IngestOptions): Promise<number> {
  if (options.queue !== undefined) return ingestQueued(patterns, options);
  // Options of a queued ingest, given without a queue: said, not ignored.
  if (options.wait === false) throw new UsageError('--no-wait goes with --queue (a local ingest always waits)');
  if (options.maxQueued !== undefined) throw new UsageError('--max-queued goes with --queue');
  const files = await resolveFiles(patterns);
  const config = ingestConfig(options);
  const bars =
    !options.json && process.stderr.isTTY
      ? new cliProgress.MultiBar(
          {
            format: ' {bar} {phase} | {file}',
            hideCursor: true,
            clearOnComplete: false,
            stream: process.stderr,
          },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
  let current: cliProgress.SingleBar | undefined;
  const onEvent = (event: TelemetryEvent) => {
    if (event.operation === 'journey.waiting') {
      // Another process runs this file's flow: say so, instead of sitting silent until it ends.
      const holder = printable(event.details?.holder ?? 'another process');
      if (current) current.update({ phase: `waiting for the run in ${holder}…` });
      else if (!options.json) process.stderr.write(`waiting for the run of this file in ${holder}…\n`);
      return;
    }
    if (event.operation !== 'journey.handoff' || !current) return;
    const index = PHASES.findIndex(([milestone]) => milestone === event.details?.milestone);
    const next = PHASES[index + 1];
    current.update(index + 1, { phase: next ? `${next[1]}…` : 'done' });
  };
  const session = await openSession(options, onEvent, undefined, config);
  const reports: IngestReport[] = [];
  try {
    for (const file of files) {
      current = bars?.create(PHASES.length, 0, { phase: 'upload…', file: printable(basename(file)) });
      const started = performance.now();
      const result = await session.flow.executeDataMashFlow({
        file: { name: basename(file), path: file },
        userContext: session.user,
      });
      const durationMs = performance.now() - started;
      if (result.success)
        current?.update(PHASES.length, { phase: result.run === 'reused' ? 'already ingested' : 'done' });
      else current?.update({ phase: `failed at ${result.failedPhase ?? 'start'}` });
      reports.push({ file, durationMs, ...result });
    }
  } finally {
    bars?.stop();
    await session.close();
  }
  if (options.json) printJson(reports);
  else printSummary(reports);
  return reports.every((report) => report.success) ? EXIT.ok : EXIT.failed;
}

/** `--max-queued`: a whole number of waiting jobs, at least 1. */
function maxQueuedOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) {
    throw new UsageError(`--max-queued must be a whole number of at least 1, got '${value}'`);
  }
  return number;
}

/** `ingest --queue`: stores each file and enqueues its flow, then (unless `--no-wait`) waits for the workers. */
async function ingestQueued(patterns: readonly string[], options: IngestOptions): Promise<number> {
  const files = await resolveFiles(patterns);
  const url = queueOption(options.queue);
  const maxQueued = maxQueuedOption(options.maxQueued);
  const session = await openSession(options, undefined, { url }, ingestConfig(options));
  const runner = session.runner as NonNullable<typeof session.runner>;
  const reports: IngestReport[] = [];
  try {
    const jobs: Array<{ file: string; jobId: string; traceId: string; fileId: string; started: number }> = [];
    for (const file of files) {
      const started = performance.now();
      try {
        const job = await runner.submit({
          file: { name: basename(file), data: createReadStream(file) },
          userContext: session.user,
          ...(maxQueued === undefined ? {} : { maxQueued }),
        });
        jobs.push({ file, started, ...job });
      } catch (error) {
        // Refused before it was queued (a quarantined file, say): nothing for a worker to do.
        const failure = serializeError(error);
        reports.push({
          file,
          durationMs: performance.now() - started,
          success: false,
          traceId: '',
          phases: {},
          error: failure,
        });
      }
    }
    if (options.wait === false) {
      if (options.json) printJson({ queued: jobs.map(({ started: _, ...job }) => job), refused: reports });
      else {
        for (const job of jobs)
          print(`⧗ ${printable(basename(job.file))} queued: job ${job.jobId}  file ${job.fileId}`);
        printSummary(reports);
      }
      return reports.length === 0 ? EXIT.ok : EXIT.failed;
    }
    for (const job of jobs) {
      const status = await runner.waitFor(job.jobId);
      const durationMs = performance.now() - job.started;
      const output = status.output;
      if (output?.success) {
        const { phases } = await session.flow.getFlow(session.user, output.journeyId);
        reports.push({ file: job.file, durationMs, ...output, phases: phases as Required<typeof phases> });
      } else if (output) {
        reports.push({ file: job.file, durationMs, ...output, phases: {}, failedPhase: output.failedPhase as never });
      } else {
        // Its attempts ran out (a dead letter now): the last attempt's reason, with the way back.
        const error = serializeError(
          new PlatformError(
            status.reason?.code ?? 'INTERNAL',
            `flow job ${job.jobId} ended ${status.state} after ${status.retryCount} retries${
              status.reason ? `: ${status.reason.message}` : ''
            } (data-mash queue dead-letters; data-mash queue retry --all)`,
            { details: { jobId: job.jobId, retryCount: status.retryCount } },
          ),
        );
        reports.push({ file: job.file, durationMs, success: false, traceId: job.traceId, phases: {}, error });
      }
    }
  } finally {
    await session.close();
  }
  reports.sort((a, b) => files.indexOf(a.file) - files.indexOf(b.file));
  if (options.json) printJson(reports);
  else printSummary(reports);
  return reports.every((report) => report.success) ? EXIT.ok : EXIT.failed;
}

function printSummary(reports: readonly IngestReport[]): void {
  for (const report of reports) {
    const name = printable(basename(report.file));
    if (report.success) {
      const { parseResult } = report.phases.file_parsed;
      const rows = parseResult.tables.reduce((sum, table) => sum + table.rowCount, 0);
      const columns = parseResult.tables.reduce((sum, table) => sum + table.columns.length, 0);
      const run = report.run === 'reused' ? 'already ingested' : report.run;
      print(`✔ ${name} (${parseResult.format}, ${run}, ${duration(report.durationMs)})`);
      print(`  journey ${report.journeyId}  trace ${report.traceId}`);
      const shape = [
        `${parseResult.tables.length} table${parseResult.tables.length === 1 ? '' : 's'}`,
        `${figure(rows)} row${rows === 1 ? '' : 's'}`,
        `${figure(columns)} column${columns === 1 ? '' : 's'}`,
        ...(parseResult.text ? [`${figure(parseResult.text.characters)} characters of text`] : []),
        `${parseResult.warnings} warning${parseResult.warnings === 1 ? '' : 's'}`,
      ];
      print(`  ${shape.join(' · ')}`);
      for (const statement of report.phases.insights_generated.insightsResult.summary.slice(0, 3))
        print(`  • ${printable(statement)}`);
    } else {
      print(`✖ ${name}: ${report.failedPhase ? `failed at ${report.failedPhase}: ` : ''}${errorLine(report.error)}`);
      if (report.error?.code === 'FILE_TOO_LARGE')
        print('  accept larger files with --max-bytes <size>, e.g. --max-bytes 2GB');
      if (report.journeyId) print(`  journey ${report.journeyId}  trace ${report.traceId}`);
      else print(`  trace ${report.traceId}`);
    }
  }
  const failed = reports.filter((report) => !report.success).length;
  if (reports.length > 1) {
    print(`${reports.length} files: ${reports.length - failed} ingested, ${failed} failed`);
  }
}
