import { describe, expect, it } from 'vitest';
import { inferPhysicalType, isDate, isDateTime } from './physical-types.js';
import { inferSemanticType } from './semantic-types.js';

const column = (name: string, values: unknown[]) => {
  const physical = inferPhysicalType(values);
  return { physical, semantic: inferSemanticType(name, values, physical) };
};

describe('physical types', () => {
  it.each([
    [['1', '2', '-3', ''], 'integer', 1],
    [['1.5', '2', '3e4', '.5'], 'decimal', 1],
    [['true', 'False', 'yes', 'no'], 'boolean', 1],
    [['2026-01-31', '2026-02-28', '31/12/2025'], 'date', 1],
    [['2026-01-31T10:00:00Z', '2026-02-01 08:30', '2026-02-01'], 'datetime', 1],
    [['a', 'b', '3'], 'string', 1],
    [[1, 2.5, 3], 'decimal', 1],
    [[true, false], 'boolean', 1],
  ])('infers %j as %s', (values, type, share) => {
    expect(inferPhysicalType(values)).toMatchObject({ type, share });
  });

  it('reports the share that fits, tolerating a few bad values', () => {
    const values = [...Array.from({ length: 98 }, (_, index) => String(index + 1)), 'unknown', 'later'];
    expect(inferPhysicalType(values)).toEqual({ type: 'integer', share: 0.98, nonEmpty: 100 });
    // Under 90 % numbers: text, as the profile says.
    const mixed = [...Array.from({ length: 89 }, (_, index) => String(index + 1)), ...Array(11).fill('unknown')];
    expect(inferPhysicalType(mixed).type).toBe('string');
    // Null tokens are missing values, not bad ones.
    expect(inferPhysicalType([null, '', '  ', 'NA', 'N/A', 'null'])).toEqual({ type: 'string', share: 0, nonEmpty: 0 });
  });

  it('checks calendars and clocks, not just shapes', () => {
    expect(isDate('2026-02-29')).toBe(false);
    expect(isDate('2024-02-29')).toBe(true);
    expect(isDateTime('2026-01-01T24:00:00Z')).toBe(false);
    expect(isDateTime('2026-01-01T23:59:60Z')).toBe(true);
  });
});

describe('semantic types', () => {
  it.each([
    ['email', ['a@x.io', 'b@y.org', 'c@z.com'], 'email'],
    ['homepage', ['https://x.io', 'http://y.org/a?b=1'], 'url'],
    ['price', ['$1,200.50', '€30', '12.00 USD'], 'currency_amount'],
    ['discount', ['10%', '12.5 %', '0%'], 'percentage'],
    ['mobile', ['+44 20 7946 0958', '(415) 555-0100', '+1 415 555 0101'], 'phone'],
    ['country', ['FR', 'DE', 'United Kingdom', 'US'], 'country'],
    ['zip', ['94107', '10001-1234', '60601'], 'postal_code'],
    ['customer_id', ['C-001', 'C-002', 'C-003'], 'identifier'],
    ['event_uuid', ['3b241101-e2bb-4255-8caf-4136c566a962', '7c9e6679-7425-40de-944b-e07fc1f90ae7'], 'identifier'],
    ['created', ['2026-01-01', '2026-01-02'], 'timestamp'],
    ['amount', ['10', '20.5', '30'], 'measure'],
    [
      'comment',
      ['The delivery was late and the box was damaged', 'Great service, will order again next month'],
      'free_text',
    ],
    ['status', ['open', 'closed', 'open', 'open', 'closed', 'pending'], 'category'],
  ])('infers column %s as %s', (name, values, type) => {
    expect(column(name, values).semantic.type).toBe(type);
  });

  it('gives pattern types the share of matching values as confidence, and needs most values to match', () => {
    expect(column('email', ['a@x.io', 'b@y.org', 'c@z.com', 'd@w.net', 'none']).semantic).toEqual({
      type: 'email',
      confidence: 0.8,
    });
    expect(column('email', ['a@x.io', 'none', 'nope', 'n/a']).semantic.type).not.toBe('email');
    expect(column('empty', [null, '']).semantic).toEqual({ type: 'unknown', confidence: 0 });
  });
});
