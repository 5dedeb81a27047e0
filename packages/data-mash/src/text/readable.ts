// Text for people, shared by the CLI and the HTML report: what a file holds made safe to show,
// and numbers and durations as people read them.

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
