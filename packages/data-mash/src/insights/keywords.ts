import { findPiiInText } from '@platform/smart-city';
import { eng } from 'stopword';

const STOPWORDS = new Set(eng);
const WORD = /[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu;

// Personal data is cut out before words are counted: `Dr. Jane Doe` or `jane.doe@example.com`
// would otherwise leave `jane` and `doe` among a column's or a text's keywords.
function withoutPersonalData(text: string): string {
  const matches = findPiiInText(text);
  if (matches.length === 0) return text;
  let out = '';
  let at = 0;
  for (const match of matches) {
    out += `${text.slice(at, match.start)} `;
    at = match.end;
  }
  return out + text.slice(at);
}

/**
 * Counts of content words: lower-cased, English stop words and numbers left out, and personal
 * data (e-mail addresses, names after a title, phone and card numbers...) cut out first.
 */
export class KeywordCounter {
  readonly #counts = new Map<string, number>();
  readonly #maxTerms: number;

  constructor(maxTerms = 50_000) {
    this.#maxTerms = maxTerms;
  }

  /** Adds the words of one text. */
  add(text: string): void {
    for (const match of withoutPersonalData(text).toLowerCase().matchAll(WORD)) {
      const word = match[0].replace(/['’-]+$/, '');
      if (word.length < 3 || STOPWORDS.has(word) || /^\d/.test(word)) continue;
      const count = this.#counts.get(word);
      if (count !== undefined) this.#counts.set(word, count + 1);
      // A copy: the word may be a view into a whole chunk of the file (see detach()).
      else if (this.#counts.size < this.#maxTerms) this.#counts.set(` ${word}`.slice(1), 1);
    }
  }

  /** Every word counted, for merging elsewhere. */
  entries(): Array<[string, number]> {
    return [...this.#counts.entries()];
  }

  /** Adds another counter's words. */
  merge(entries: ReadonlyArray<[string, number]>): void {
    for (const [word, count] of entries) {
      const seen = this.#counts.get(word);
      if (seen !== undefined) this.#counts.set(word, seen + count);
      else if (this.#counts.size < this.#maxTerms) this.#counts.set(word, count);
    }
  }

  /** The most frequent words, ties in alphabetical order. */
  top(limit = 10): Array<{ word: string; count: number }> {
    return [...this.#counts.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, limit)
      .map(([word, count]) => ({ word, count }));
  }
}

/** The top keywords of a text (see {@link KeywordCounter}). */
export function topKeywords(text: string, limit = 10): Array<{ word: string; count: number }> {
  const counter = new KeywordCounter();
  counter.add(text);
  return counter.top(limit);
}
