const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;

/**
 * Makes every record of delimited text end with `\n`, as text streams through: outside quoted
 * fields, `\r\n` and a lone `\r` become `\n` (files that mix line endings, or old Mac ones) and
 * blank lines are dropped; inside quoted fields nothing changes. The parser then needs one line
 * break, and tells a blank line (dropped here) from a one-column record whose value is `""`
 * (kept: it is a row with an empty value).
 *
 * Quoting is read as the parser reads it (RFC 4180, and papaparse on malformed input): a quote
 * opens a field only at its start; inside, `""` is a quote, and a quote closes the field only when
 * a delimiter or a line break follows (spaces between allowed); any other quote is part of the
 * value. Text cut anywhere (inside `\r\n` or a delimiter, after a quote not decided yet) is held
 * back until the next chunk decides it.
 */
export class RecordBreaks {
  readonly #delimiter: string;
  #inQuotes = false;
  #atFieldStart = true;
  #lineEmpty = true;
  #held = '';

  constructor(delimiter: string) {
    this.#delimiter = delimiter;
  }

  // Whether a quote inside a quoted field, followed by `input` from `from`, closes it: a delimiter
  // or a line break follows, after spaces if any. Undefined when the chunk ends before that is known.
  #closesField(input: string, from: number, final: boolean): boolean | undefined {
    let at = from;
    while (at < input.length && input.charCodeAt(at) === 0x20) at += 1;
    if (at >= input.length) return final ? true : undefined;
    const code = input.charCodeAt(at);
    if (code === CR || code === LF) return true;
    const delimiter = this.#delimiter;
    if (input.startsWith(delimiter, at)) return true;
    if (!final && input.length - at < delimiter.length && delimiter.startsWith(input.slice(at))) return undefined;
    return false;
  }

  /** Whether the text so far ends inside a quoted field. */
  get inQuotes(): boolean {
    return this.#inQuotes;
  }

  /** Normalises the next piece of text; `final` when no text follows. */
  push(text: string, final = false): string {
    const input = this.#held === '' ? text : this.#held + text;
    this.#held = '';
    const delimiter = this.#delimiter;
    const delimiterCode = delimiter.length === 1 ? delimiter.charCodeAt(0) : -1;
    let output = '';
    let from = 0;
    let changed = false;
    const length = input.length;
    let index = 0;
    while (index < length) {
      const code = input.charCodeAt(index);
      if (this.#inQuotes) {
        if (code === QUOTE) {
          if (index + 1 >= length && !final) break;
          if (input.charCodeAt(index + 1) === QUOTE) {
            index += 2;
            continue;
          }
          const closes = this.#closesField(input, index + 1, final);
          if (closes === undefined) break;
          if (closes) this.#inQuotes = false;
        }
        index += 1;
        continue;
      }
      if (code === CR || code === LF) {
        if (code === CR && index + 1 >= length && !final) break;
        const width = code === CR && input.charCodeAt(index + 1) === LF ? 2 : 1;
        // Dropped when the line is blank, else one `\n` in place of what ended it.
        if (this.#lineEmpty || width === 2 || code === CR) {
          output += input.slice(from, index);
          if (!this.#lineEmpty) output += '\n';
          from = index + width;
          changed = true;
        }
        index += width;
        this.#lineEmpty = true;
        this.#atFieldStart = true;
        continue;
      }
      this.#lineEmpty = false;
      if (code === QUOTE && this.#atFieldStart) {
        this.#inQuotes = true;
        this.#atFieldStart = false;
      } else if (
        delimiterCode < 0 &&
        !final &&
        length - index < delimiter.length &&
        delimiter.startsWith(input.slice(index))
      ) {
        // Perhaps the start of a delimiter of several characters, cut by the chunk's end.
        break;
      } else if (code === delimiterCode || (delimiterCode < 0 && input.startsWith(delimiter, index))) {
        this.#atFieldStart = true;
        index += delimiter.length;
        continue;
      } else this.#atFieldStart = false;
      index += 1;
    }
    this.#held = input.slice(index);
    if (!changed) return index === length ? input : input.slice(0, index);
    return output + input.slice(from, index);
  }
}
