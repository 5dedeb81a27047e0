import { PlatformError } from '@platform/foundations';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PiiType } from './classification.js';
import { card, email, embedded, iban, ssn } from './pii.test-helpers.js';
import { type PiiTreatment, piiRedactor } from './pii-redaction.js';

const KEY = 'k'.repeat(32);
const OTHER_KEY = 'o'.repeat(32);
const HASH_TOKEN = /^\[[a-z_]+:[0-9a-f]{16}\]$/;

// Personal data of every kind, with the kind it is, to embed in generated prose.
const pii = fc.oneof(
  email.map((value) => ({ value, kind: 'email' as PiiType })),
  card.map((value) => ({ value, kind: 'card_number' as PiiType })),
  iban.map((value) => ({ value, kind: 'iban' as PiiType })),
  ssn.map((value) => ({ value, kind: 'national_id' as PiiType })),
  fc
    .constantFrom('+44 20 7946 0958', '(415) 555-0100', '(415)555-0100', '020 7946 0958', '+1-415-555-0100')
    .map((value) => ({ value, kind: 'phone' as PiiType })),
  fc
    .constantFrom('192.168.10.254', '2001:db8::1', 'fe80::1ff:fe23:4567:890a')
    .map((value) => ({ value, kind: 'ip_address' as PiiType })),
  fc.constantFrom('AB 12 34 56 C', 'AB123456C').map((value) => ({ value, kind: 'national_id' as PiiType })),
);

function expectThrowsConfigInvalid(run: () => unknown) {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(PlatformError);
  expect((thrown as PlatformError).code).toBe('CONFIG_INVALID');
}

describe('PII redaction', () => {
  describe.each<[string, PiiTreatment]>([
    ['mask', { mode: 'mask' }],
    ['hash', { mode: 'hash', key: KEY }],
  ])('property (%s): redacted text never contains the personal data it held', (_mode, treatment) => {
    const redactor = piiRedactor(treatment, 'acme');

    it('leaves no raw value, nor its digits without separators, and puts a token of its kind', () => {
      fc.assert(
        fc.property(fc.array(embedded(pii.map(({ value }) => value)), { minLength: 1, maxLength: 4 }), (samples) => {
          // Several pieces of PII, each embedded in prose, one after the other.
          const text = samples.map(({ text }) => text).join(' ');
          const out = redactor.text(text);
          for (const { value } of samples) {
            expect(out).not.toContain(value);
            const compact = value.replace(/[\s-]/g, '');
            if (compact.length >= 9) expect(out).not.toContain(compact);
          }
        }),
      );
    });

    it('replaces each kind with a token of that kind', () => {
      fc.assert(
        fc.property(embedded(pii.map(({ value, kind }) => `${kind}|${value}`)), (sample) => {
          const [kind, value] = sample.value.split('|') as [PiiType, string];
          const text = sample.text.replace(sample.value, value);
          const out = redactor.text(text);
          expect(out).not.toContain(value);
          expect(out).toContain(treatment.mode === 'mask' ? `[${kind}]` : `[${kind}:`);
        }),
      );
    });
  });

  it('masks with the kind alone', () => {
    const redactor = piiRedactor({ mode: 'mask' }, 'acme');
    expect(redactor.mode).toBe('mask');
    expect(redactor.text('Write to jo@x.io or call +44 20 7946 0958.')).toBe('Write to [email] or call [phone].');
    expect(redactor.text('Dr. Jane Doe, card 4111 1111 1111 1111')).toBe('Dr. [person_name], card [card_number]');
    expect(redactor.text('nothing to see here')).toBe('nothing to see here');
    expect(redactor.text('')).toBe('');
  });

  it('hashes to a 16-hex keyed token of the kind, stable for one value however it is written', () => {
    const redactor = piiRedactor({ mode: 'hash', key: KEY }, 'acme');
    const token = redactor.token('jo.doe@example.com', 'email');
    expect(token).toMatch(HASH_TOKEN);
    expect(token.startsWith('[email:')).toBe(true);
    expect(redactor.token('jo.doe@example.com', 'email')).toBe(token);
    expect(redactor.token('Jo.Doe@Example.COM', 'email')).toBe(token);
    expect(redactor.token('  jo.doe@example.com ', 'email')).toBe(token);
    expect(redactor.text('mail jo.doe@example.com now')).toBe(`mail ${token} now`);
    expect(redactor.text('mail JO.DOE@EXAMPLE.COM now')).toBe(`mail ${token} now`);

    const cardToken = redactor.token('4111111111111111', 'card_number');
    expect(redactor.token('4111 1111 1111 1111', 'card_number')).toBe(cardToken);
    expect(redactor.token('4111-1111-1111-1111', 'card_number')).toBe(cardToken);
    expect(redactor.text('card 4111 1111 1111 1111.')).toBe(`card ${cardToken}.`);

    expect(redactor.token('DE89 3704 0044 0532 0130 00', 'iban')).toBe(
      redactor.token('DE89370400440532013000', 'iban'),
    );
    expect(redactor.token('AB 12 34 56 C', 'national_id')).toBe(redactor.token('ab123456c', 'national_id'));
    expect(redactor.token('+44 20 7946 0958', 'phone')).toBe(redactor.token('+44 (20) 7946-0958', 'phone'));
    expect(redactor.token('Jane  Doe', 'person_name')).toBe(redactor.token('jane doe', 'person_name'));
  });

  it('gives different values different tokens, and one value of two kinds two tokens', () => {
    const redactor = piiRedactor({ mode: 'hash', key: KEY }, 'acme');
    expect(redactor.token('a@x.io', 'email')).not.toBe(redactor.token('b@x.io', 'email'));
    expect(redactor.token('123456789', 'phone')).not.toBe(redactor.token('123456789', 'national_id'));
    fc.assert(
      fc.property(email, email, (a, b) => {
        fc.pre(a.toLowerCase() !== b.toLowerCase());
        expect(redactor.token(a, 'email')).not.toBe(redactor.token(b, 'email'));
      }),
    );
  });

  it('gives two tenants sharing one key different tokens for one value', () => {
    const acme = piiRedactor({ mode: 'hash', key: KEY }, 'acme');
    const globex = piiRedactor({ mode: 'hash', key: KEY }, 'globex');
    expect(acme.token('jo@x.io', 'email')).not.toBe(globex.token('jo@x.io', 'email'));
    expect(acme.text('mail jo@x.io')).not.toBe(globex.text('mail jo@x.io'));
    // A new redactor of the same tenant and key gives the same tokens (they persist across runs).
    expect(piiRedactor({ mode: 'hash', key: KEY }, 'acme').token('jo@x.io', 'email')).toBe(
      acme.token('jo@x.io', 'email'),
    );
  });

  it('gives different keys different tokens, and takes bytes or a key for each tenant', () => {
    const one = piiRedactor({ mode: 'hash', key: KEY }, 'acme');
    const other = piiRedactor({ mode: 'hash', key: OTHER_KEY }, 'acme');
    expect(one.token('jo@x.io', 'email')).not.toBe(other.token('jo@x.io', 'email'));
    const bytes = piiRedactor({ mode: 'hash', key: new TextEncoder().encode(KEY) }, 'acme');
    expect(bytes.token('jo@x.io', 'email')).toBe(one.token('jo@x.io', 'email'));

    const keys: Record<string, string> = { acme: KEY, globex: OTHER_KEY };
    const perTenant = (tenantId: string) => piiRedactor({ mode: 'hash', key: (id) => keys[id] ?? '' }, tenantId);
    expect(perTenant('acme').token('jo@x.io', 'email')).toMatch(HASH_TOKEN);
    expect(perTenant('acme').token('jo@x.io', 'email')).not.toBe(perTenant('globex').token('jo@x.io', 'email'));
  });

  it('rejects a hash key under 32 bytes with CONFIG_INVALID', () => {
    expectThrowsConfigInvalid(() => piiRedactor({ mode: 'hash', key: 'k'.repeat(31) }, 'acme'));
    expectThrowsConfigInvalid(() => piiRedactor({ mode: 'hash', key: new Uint8Array(31) }, 'acme'));
    expectThrowsConfigInvalid(() => piiRedactor({ mode: 'hash', key: '' }, 'acme'));
    expectThrowsConfigInvalid(() => piiRedactor({ mode: 'hash', key: () => 'short' }, 'acme'));
    expectThrowsConfigInvalid(() => piiRedactor({ mode: 'hash' } as PiiTreatment, 'acme'));
    // 32 bytes, not 32 characters: 16 two-byte characters are enough.
    expect(piiRedactor({ mode: 'hash', key: 'é'.repeat(16) }, 'acme').mode).toBe('hash');
    expect(piiRedactor({ mode: 'hash', key: new Uint8Array(32) }, 'acme').mode).toBe('hash');
  });

  it('never puts the key in the error it throws', () => {
    const key = 'secret-but-short';
    try {
      piiRedactor({ mode: 'hash', key }, 'acme');
      expect.unreachable();
    } catch (error) {
      expect(JSON.stringify((error as PlatformError).toJSON())).not.toContain(key);
      expect((error as Error).message).not.toContain(key);
    }
  });

  it('rejects an unknown mode with CONFIG_INVALID', () => {
    expectThrowsConfigInvalid(() => piiRedactor({ mode: 'MASK' } as unknown as PiiTreatment, 'acme'));
    expectThrowsConfigInvalid(() => piiRedactor({ mode: 'encrypt' } as unknown as PiiTreatment, 'acme'));
    expectThrowsConfigInvalid(() => piiRedactor({} as PiiTreatment, 'acme'));
    expectThrowsConfigInvalid(() => piiRedactor(null as unknown as PiiTreatment, 'acme'));
    expectThrowsConfigInvalid(() => piiRedactor(undefined as unknown as PiiTreatment, 'acme'));
  });

  it('keep returns every input unchanged', () => {
    const redactor = piiRedactor({ mode: 'keep' }, 'acme');
    expect(redactor.mode).toBe('keep');
    fc.assert(
      fc.property(embedded(email), fc.string(), (sample, anything) => {
        expect(redactor.text(sample.text)).toBe(sample.text);
        expect(redactor.value(sample.value)).toBe(sample.value);
        expect(redactor.value(sample.value, 'email')).toBe(sample.value);
        expect(redactor.text(anything)).toBe(anything);
      }),
    );
  });

  it('value(v, kind) replaces the whole value; value(v) a value that is PII by itself, else what is in it', () => {
    const mask = piiRedactor({ mode: 'mask' }, 'acme');
    expect(mask.value('Jane Doe', 'person_name')).toBe('[person_name]');
    expect(mask.value('anything at all, even without PII', 'email')).toBe('[email]');
    expect(mask.value('4111 1111 1111 1111')).toBe('[card_number]');
    expect(mask.value('jo@x.io')).toBe('[email]');
    expect(mask.value('call 020 7946 0958 now')).toBe('call [phone] now');
    expect(mask.value('hello')).toBe('hello');

    const hash = piiRedactor({ mode: 'hash', key: KEY }, 'acme');
    expect(hash.value('Jane Doe', 'person_name')).toBe(hash.token('Jane Doe', 'person_name'));
    expect(hash.value('JO@X.IO', 'email')).toBe(hash.value('jo@x.io'));
    expect(hash.value('mail jo@x.io')).toBe(`mail ${hash.token('jo@x.io', 'email')}`);
  });
});
