import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ibanValid, type PiiType } from './classification.js';
import { card, email, embedded, iban, ibanCheckDigits, prose, ssn } from './pii.test-helpers.js';
import { findPiiInText, type PiiMatch } from './pii-text.js';

// The matches of a text as [kind, matched text] pairs, easier to read in a failure than offsets.
function found(text: string): Array<[PiiType, string]> {
  return findPiiInText(text).map(({ kind, start, end }) => [kind, text.slice(start, end)]);
}

function expectFoundExactly(kind: PiiType, sample: { text: string; value: string; start: number; end: number }) {
  expect(findPiiInText(sample.text)).toEqual<PiiMatch[]>([{ kind, start: sample.start, end: sample.end }]);
}

// -----------------------------------------------------------------------------------------------

describe('finding personal data in text', () => {
  it('finds each kind with its exact place in the text', () => {
    const text = 'Write to jo.doe@example.com or call +44 20 7946 0958.';
    expect(findPiiInText(text)).toEqual([
      { kind: 'email', start: 9, end: 27 },
      { kind: 'phone', start: 36, end: 52 },
    ]);
    expect(found('pay DE89 3704 0044 0532 0130 00 today')).toEqual([['iban', 'DE89 3704 0044 0532 0130 00']]);
    expect(found('pay GB82WEST12345698765432 today')).toEqual([['iban', 'GB82WEST12345698765432']]);
    expect(found('card 4111 1111 1111 1111 on file')).toEqual([['card_number', '4111 1111 1111 1111']]);
    expect(found('card 5500-0000-0000-0004 on file')).toEqual([['card_number', '5500-0000-0000-0004']]);
    expect(found('card 378282246310005 (amex)')).toEqual([['card_number', '378282246310005']]);
    expect(found('ssn 123-45-6789 on file')).toEqual([['national_id', '123-45-6789']]);
    expect(found('NI number AB 12 34 56 C and AB123456C')).toEqual([
      ['national_id', 'AB 12 34 56 C'],
      ['national_id', 'AB123456C'],
    ]);
    expect(found('from 192.168.10.254 and 10.0.0.1')).toEqual([
      ['ip_address', '192.168.10.254'],
      ['ip_address', '10.0.0.1'],
    ]);
    expect(found('from 2001:0db8:85a3:0000:0000:8a2e:0370:7334 now')).toEqual([
      ['ip_address', '2001:0db8:85a3:0000:0000:8a2e:0370:7334'],
    ]);
    expect(found('from 2001:db8::1 now')).toEqual([['ip_address', '2001:db8::1']]);
    expect(found('Dr. Jane Doe called')).toEqual([['person_name', 'Jane Doe']]);
    expect(found('Name: Jane Doe')).toEqual([['person_name', 'Jane Doe']]);
    expect(found('patient = Seán O’Brien')).toEqual([['person_name', 'Seán O’Brien']]);
  });

  it.each([
    '+44 20 7946 0958',
    '+1 (415) 555-0100',
    '+1-415-555-0100',
    '+33 1 23 45 67 89',
    '+49 30 123456',
    '(415) 555-0100',
    '(415)555-0100',
    '415-555-0100',
    '415.555.0100',
    '020 7946 0958',
    '0151 234 5678',
  ])('finds the phone number %s', (phone) => {
    expect(found(`call ${phone} today`)).toEqual([['phone', phone]]);
  });

  it('finds a phone number in parentheses', () => {
    expect(found('call me (415 555 0100) today')).toEqual([['phone', '415 555 0100']]);
    expect(found('call me ((415) 555-0100) today')).toEqual([['phone', '(415) 555-0100']]);
    expect(found('call me (020 7946 0958) today')).toEqual([['phone', '020 7946 0958']]);
  });

  it.each(['fe80::1ff:fe23:4567:890a', '2001:db8::8a2e:370:7334', '::1', '2001:db8::', 'fe80::1'])(
    'finds the compressed IPv6 address %s',
    (address) => {
      expect(found(`from ${address} now`)).toEqual([['ip_address', address]]);
    },
  );

  it('finds the whole of a name after a title, with particles, several given names and initials', () => {
    expect(found('Dr. Ludwig van Beethoven wrote')).toEqual([['person_name', 'Ludwig van Beethoven']]);
    expect(found('Prof. Ana María López García spoke')).toEqual([['person_name', 'Ana María López García']]);
    expect(found('Name: María de la Cruz')).toEqual([['person_name', 'María de la Cruz']]);
    expect(found('Mr. J. Smith arrived')).toEqual([['person_name', 'J. Smith']]);
    expect(found('Ms.  Jane Doe arrived')).toEqual([['person_name', 'Jane Doe']]);
  });

  it.each([
    ['a card number failing Luhn', '4111 1111 1111 1112'],
    ['a date', '2024-01-15'],
    ['a date, day first', '15/01/2024'],
    ['a time', '12:30:45'],
    ['a time with milliseconds', '12:30:45.123'],
    ['an amount', '1,234.56'],
    ['a large amount', '1,234,567,890.12'],
    ['an amount in European style', '1.234.567,89'],
    ['a version string', 'v2.10.4'],
    ['a pre-release version', '4.18.2-beta.1'],
    ['a Windows build number', '10.0.19041'],
    ['an order number', 'ORD-2024-000123'],
    ['an order number with a leading zero', 'ORD-0123-4567-890'],
    ['an invoice number', 'INV 2024 0001 23'],
    ['a ZIP code', '94103'],
    ['a ZIP+4 code', '02139-1234'],
    ['an ISO timestamp', '2024-01-15T12:30:45Z'],
    ['an ISO timestamp with an offset', '2024-01-15T12:30:45.123+02:00'],
    ['a SQL timestamp', '2024-01-15 12:30:45'],
    ['a UUID', '123e4567-e89b-12d3-a456-426614174000'],
    ['a SSN with a 000 area', '000-12-3456'],
    ['a SSN with a 666 area', '666-12-3456'],
    ['a short number', '12345678'],
  ])('does not find %s (%s)', (_what, value) => {
    expect(found(`ref ${value} end`)).toEqual([]);
  });

  it('does not take an IBAN with one digit changed for an IBAN', () => {
    expect(ibanValid('DE89370400440532013000')).toBe(true);
    expect(ibanValid('DE89370400440532013001')).toBe(false);
    expect(found('pay DE89 3704 0044 0532 0130 01 today').filter(([kind]) => kind === 'iban')).toEqual([]);
    expect(found('pay DE88370400440532013000 today')).toEqual([]);
  });

  it('finds a card number followed by other digits (expiry, CVV) and an IBAN followed by a code', () => {
    expect(found('card 4111 1111 1111 1111 123 cvv')).toEqual([['card_number', '4111 1111 1111 1111']]);
    expect(found('card 4111-1111-1111-1111-0')).toEqual([['card_number', '4111-1111-1111-1111']]);
    expect(found('order 12345 4111 1111 1111 1111 paid')).toEqual([['card_number', '4111 1111 1111 1111']]);
    expect(found('qty 2 4111 1111 1111 1111')).toEqual([['card_number', '4111 1111 1111 1111']]);
    expect(found('to BE68 5390 0754 7034 EUR 12')).toEqual([['iban', 'BE68 5390 0754 7034']]);
    expect(found('to AT61 1904 3002 3457 3201 2024 ok')).toEqual([['iban', 'AT61 1904 3002 3457 3201']]);
    expect(found('to AT61 1904 3002 3457 3201 OK')).toEqual([['iban', 'AT61 1904 3002 3457 3201']]);
  });

  it('finds a card number after a label glued to it', () => {
    expect(found('card no.4111111111111111')).toEqual([['card_number', '4111111111111111']]);
    expect(found('cc-4111111111111111')).toEqual([['card_number', '4111111111111111']]);
  });

  it('finds an e-mail address with digits as one e-mail, not as a phone or card', () => {
    expect(found('mail 4155550100@sms.example.com now')).toEqual([['email', '4155550100@sms.example.com']]);
    expect(found('mail 4111111111111111@x.io now')).toEqual([['email', '4111111111111111@x.io']]);
    expect(found('mail +442079460958@sms.example.com now')).toEqual([['email', '+442079460958@sms.example.com']]);
  });

  it('finds an e-mail address whole: non-ASCII letters and a local part over 64 characters', () => {
    expect(found('mail josé@example.com now')).toEqual([['email', 'josé@example.com']]);
    const long = `${'a'.repeat(70)}@example.com`;
    expect(found(`mail ${long} now`)).toEqual([['email', long]]);
  });

  it('finds an IBAN containing a card-like digit run as one IBAN', () => {
    const bban = '4111111111111111';
    const value = `DE${ibanCheckDigits('DE', bban)}${bban}`;
    expect(ibanValid(value)).toBe(true);
    expect(found(`pay ${value} now`)).toEqual([['iban', value]]);
    const printed = (value.match(/.{1,4}/g) ?? []).join(' ');
    expect(found(`pay ${printed} now`)).toEqual([['iban', printed]]);
  });

  it('leaves no part of overlapping matches out: they are merged into the earlier kind', () => {
    // The e-mail takes the `0958` the phone also claims: the phone's remaining digits go with it.
    const text = 'tel 020 7946 0958-jo@x.com';
    const matches = findPiiInText(text);
    const covered = matches.map(({ start, end }) => text.slice(start, end)).join('|');
    expect(covered).toContain('020 7946');
    expect(covered).toContain('jo@x.com');
    expect(matches.every(({ kind }) => kind === 'email')).toBe(true);
  });

  it('returns matches in text order, never overlapping', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(prose, card, iban, email, ssn), { maxLength: 6 }), (parts) => {
        const matches = findPiiInText(parts.join(' '));
        for (let index = 1; index < matches.length; index += 1) {
          expect(matches[index]?.start).toBeGreaterThanOrEqual(matches[index - 1]?.end ?? 0);
        }
      }),
    );
  });

  describe('property: generated personal data in prose is found exactly where it is', () => {
    it('e-mail addresses', () => {
      fc.assert(fc.property(embedded(email), (sample) => expectFoundExactly('email', sample)));
    });

    it('Luhn-valid card numbers, with and without spaces or hyphens', () => {
      fc.assert(fc.property(embedded(card), (sample) => expectFoundExactly('card_number', sample)));
    });

    it('IBANs with computed check digits, compact and printed', () => {
      fc.assert(fc.property(embedded(iban), (sample) => expectFoundExactly('iban', sample)));
    });

    it('US social security numbers', () => {
      fc.assert(fc.property(embedded(ssn), (sample) => expectFoundExactly('national_id', sample)));
    });
  });

  it('property: text of lowercase words and spaces has no personal data', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z ]{0,200}$/), (text) => {
        expect(findPiiInText(text)).toEqual([]);
      }),
    );
  });

  it('property: an IBAN with one character changed is never found as an IBAN', () => {
    fc.assert(
      fc.property(iban, fc.nat(), fc.integer({ min: 1, max: 9 }), (value, at, shift) => {
        const compact = value.replace(/ /g, '');
        const positions = [...compact].flatMap((character, index) => (/\d/.test(character) ? [index] : []));
        const index = positions[at % positions.length] ?? 2;
        const digit = String((Number(compact[index]) + shift) % 10);
        const changed = compact.slice(0, index) + digit + compact.slice(index + 1);
        expect(found(`pay ${changed} now`).filter(([kind]) => kind === 'iban')).toEqual([]);
      }),
    );
  });
});
