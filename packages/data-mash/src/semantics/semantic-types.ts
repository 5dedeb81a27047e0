import { piiTypeOf } from '@platform/smart-city';
import { type PhysicalTypeInference, round } from './physical-types.js';

/** What a column means. */
export type SemanticType =
  | 'email'
  | 'url'
  | 'phone'
  | 'currency_amount'
  | 'percentage'
  | 'country'
  | 'postal_code'
  | 'identifier'
  | 'free_text'
  | 'category'
  | 'measure'
  | 'timestamp'
  | 'unknown';

/** A column's inferred meaning and how sure the inference is (0-1). */
export interface SemanticTypeInference {
  type: SemanticType;
  confidence: number;
}

const URL_PATTERN = /^https?:\/\/[^\s/$.?#][^\s]*$/i;
const CURRENCY =
  /^(?:[$€£¥₹]\s?[+-]?\d[\d,]*(?:\.\d+)?|[+-]?\d[\d,]*(?:\.\d+)?\s?(?:[$€£¥₹]|USD|EUR|GBP|JPY|INR|CHF|CAD|AUD))$/i;
const PERCENT = /^[+-]?\d+(?:\.\d+)?\s?%$/;
const US_ZIP = /^\d{5}(?:-\d{4})?$/;
const UK_POSTCODE = /^[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// ISO 3166 alpha-2 codes and common English names: enough to recognise a country column.
const COUNTRY_CODES = new Set(
  'AD AE AF AG AL AM AO AR AT AU AZ BA BB BD BE BF BG BH BI BJ BN BO BR BS BT BW BY BZ CA CD CF CG CH CI CL CM CN CO CR CU CV CY CZ DE DJ DK DM DO DZ EC EE EG ER ES ET FI FJ FM FR GA GB GD GE GH GM GN GQ GR GT GW GY HK HN HR HT HU ID IE IL IN IQ IR IS IT JM JO JP KE KG KH KI KM KN KP KR KW KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MG MH MK ML MM MN MR MT MU MV MW MX MY MZ NA NE NG NI NL NO NP NR NZ OM PA PE PG PH PK PL PT PW PY QA RO RS RU RW SA SB SC SD SE SG SI SK SL SM SN SO SR SS ST SV SY SZ TD TG TH TJ TL TM TN TO TR TT TV TW TZ UA UG US UY UZ VA VC VE VN VU WS YE ZA ZM ZW'.split(
    ' ',
  ),
);
const COUNTRY_NAMES = new Set([
  'argentina',
  'australia',
  'austria',
  'belgium',
  'brazil',
  'canada',
  'chile',
  'china',
  'colombia',
  'czechia',
  'denmark',
  'egypt',
  'finland',
  'france',
  'germany',
  'greece',
  'hungary',
  'india',
  'indonesia',
  'ireland',
  'israel',
  'italy',
  'japan',
  'kenya',
  'mexico',
  'morocco',
  'netherlands',
  'new zealand',
  'nigeria',
  'norway',
  'pakistan',
  'peru',
  'philippines',
  'poland',
  'portugal',
  'romania',
  'russia',
  'saudi arabia',
  'singapore',
  'south africa',
  'south korea',
  'spain',
  'sweden',
  'switzerland',
  'thailand',
  'turkey',
  'ukraine',
  'united arab emirates',
  'united kingdom',
  'united states',
  'usa',
  'uk',
  'vietnam',
]);

function share(values: readonly string[], test: (value: string) => boolean): number {
  return values.length === 0 ? 0 : values.filter(test).length / values.length;
}

/**
 * Infers what a column means from its name, its values and its physical type. Pattern types
 * (email, URL, phone, currency, percentage, country, postal code) need at least `threshold`
 * (default 0.8) of the non-empty values to match, and their confidence is that share.
 * Otherwise: identifiers (unique, id-like), timestamps, measures (numbers), free text (long,
 * many words), categories (few distinct values), else unknown.
 */
export function inferSemanticType(
  name: string,
  values: readonly unknown[],
  physical: PhysicalTypeInference,
  threshold = 0.8,
): SemanticTypeInference {
  const texts = values
    .filter((value) => value !== null && value !== undefined && String(value).trim() !== '')
    .map((value) => String(value).trim());
  if (texts.length === 0) return { type: 'unknown', confidence: 0 };
  const normalisedName = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  const patterns: Array<[SemanticType, (value: string) => boolean]> = [
    ['email', (value) => piiTypeOf(value) === 'email'],
    ['url', (value) => URL_PATTERN.test(value)],
    ['currency_amount', (value) => CURRENCY.test(value)],
    ['percentage', (value) => PERCENT.test(value)],
    ['phone', (value) => piiTypeOf(value) === 'phone'],
    ['country', (value) => COUNTRY_CODES.has(value.toUpperCase()) || COUNTRY_NAMES.has(value.toLowerCase())],
    [
      'postal_code',
      (value) => (US_ZIP.test(value) || UK_POSTCODE.test(value)) && /zip|post|postal|postcode/.test(normalisedName),
    ],
  ];
  for (const [type, test] of patterns) {
    const matched = share(texts, test);
    if (matched >= threshold && (type !== 'country' || /country|nation/.test(normalisedName) || matched === 1)) {
      return { type, confidence: round(matched) };
    }
  }
  const distinct = new Set(texts).size;
  const unique = distinct === texts.length;
  const idLike =
    /(^id$|id$|uuid|key$|code$|number$)/.test(normalisedName) || share(texts, (value) => UUID.test(value)) >= threshold;
  if (unique && idLike && texts.length >= 2) return { type: 'identifier', confidence: 0.9 };
  if (physical.type === 'date' || physical.type === 'datetime')
    return { type: 'timestamp', confidence: physical.share };
  if ((physical.type === 'integer' || physical.type === 'decimal') && !idLike)
    return { type: 'measure', confidence: physical.share };
  const averageWords = texts.reduce((sum, value) => sum + value.split(/\s+/).length, 0) / texts.length;
  if (averageWords >= 5) return { type: 'free_text', confidence: round(Math.min(1, averageWords / 10)) };
  if (distinct <= Math.max(2, Math.min(50, texts.length * 0.5)))
    return { type: 'category', confidence: round(1 - distinct / texts.length) };
  if (unique && texts.length >= 2) return { type: 'identifier', confidence: 0.6 };
  return { type: 'unknown', confidence: 0 };
}
