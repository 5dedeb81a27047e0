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
 * Quoting follows RFC 4180: a quote opens a field only at its start; inside, `""` is a quote and a
 * lone quote closes it. Text cut anywhere (inside `\r\n`, after a quote that may be doubled) is
 * held back until the next chunk decides it.
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
          this.#inQuotes = false;
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
