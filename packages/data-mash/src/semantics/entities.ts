/** Kinds of entity found in text by pattern. */
export type EntityType = 'email' | 'url' | 'money' | 'percentage' | 'date';

/** An entity found in a text, by its offsets. */
export interface FoundEntity {
  type: EntityType;
  text: string;
  start: number;
  end: number;
}

const PATTERNS: ReadonlyArray<[EntityType, RegExp]> = [
  ['email', /\b[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b/gi],
  ['url', /\bhttps?:\/\/[^\s<>"')\]]+[^\s<>"')\].,;:!?]/gi],
  [
    'money',
    /(?:[$€£¥]\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:million|billion|[mbk]n?)\b)?|\b\d[\d,]*(?:\.\d+)?\s?(?:USD|EUR|GBP|JPY|CHF)\b)/g,
  ],
  ['percentage', /[+-]?\b\d+(?:\.\d+)?\s?%/g],
  ['date', /\b\d{4}-\d{2}-\d{2}\b|\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? \d{1,2}, \d{4}\b/g],
];

/**
 * Entities a pattern can find reliably: e-mail addresses, URLs, money amounts, percentages and
 * dates. Overlaps keep the first found in that order (an e-mail is not also read as a URL).
 * Names of people and places need a language model and are not guessed.
 */
export function findEntities(text: string): FoundEntity[] {
  const found: FoundEntity[] = [];
  const taken: Array<[number, number]> = [];
  for (const [type, pattern] of PATTERNS) {
    for (const match of text.matchAll(pattern)) {
      const start = match.index;
      const end = start + match[0].length;
      if (taken.some(([from, to]) => start < to && end > from)) continue;
      taken.push([start, end]);
      found.push({ type, text: match[0], start, end });
    }
  }
  return found.sort((a, b) => a.start - b.start);
}
