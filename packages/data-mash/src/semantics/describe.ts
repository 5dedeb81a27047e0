import type { PhysicalTypeInference } from './physical-types.js';
import type { SemanticTypeInference } from './semantic-types.js';

const MEANINGS: Readonly<Record<SemanticTypeInference['type'], string>> = {
  email: 'e-mail addresses',
  url: 'web addresses (URLs)',
  phone: 'phone numbers',
  currency_amount: 'money amounts',
  percentage: 'percentages',
  country: 'countries',
  postal_code: 'postal codes',
  identifier: 'identifiers, one per record',
  free_text: 'free text written by people',
  category: 'categories from a small set of values',
  measure: 'measured or counted quantities',
  timestamp: 'dates or points in time',
  unknown: 'values of no recognised kind',
};

/** A one-sentence description of what a column holds, from its inferred types: what gets embedded as its meaning. */
export function describeColumn(
  column: string,
  physical: PhysicalTypeInference,
  semantic: SemanticTypeInference,
): string {
  const words = column
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/[_.-]+/g, ' ')
    .trim()
    .toLowerCase();
  return `${words || column}: ${MEANINGS[semantic.type]}, stored as ${physical.type === 'string' ? 'text' : physical.type}`;
}
