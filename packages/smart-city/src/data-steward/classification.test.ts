import { describe, expect, it } from 'vitest';
import { classifyColumns, ibanValid, isNameHeader, looksLikePersonName, piiTypeOf } from './classification.js';

function classOf(column: string, values: unknown[]) {
  return classifyColumns(values.map((value) => ({ [column]: value })))[0];
}

describe('IBAN classification', () => {
  it('accepts IBANs passing mod 97, compact or printed, and rejects one with a digit changed or two swapped', () => {
    expect(ibanValid('DE89370400440532013000')).toBe(true);
    expect(ibanValid('GB82WEST12345698765432')).toBe(true);
    expect(ibanValid('NO9386011117947')).toBe(true);
    expect(ibanValid('DE89370400440532013001')).toBe(false);
    expect(ibanValid('DE89370400440532010300')).toBe(false);
    expect(ibanValid('DE98370400440532013000')).toBe(false);
    expect(ibanValid('de89370400440532013000')).toBe(false);
    expect(piiTypeOf('DE89 3704 0044 0532 0130 00')).toBe('iban');
    expect(piiTypeOf('GB82 WEST 1234 5698 7654 32')).toBe('iban');
    expect(piiTypeOf('DE89 3704 0044 0532 0130 01')).toBeUndefined();
  });

  it('classifies a column of IBANs as iban, not as card numbers or phones', () => {
    const column = classOf('account', [
      'DE89370400440532013000',
      'GB82 WEST 1234 5698 7654 32',
      'NL91ABNA0417164300',
      '',
    ]);
    expect(column).toEqual({ column: 'account', pii: 'iban', confidence: 1, dataClass: 'client', examined: 3 });
  });
});

describe('person name classification', () => {
  it.each([
    'first_name',
    'First Name',
    'last-name',
    'surname',
    'full_name',
    'customer_name',
    'Customer Name',
    'cardholder',
    'name',
  ])('reads %s as a header of people’s names', (header) => {
    expect(isNameHeader(header)).toBe(true);
  });

  it.each(['product_name', 'file_name', 'company_name', 'hostname', 'name_id', 'names_count'])(
    'does not read %s as a header of people’s names',
    (header) => {
      expect(isNameHeader(header)).toBe(false);
    },
  );

  it.each([
    'Jane',
    'Ana María',
    "O'Brien",
    'O’Brien',
    'Jean-Luc Picard',
    'María de la Cruz',
    'de la Cruz',
    'Ludwig van Beethoven',
    'Vincent van der Berg',
    'J. R. Smith',
    'Zoë Ångström',
    // The same name decomposed (NFD), as macOS writes file names: letters and combining marks.
    'Ana María'.normalize('NFD'),
    '山田太郎',
    'Δημήτρης Παπαδόπουλος',
  ])('takes %s for a person’s name', (name) => {
    expect(looksLikePersonName(name)).toBe(true);
  });

  it.each(['', 'x', 'jane doe 42', 'ACME-123', '4111 1111 1111 1111', 'jo@x.io', 'One Two Three Four Five Six'])(
    'does not take %j for a person’s name',
    (value) => {
      expect(looksLikePersonName(value)).toBe(false);
    },
  );

  it('classifies a name column by its header and the shape of its values', () => {
    const rows = [
      { first_name: 'Jane', last_name: 'Doe', product_name: 'Widget Pro', title: 'Senior Engineer' },
      { first_name: 'Ana María', last_name: "O'Brien", product_name: 'Gadget Max', title: 'Head Of Sales' },
      { first_name: 'Seán', last_name: 'de la Cruz', product_name: 'Widget Pro', title: 'Director' },
      { first_name: 'Zoë', last_name: 'van der Berg', product_name: 'Thing', title: 'Analyst' },
      { first_name: '', last_name: null, product_name: 'Widget Pro', title: 'Intern' },
    ];
    expect(classifyColumns(rows)).toEqual([
      { column: 'first_name', pii: 'person_name', confidence: 1, dataClass: 'client', examined: 4 },
      { column: 'last_name', pii: 'person_name', confidence: 1, dataClass: 'client', examined: 4 },
      { column: 'product_name', confidence: 0, dataClass: 'client', examined: 5 },
      { column: 'title', confidence: 0, dataClass: 'client', examined: 5 },
    ]);
  });

  it('does not take a name-headed column of values that are not names for person_name', () => {
    expect(classOf('name', ['sku-1', 'sku-2', 'sku-3'])).toEqual({
      column: 'name',
      confidence: 0,
      dataClass: 'client',
      examined: 3,
    });
    expect(classOf('user_name', ['jdoe42', 'admin', 'root_1'])?.pii).toBeUndefined();
  });

  it('classifies names in scripts without letter case', () => {
    expect(classOf('customer_name', ['山田太郎', '김민준', 'محمد علي'])?.pii).toBe('person_name');
  });

  it('classifies a column of e-mails under a name header as email, not person_name', () => {
    expect(classOf('contact_name', ['a@x.io', 'b@x.io'])?.pii).toBe('email');
  });
});
