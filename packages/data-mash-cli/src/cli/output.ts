import { jsonText, printable } from '@platform/data-mash';
import { PlatformError } from '@platform/foundations';

export { duration, figure, jsonText, printable } from '@platform/data-mash';
export { EXIT, exitCodeFor, UsageError } from './exit.js';

/** One readable line (`CODE: message`), with the cause chain and stack only when verbose. */
export function errorLine(error: unknown, verbose = false): string {
  const code = error instanceof PlatformError || typeof (error as { code?: unknown })?.code === 'string';
  const given = (error as { message?: unknown })?.message;
  const message = typeof given === 'string' ? given : String(error);
  const head = printable(`${code ? `${(error as { code: string }).code}: ` : ''}${message.split('\n').join(' ')}`);
  if (!verbose || !(error instanceof Error)) return head;
  const lines = [error.stack ?? head];
  let cause = error.cause;
  while (cause instanceof Error) {
    lines.push(`caused by: ${cause.stack ?? cause.message}`);
    cause = cause.cause;
  }
  return lines.join('\n').split('\n').map(printable).join('\n');
}

/** Columns padded to their widest cell; the last column is not padded. Cells are {@link printable}. */
export function table(titles: readonly string[], cells: ReadonlyArray<readonly string[]>): string {
  const header = titles.map(printable);
  const rows = cells.map((row) => row.map(printable));
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/**
 * Writes text to stdout, a line at a time through {@link printable}: the line breaks the CLI put
 * there stay, no control character from a file gets to the terminal. Values are made
 * {@link printable} where they are put in a line too, so that a line break inside a value shows
 * as `\n` instead of starting a line of its own.
 */
export function print(text = ''): void {
  process.stdout.write(`${text.split('\n').map(printable).join('\n')}\n`);
}

/** Writes a value as JSON to stdout (the `--json` output of every command), through {@link jsonText}. */
export function printJson(value: unknown): void {
  process.stdout.write(`${jsonText(value)}\n`);
}
