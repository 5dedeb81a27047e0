import { PlatformError } from '@platform/foundations';

/** Exit codes scripts can rely on (documented in docs/cli.md). */
export const EXIT = {
  ok: 0,
  /** A flow failed, or what was asked for does not exist. */
  failed: 1,
  /** The command line is wrong: unknown command or option, a file that does not exist. */
  usage: 2,
  /** The platform could not start: invalid configuration, a store unreachable. */
  unavailable: 3,
} as const;

const UNAVAILABLE = new Set(['CONFIG_INVALID', 'ADAPTER_UNAVAILABLE', 'STARTUP_FAILED', 'SERVICE_WIRING_INVALID']);

/** A wrong command line, reported with exit code 2. */
export class UsageError extends Error {}

/** The exit code an error ends the command with. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError) return EXIT.usage;
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string' && UNAVAILABLE.has(code)) return EXIT.unavailable;
  return EXIT.failed;
}

/** One readable line (`CODE: message`), with the cause chain and stack only when verbose. */
export function errorLine(error: unknown, verbose = false): string {
  const code = error instanceof PlatformError || typeof (error as { code?: unknown })?.code === 'string';
  const given = (error as { message?: unknown })?.message;
  const message = typeof given === 'string' ? given : String(error);
  const head = `${code ? `${(error as { code: string }).code}: ` : ''}${message.split('\n').join(' ')}`;
  if (!verbose || !(error instanceof Error)) return head;
  const lines = [error.stack ?? head];
  let cause = error.cause;
  while (cause instanceof Error) {
    lines.push(`caused by: ${cause.stack ?? cause.message}`);
    cause = cause.cause;
  }
  return lines.join('\n');
}

/** Columns padded to their widest cell; the last column is not padded. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
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

/** `850 ms`, `1.2 s`, `3 min 20 s`. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** A number as people read it: grouped, at most 4 significant decimals. */
export function figure(value: number | undefined | null): string {
  if (value === undefined || value === null || Number.isNaN(value)) return '–';
  if (Math.abs(value) >= 1e15 || (value !== 0 && Math.abs(value) < 1e-4)) return value.toExponential(3);
  return value.toLocaleString('en-US', { maximumFractionDigits: 4 });
}

/** Writes a line to stdout. */
export function print(text = ''): void {
  process.stdout.write(`${text}\n`);
}

/** Writes a value as JSON to stdout (the `--json` output of every command). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
