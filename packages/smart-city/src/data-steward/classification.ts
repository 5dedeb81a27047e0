/** Kinds of personal data the classifier recognises, in values and in text. */
export type PiiType = 'email' | 'phone' | 'national_id' | 'card_number' | 'iban' | 'ip_address' | 'person_name';

/** Every {@link PiiType}, in the order overlapping matches are decided (earlier wins). */
export const PII_TYPES: readonly PiiType[] = [
  'email',
  'iban',
  'card_number',
  'national_id',
  'ip_address',
  'phone',
  'person_name',
];

/** What the classifier concluded about one column. */
export interface ColumnClassification {
  column: string;
  /** The personal-data kind most values match, if any. */
  pii?: PiiType;
  /** Share (0-1) of non-empty values matching `pii`. */
  confidence: number;
  /** `client`: data about the client's people or business; `platform`: technical values the platform produced. */
  dataClass: 'client' | 'platform';
  /** Non-empty values examined. */
  examined: number;
}

/** Passes the Luhn checksum used by payment card numbers. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let index = digits.length - 1; index >= 0; index -= 1) {
    let digit = digits.charCodeAt(index) - 48;
    if (digit < 0 || digit > 9) return false;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

const EMAIL = /^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+$/;
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const IPV6 =
  /^(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}$|^(?:[0-9a-f]{1,4}:){1,7}:$|^::(?:[0-9a-f]{1,4}:){0,6}[0-9a-f]{1,4}$|^(?:[0-9a-f]{1,4}:){1,6}:[0-9a-f]{1,4}$/i;
// National ids: US SSN (not 000/666/9xx area), UK NI number.
const NATIONAL_ID = /^(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}$|^[A-CEGHJ-PR-TW-Z]{2}\d{6}[A-D]$/i;

/**
 * Passes the ISO 13616 check (mod 97 = 1) of an IBAN written without spaces, upper case: a
 * mistyped digit or two swapped characters always fail it.
 */
export function ibanValid(iban: string): boolean {
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban)) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const character of rearranged) {
    const code = character.charCodeAt(0);
    const value = code >= 65 ? code - 55 : code - 48;
    remainder = (value >= 10 ? remainder * 100 + value : remainder * 10 + value) % 97;
  }
  return remainder === 1;
}

/**
 * The personal-data kind of one value, if it is one. Names are not told from a value alone
 * (`Paris Hilton`, `Grand Hotel`): a column of them is found by its header and the shape of its
 * values ({@link classifyColumns}), a name in text by a title before it (`Dr. Jane Doe`).
 */
export function piiTypeOf(value: string): PiiType | undefined {
  const text = value.trim();
  if (text.length === 0 || text.length > 254) return undefined;
  if (EMAIL.test(text)) return 'email';
  if (IPV4.test(text) || IPV6.test(text)) return 'ip_address';
  if (NATIONAL_ID.test(text)) return 'national_id';
  const digits = text.replace(/[\s-]/g, '');
  if (/^\d{13,19}$/.test(digits) && luhnValid(digits)) return 'card_number';
  if (ibanValid(digits.toUpperCase()) && /^[A-Z]{2}/.test(text)) return 'iban';
  if (PHONE_INTERNATIONAL.test(text) || PHONE_NANP.test(text) || PHONE_TRUNK.test(text)) return 'phone';
  return undefined;
}

// Phones: international (+ and 8-15 digits, in groups), North American (415) 555-0100, or a
// national number with a trunk 0 (020 7946 0958). Dates and ids with hyphens do not fit these.
const PHONE_INTERNATIONAL = /^\+\d{1,3}(?:[\s.-]?\(?\d{1,4}\)?){2,5}$/;
const PHONE_NANP = /^\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}$/;
const PHONE_TRUNK = /^0\d{2,4}[\s-]\d{3,4}[\s-]?\d{3,4}$/;

const PLATFORM_COLUMNS = /^(id|uuid|.*_id|created_at|updated_at|trace_id|row_number|_.*)$/i;

// Headers of columns of people's names (spaces and hyphens read as underscores). `name` alone is
// one too: a product's name looks like a person's, and masking it by mistake loses less than
// keeping a person's name by mistake.
const NAME_COLUMNS =
  /^(?:(?:full|first|last|given|family|middle|sur|fore|maiden|nick|display|preferred|legal|real|user)_?name|surname|forename|name|(?:customer|client|contact|employee|patient|person|owner|account_holder|card_?holder|holder|member|applicant|student|sender|recipient|beneficiary|payee|driver|guest)(?:_(?:full|first|last))?_?name|card_?holder|account_holder|beneficiary)$/;
// A person's name: one to four words, each a capital (or a letter of a script without case:
// 山田太郎, محمد) then letters and combining marks (O'Brien, Jean-Luc, María written decomposed),
// with particles before or between them (de la Cruz, van der Berg).
const PARTICLE = '(?:de|da|das|del|della|der|den|des|di|do|dos|du|la|le|van|von|ter|bin|ibn|al|el|y|zu)';
const NAME_WORD = "[\\p{Lu}\\p{Lt}\\p{Lo}][\\p{L}\\p{M}'’.-]*";
const PERSON_NAME = new RegExp(
  `^(?:${PARTICLE}\\s){0,3}${NAME_WORD}(?:\\s(?:${PARTICLE}\\s){0,3}${NAME_WORD}){0,3}$`,
  'u',
);

/** True when a column's header names people's names (`first_name`, `Customer Name`, `surname`). */
export function isNameHeader(column: string): boolean {
  return NAME_COLUMNS.test(headerWord(column));
}

// The last part of a header, lower case with underscores: a nested field (`customer.name`,
// `user/full_name`, `contact[name]`) is named by its last key.
function headerWord(column: string): string {
  const parts = column
    .trim()
    .toLowerCase()
    .split(/[./:>\][]+/)
    .filter((part) => part.trim() !== '');
  return (parts.at(-1) ?? '').trim().replace(/[\s-]+/g, '_');
}

// Headers of columns of phone numbers: a number written as plain digits (4155550100) is a phone
// number only when its column says so.
const PHONE_COLUMNS =
  /^(?:(?:[a-z]+_)?(?:phone|telephone|tel|mobile|cell|cellphone|fax)(?:_?(?:number|no|nr|num))?|(?:contact|phone|mobile|telephone)_?(?:number|no|nr|num))$/;
const PHONE_DIGITS = /^\+?\d[\d\s().-]{6,18}\d$/;

/** True when a column's header names phone numbers (`phone`, `mobile_number`, `Contact No`). */
export function isPhoneHeader(column: string): boolean {
  return PHONE_COLUMNS.test(headerWord(column));
}

/** True when a value is shaped like a person's name (capitalised words, at most four). */
export function looksLikePersonName(value: string): boolean {
  const text = value.trim();
  return text.length >= 2 && text.length <= 80 && PERSON_NAME.test(text);
}

/**
 * Classifies each column from its values: the personal-data kind that at least `threshold` of
 * its non-empty values match, and whether it is client data or platform data. A column whose
 * header names people's names (`first_name`, `customer name`) and whose values are shaped like
 * names is `person_name`.
 */
export function classifyColumns(rows: ReadonlyArray<Record<string, unknown>>, threshold = 0.8): ColumnClassification[] {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  return columns.map((column) => {
    const values = rows
      .map((row) => row[column])
      .filter((value) => value !== null && value !== undefined && String(value).trim() !== '');
    const counts = new Map<PiiType, number>();
    for (const value of values) {
      const kind = piiTypeOf(String(value));
      if (kind) counts.set(kind, (counts.get(kind) ?? 0) + 1);
    }
    if (isNameHeader(column)) {
      const names = values.filter((value) => looksLikePersonName(String(value))).length;
      if (names > (counts.get('person_name') ?? 0)) counts.set('person_name', names);
    }
    if (isPhoneHeader(column)) {
      const phones = values.filter((value) => {
        const text = String(value).trim();
        const digits = text.replace(/\D/g, '').length;
        return PHONE_DIGITS.test(text) && digits >= 7 && digits <= 15;
      }).length;
      if (phones > (counts.get('phone') ?? 0)) counts.set('phone', phones);
    }
    const [top, count] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0] ?? [undefined, 0];
    const confidence = values.length === 0 ? 0 : count / values.length;
    const pii = top && confidence >= threshold ? top : undefined;
    return {
      column,
      ...(pii ? { pii } : {}),
      confidence: Math.round(confidence * 1000) / 1000,
      dataClass: pii || !PLATFORM_COLUMNS.test(column) ? 'client' : 'platform',
      examined: values.length,
    };
  });
}
