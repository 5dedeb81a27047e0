import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { TelemetryEvent } from '@platform/observability';
import cliProgress from 'cli-progress';
import { glob, isDynamicPattern } from 'tinyglobby';
import type { DataMashFlowResult } from '../phases/solution-orchestrator.js';
import { duration, EXIT, errorLine, figure, print, printJson, UsageError } from './output.js';
import { type GlobalOptions, openSession } from './session.js';

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

/**
 * `data-mash ingest <files...>`: runs the flow on each file in turn, with a progress bar per file
 * and phase on a terminal, then a summary per file. Exit code 1 when any flow failed.
 */
export async function ingest(patterns: readonly string[], options: GlobalOptions): Promise<number> {
  const files = await resolveFiles(patterns);
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
    if (event.operation !== 'journey.handoff' || !current) return;
    const index = PHASES.findIndex(([milestone]) => milestone === event.details?.milestone);
    const next = PHASES[index + 1];
    current.update(index + 1, { phase: next ? `${next[1]}…` : 'done' });
  };
  const session = await openSession(options, onEvent);
  const reports: IngestReport[] = [];
  try {
    for (const file of files) {
      current = bars?.create(PHASES.length, 0, { phase: 'upload…', file: basename(file) });
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

function printSummary(reports: readonly IngestReport[]): void {
  for (const report of reports) {
    const name = basename(report.file);
    if (report.success) {
      const { parseResult } = report.phases.file_parsed;
      const rows = parseResult.tables.reduce((sum, table) => sum + table.rowCount, 0);
      const columns = parseResult.tables.reduce((sum, table) => sum + table.columns.length, 0);
      const run = report.run === 'reused' ? 'already ingested' : report.run;
      print(`✔ ${name} (${parseResult.format}, ${run}, ${duration(report.durationMs)})`);
      print(`  journey ${report.journeyId}  trace ${report.traceId}`);
      const shape = [
        `${parseResult.tables.length} table${parseResult.tables.length === 1 ? '' : 's'}`,
        `${figure(rows)} rows`,
        `${figure(columns)} columns`,
        ...(parseResult.text ? [`${figure(parseResult.text.characters)} characters of text`] : []),
        `${parseResult.warnings} warning${parseResult.warnings === 1 ? '' : 's'}`,
      ];
      print(`  ${shape.join(' · ')}`);
      for (const statement of report.phases.insights_generated.insightsResult.summary.slice(0, 3))
        print(`  • ${statement}`);
    } else {
      print(`✖ ${name}: ${report.failedPhase ? `failed at ${report.failedPhase}: ` : ''}${errorLine(report.error)}`);
      if (report.journeyId) print(`  journey ${report.journeyId}  trace ${report.traceId}`);
      else print(`  trace ${report.traceId}`);
    }
  }
  const failed = reports.filter((report) => !report.success).length;
  if (reports.length > 1) {
    print(`${reports.length} files: ${reports.length - failed} ingested, ${failed} failed`);
  }
}
