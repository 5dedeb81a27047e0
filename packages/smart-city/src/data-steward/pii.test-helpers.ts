import fc from 'fast-check';
import { luhnValid } from './classification.js';

// Generators of personal data for the property tests of pii-text and pii-redaction.

/** A Luhn-valid card number of 13-19 digits (no separators). */
export const cardDigits = fc
  .tuple(
    fc.constantFrom('3', '4', '5', '6'),
    fc.integer({ min: 13, max: 19 }),
    fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 18, maxLength: 18 }),
  )
  .map(([first, length, digits]) => {
    const body = first + digits.slice(0, length - 2).join('');
    const check = [...'0123456789'].find((digit) => luhnValid(body + digit)) ?? '0';
    return body + check;
  });

/** A card number written compact, in groups of four with spaces, or with hyphens. */
export const card = fc
  .tuple(cardDigits, fc.constantFrom('', ' ', '-'))
  .map(([digits, separator]) => (separator ? (digits.match(/.{1,4}/g) ?? []).join(separator) : digits));

// IBAN lengths of a few countries (ISO 13616 registry).
const IBAN_LENGTHS: Record<string, number> = {
  AT: 20,
  BE: 16,
  CH: 21,
  DE: 22,
  ES: 24,
  FR: 27,
  GB: 22,
  IT: 27,
  NL: 18,
  NO: 15,
  PL: 28,
  MT: 31,
};

/** The check digits that make `country` + `bban` a valid IBAN (ISO 7064 mod 97-10). */
export function ibanCheckDigits(country: string, bban: string): string {
  let remainder = 0;
  for (const character of `${bban}${country}00`) {
    const code = character.charCodeAt(0);
    const value = code >= 65 ? code - 55 : code - 48;
    remainder = (value >= 10 ? remainder * 100 + value : remainder * 10 + value) % 97;
  }
  return String(98 - remainder).padStart(2, '0');
}

/** A valid IBAN, compact or in the printed form (groups of four separated by spaces). */
export const iban = fc
  .tuple(
    fc.constantFrom(...Object.keys(IBAN_LENGTHS)),
    fc.array(fc.constantFrom(...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'), {
      minLength: 30,
      maxLength: 30,
    }),
    fc.boolean(),
  )
  .map(([country, characters, printed]) => {
    const bban = characters.slice(0, (IBAN_LENGTHS[country] ?? 22) - 4).join('');
    const compact = country + ibanCheckDigits(country, bban) + bban;
    return printed ? (compact.match(/.{1,4}/g) ?? []).join(' ') : compact;
  });

/** A plausible e-mail address (mixed case, digits, dots, plus and hyphens in the local part). */
export const email = fc
  .tuple(
    fc.array(fc.stringMatching(/^[A-Za-z0-9]{1,8}$/), { minLength: 1, maxLength: 3 }),
    fc.constantFrom('.', '_', '+', '-'),
    fc.array(fc.stringMatching(/^[a-z0-9]{1,10}$/), { minLength: 1, maxLength: 2 }),
    fc.constantFrom('com', 'io', 'co.uk', 'de', 'example'),
  )
  .map(([local, joiner, domain, tld]) => `${local.join(joiner)}@${domain.join('.')}.${tld}`);

/** A US social security number of an issuable area (not 000, 666 or 9xx), group and serial. */
export const ssn = fc
  .tuple(
    fc.integer({ min: 1, max: 899 }).filter((area) => area !== 666),
    fc.integer({ min: 1, max: 99 }),
    fc.integer({ min: 1, max: 9999 }),
  )
  .map(
    ([area, group, serial]) =>
      `${String(area).padStart(3, '0')}-${String(group).padStart(2, '0')}-${String(serial).padStart(4, '0')}`,
  );

/** Prose: lowercase words separated by single spaces (possibly none). */
export const prose = fc.array(fc.stringMatching(/^[a-z]{1,10}$/), { maxLength: 12 }).map((words) => words.join(' '));

/** Text that puts `value` between two pieces of prose, with the punctuation prose puts around it. */
export function embedded(value: fc.Arbitrary<string>) {
  return fc
    .tuple(
      prose,
      fc.constantFrom('', ' ', ' (', ': ', ' <'),
      value,
      fc.constantFrom('', ' ', '.', ', ', ') ', '> '),
      prose,
    )
    .map(([before, open, pii, close, after]) => {
      const head = before + (before && !open ? ' ' : open);
      const tail = close + (after && !close.endsWith(' ') ? ' ' : '') + after;
      return { text: head + pii + tail, value: pii, start: head.length, end: head.length + pii.length };
    });
}
