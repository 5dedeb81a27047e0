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

/**
 * Characters a terminal acts on instead of showing, or shows in another order than they come:
 * C0 controls (ESC starts the sequences that clear a screen, move the cursor, set the window
 * title), DEL, C1 controls (U+009B is a one-character CSI on some terminals), the line and
 * paragraph separators, and the bidirectional embeddings, overrides and isolates that make text
 * read otherwise than it is (U+202A-U+202E, U+2066-U+2069).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is escaped
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
const hex = (char: string, digits: number) => (char.codePointAt(0) as number).toString(16).padStart(digits, '0');

/**
 * Text from a file (a column name, a value, a file name, a sentence about them, an error message)
 * as the CLI prints it: every character a terminal would act on (listed above) made visible as an escape (`\x1b`,
 * `\u202e`, `\n`), so that a cell holding `ESC[2J` shows as `\x1b[2J` instead of clearing the
 * user's terminal. Everything else is kept, backslashes too: this is for reading, `--json` for
 * the exact values. Idempotent. Every line the CLI writes passes through it.
 */
export function printable(value: unknown): string {
  return String(value).replace(
    UNSAFE,
    (char) => NAMED[char] ?? (char < '\u0100' ? `\\x${hex(char, 2)}` : `\\u${hex(char, 4)}`),
  );
}

// What JSON.stringify leaves as it is (it escapes U+0000-U+001F itself).
const JSON_UNSAFE = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * `value` as JSON, with the characters of {@link printable} that `JSON.stringify` leaves raw
 * (DEL, C1 controls, bidirectional controls, line separators) written as `\uXXXX` escapes: the
 * same JSON to a parser, nothing a terminal acts on.
 */
export function jsonText(value: unknown, indent = 2): string {
  return JSON.stringify(value, null, indent).replace(JSON_UNSAFE, (char) => `\\u${hex(char, 4)}`);
}

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
