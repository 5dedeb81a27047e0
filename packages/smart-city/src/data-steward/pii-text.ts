import { ibanValid, luhnValid, PII_TYPES, type PiiType, piiTypeOf } from './classification.js';

/** Personal data found in a text: its kind and where it is (`text.slice(start, end)`). */
export interface PiiMatch {
  kind: PiiType;
  start: number;
  end: number;
}

const SPLITTING = /[\s-]/g;

// A word of a person's name: a capital (or a letter of a script without case) then letters and
// marks, or an initial (`J.`); particles (`van`, `de la`) may come between words.
const NAME_WORD = String.raw`[\p{Lu}\p{Lt}\p{Lo}](?:[\p{L}\p{M}'’-]+|\.)?`;
const PARTICLE = '(?:de|da|das|del|della|der|den|des|di|do|dos|du|la|le|van|von|ter|bin|ibn|al|el|y|zu)';
const NAME = `${NAME_WORD}(?: (?:${PARTICLE} ){0,3}${NAME_WORD}){0,4}`;
const TITLE = String.raw`\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Madam|Mme|Mlle|Herr|Frau|Dear)\.?\s+`;
const LABEL = String.raw`\b(?:[Nn]ame|NAME|[Ss]urname|[Ff]orename|[Cc]ontact|[Pp]atient|[Cc]ustomer|[Ee]mployee|[Cc]lient|[Aa]pplicant|[Rr]ecipient|[Bb]eneficiary|[Aa]ttn|[Aa]ttention)\s*[:=]\s*`;

const HEX = '[0-9a-fA-F]{1,4}';
// IPv6 in full or compressed (`::`) form; the bare `::` (and `a::b` in code) is too ambiguous.
const IPV6 = [
  `(?:${HEX}:){7}${HEX}`,
  `(?:${HEX}:){1,7}:`,
  `(?:${HEX}:){1,6}:${HEX}`,
  `(?:${HEX}:){1,5}(?::${HEX}){1,2}`,
  `(?:${HEX}:){1,4}(?::${HEX}){1,3}`,
  `(?:${HEX}:){1,3}(?::${HEX}){1,4}`,
  `(?:${HEX}:){1,2}(?::${HEX}){1,5}`,
  `${HEX}:(?::${HEX}){1,6}`,
  `:(?::${HEX}){1,7}`,
].join('|');

interface Pattern {
  kind: PiiType;
  pattern: RegExp;
  valid?: (text: string) => boolean;
  /**
   * The match is a run of digit groups (`4111 1111 1111 1111 123`): when the whole run fails
   * `valid`, the longest valid run of whole groups inside it is taken instead, so that a number
   * written next to another (a card and its CVV, an IBAN and a currency) is still found.
   */
  groups?: boolean;
}

// One pattern a kind, each anchored on word edges so that a match is never part of a longer
// number or word; checksums (Luhn, mod 97) and value rules are applied to what they find.
const PATTERNS: readonly Pattern[] = [
  {
    // Anchored on the start of the run of local-part characters: a local part longer than
    // 64 characters is taken whole rather than cut (and its first characters left in clear).
    kind: 'email',
    pattern: /(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu,
  },
  {
    kind: 'iban',
    pattern: /\b[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]{4}){2,7}(?:[ -]?[A-Z0-9]{1,3})?\b/g,
    valid: (text) => ibanValid(text.replace(SPLITTING, '')),
    groups: true,
  },
  {
    kind: 'card_number',
    pattern: /(?<!\d[.-]?)\d(?:[ -]?\d){12,18}(?!\d|\.\d)/g,
    valid: (text) => {
      const digits = text.replace(SPLITTING, '');
      return digits.length >= 13 && digits.length <= 19 && luhnValid(digits);
    },
    groups: true,
  },
  {
    kind: 'national_id',
    pattern: /(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])|\b[A-CEGHJ-PR-TW-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b/g,
    valid: (text) => piiTypeOf(text.replace(/ /g, '')) === 'national_id',
  },
  {
    kind: 'ip_address',
    pattern: new RegExp(
      String.raw`(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\d]|\.\d)|(?<![\w:])(?:${IPV6})(?![\w:])`,
      'g',
    ),
  },
  {
    // International (+), North American ((415) 555-0100, (415)555-0100, 415-555-0100), or
    // national with a trunk 0; not the tail of a hyphenated or dotted code (ORD-0123-4567-890).
    kind: 'phone',
    pattern:
      /(?<![\w+])\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,5}(?![\w])|(?<![\w.-])(?:\(\d{3}\)[ .-]?|\d{3}[ .-])\d{3}[ .-]\d{4}(?![\w])|(?<![\w.-])0\d{2,4}[ -]\d{3,4}[ -]?\d{3,4}(?![\w])/g,
    valid: (text) => {
      const digits = text.replace(/\D/g, '').length;
      return digits >= 8 && digits <= 15;
    },
  },
  {
    // Reliable only with a title or a label before it: `Dr. Jane Doe`, `Name: Jane Doe`.
    kind: 'person_name',
    pattern: new RegExp(`(?<=${TITLE})${NAME}|(?<=${LABEL})${NAME}`, 'gu'),
  },
];

// Cards and IBANs are written in at most nine groups (4-4-4-4-3, an IBAN's 4s and its tail); a
// longer run (`1 2 3 4 5 ...`) is not searched inside, which keeps hostile text linear.
const MAX_GROUPS = 9;

// The longest run of whole groups of `text` (split at spaces and hyphens) that `valid` accepts,
// as [start, end] offsets in `text`.
function validGroups(text: string, valid: (text: string) => boolean): [number, number] | undefined {
  const starts = [0];
  const ends: number[] = [];
  for (const separator of text.matchAll(/[ -]/g)) {
    ends.push(separator.index);
    starts.push(separator.index + 1);
  }
  if (starts.length > MAX_GROUPS) return undefined;
  ends.push(text.length);
  let best: [number, number] | undefined;
  for (const start of starts) {
    for (const end of ends) {
      if (end <= start || (best && end - start <= best[1] - best[0])) continue;
      if (valid(text.slice(start, end))) best = [start, end];
    }
  }
  return best;
}

const ORDER = new Map(PII_TYPES.map((kind, index) => [kind, index]));

/**
 * Finds the personal data in a text: e-mail addresses, IBANs (mod 97), payment card numbers
 * (Luhn), national identifiers (US SSN, UK NI number), IPv4 and IPv6 addresses, phone numbers
 * (international, North American, national with a trunk 0) and names that follow a title or a
 * label (`Dr. Jane Doe`, `Name: Jane Doe`). Overlapping matches keep the kind earliest in
 * {@link PII_TYPES}; matches are in text order. Names without a title or label are not looked
 * for: no pattern tells them from other capitalised words.
 */
export function findPiiInText(text: string): PiiMatch[] {
  const found: PiiMatch[] = [];
  for (const { kind, pattern, valid, groups } of PATTERNS) {
    if (!groups || !valid) {
      for (const match of text.matchAll(pattern)) {
        if (valid && !valid(match[0])) continue;
        found.push({ kind, start: match.index, end: match.index + match[0].length });
      }
      continue;
    }
    // A run of groups that is not valid as a whole is searched again from its next group, so
    // that a number after another one (`order 12345 4111 1111 1111 1111`) is still found.
    const search = new RegExp(pattern.source, pattern.flags);
    for (let match = search.exec(text); match; match = search.exec(text)) {
      const run = valid(match[0]) ? [0, match[0].length] : validGroups(match[0], valid);
      if (run) {
        found.push({ kind, start: match.index + (run[0] ?? 0), end: match.index + (run[1] ?? 0) });
        search.lastIndex = match.index + (run[1] ?? 0);
      } else {
        const next = match[0].search(/[ -]/);
        search.lastIndex = match.index + (next < 0 ? match[0].length : next + 1);
      }
    }
  }
  if (found.length < 2) return found;
  // The earlier kind wins an overlap, then the longer match. A match overlapping matches already
  // kept is merged with them (the span of all, the kind of the earliest), so that no part of
  // either is left out of what is redacted.
  found.sort((a, b) => (ORDER.get(a.kind) ?? 0) - (ORDER.get(b.kind) ?? 0) || b.end - b.start - (a.end - a.start));
  const owner = new Int32Array(text.length).fill(-1);
  const kept: Array<PiiMatch | undefined> = [];
  for (const match of found) {
    const merged = { ...match };
    for (let at = match.start; at < match.end; at += 1) {
      const index = owner[at] ?? -1;
      const other = index >= 0 ? kept[index] : undefined;
      if (!other) continue;
      merged.start = Math.min(merged.start, other.start);
      merged.end = Math.max(merged.end, other.end);
      if ((ORDER.get(other.kind) ?? 0) < (ORDER.get(merged.kind) ?? 0)) merged.kind = other.kind;
      kept[index] = undefined;
      at = other.end - 1;
    }
    owner.fill(kept.length, merged.start, merged.end);
    kept.push(merged);
  }
  return kept.filter((match): match is PiiMatch => match !== undefined).sort((a, b) => a.start - b.start);
}
