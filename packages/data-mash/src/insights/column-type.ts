/**
 * The one type of a column, decided once from all its values and shared by the profile, the
 * semantic phase and the report:
 * - `integer`, `decimal`: at least 90 % of the non-null values are numbers (all whole: integer);
 * - `boolean`: every non-null value is `true/false`, `yes/no`, `t/f` or `y/n` (any case);
 * - `date`, `datetime`: at least 90 % are dates (`datetime` when some have a time of day);
 * - `identifier`: codes and ids, which name things rather than measure them: numbers written
 *   with leading zeros (`00501`), integer columns named like ids (`id`, `customer_id`,
 *   `zip`, `fips`, `code`...), and text columns whose every value is distinct;
 * - `categorical`: text with few distinct values (at most 50, or at most half the values);
 * - `text`: other text (free text, many distinct values);
 * - `empty`: no non-null value.
 */
export type ColumnType =
  | 'integer'
  | 'decimal'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'identifier'
  | 'categorical'
  | 'text'
  | 'empty';

/** The counts a column's type is decided from. */
export interface TypeEvidence {
  name: string;
  nonNull: number;
  numbers: number;
  integers: number;
  /** Numbers written with a leading zero. */
  codes: number;
  booleans: number;
  dates: number;
  /** The dates have a time of day. */
  timeOfDay: boolean;
  /** Distinct non-null values, and whether that count is exact. */
  distinct: number;
  distinctExact: boolean;
  /** Text values with a space among the non-numbers, and their mean length. */
  spacedShare: number;
  meanLength: number;
}

// Names of id and code columns: a separate word at the end (`customer id`, `county_fips`, `zip`)...
const ID_WORD =
  /(?:^|[\s_.-])(?:id|ids|uuid|guid|key|code|zip|zipcode|zip_code|postcode|postal_code|postalcode|fips|sku|isbn|ean|upc|iban|phone|telephone)$/i;
// ... or a camel-case ending (`customerId`, `regionCode`).
const ID_CAMEL = /[a-z0-9](?:Id|ID|Ids|Uuid|UUID|Key|Code|Zip|Fips|FIPS)$/;

/** True when a column's name says it holds ids or codes. */
export function nameSaysIdentifier(name: string): boolean {
  return ID_WORD.test(name.trim()) || ID_CAMEL.test(name.trim());
}

/** Decides a column's {@link ColumnType}. */
export function decideColumnType(evidence: TypeEvidence): ColumnType {
  const { nonNull } = evidence;
  if (nonNull === 0) return 'empty';
  if (evidence.booleans === nonNull) return 'boolean';
  if (evidence.codes > 0 && evidence.codes + evidence.numbers >= nonNull * 0.9) return 'identifier';
  if (evidence.numbers >= nonNull * 0.9) {
    const whole = evidence.integers === evidence.numbers;
    if (whole && nameSaysIdentifier(evidence.name)) return 'identifier';
    return whole ? 'integer' : 'decimal';
  }
  if (evidence.dates >= nonNull * 0.9) return evidence.timeOfDay ? 'datetime' : 'date';
  if (evidence.spacedShare >= 0.5 && evidence.meanLength >= 20) return 'text';
  const unique = evidence.distinctExact && evidence.distinct === nonNull && nonNull >= 2;
  if (nameSaysIdentifier(evidence.name) || (unique && evidence.spacedShare < 0.5)) return 'identifier';
  if (evidence.distinct <= 50 || evidence.distinct <= nonNull * 0.5) return 'categorical';
  return 'text';
}

/** Types whose values measure something: only these get means, outliers and correlations. */
export function isMeasure(type: ColumnType): boolean {
  return type === 'integer' || type === 'decimal';
}

/** The physical type of the semantic layer for a column type. */
export function physicalTypeOf(type: ColumnType): 'integer' | 'decimal' | 'boolean' | 'date' | 'datetime' | 'string' {
  if (type === 'integer' || type === 'decimal' || type === 'boolean' || type === 'date' || type === 'datetime')
    return type;
  return 'string';
}
