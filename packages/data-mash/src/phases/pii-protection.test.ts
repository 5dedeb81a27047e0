import { piiRedactor } from '@platform/smart-city';
import { describe, expect, it } from 'vitest';
import { TableProfiler } from '../insights/table-profiler.js';
import { protectTableInsights } from './pii-protection.js';

// A table whose profile quotes its values everywhere: a name column of one value (the quality
// message quotes it), a card number read as a number (min, max, outliers), and notes.
function profile() {
  const profiler = new TableProfiler(['holder', 'card', 'amount', 'note']);
  for (let index = 0; index < 40; index += 1) {
    profiler.addValues([
      'Jane Doe',
      index === 39 ? '9111111111111116' : '4111111111111111',
      index === 39 ? 100_000 : 10 + index,
      `ask Dr. Li Wei or mail li.wei${index}@clientmail.example`,
    ]);
  }
  return profiler.result();
}

describe('protectTableInsights', () => {
  const columns = { holder: 'person_name', card: 'card_number' } as const;

  it('quotes tokens where the profile quoted values, and drops the figures of personal data', () => {
    const raw = profile();
    expect(JSON.stringify(raw)).toContain('Jane Doe');
    const kept = protectTableInsights(raw, columns, piiRedactor({ mode: 'mask' }, 'acme'));
    const text = JSON.stringify(kept);
    for (const value of ['Jane Doe', '4111111111111111', '9111111111111116', 'Li Wei', 'li.wei0@']) {
      expect(text, value).not.toContain(value);
    }
    const byName = Object.fromEntries(kept.columns.map((column) => [column.name, column]));
    expect(byName.holder).toMatchObject({ pii: 'person_name', count: 40 });
    expect(byName.card?.numeric).toBeUndefined();
    expect(byName.amount?.numeric?.max).toBe(100_000);
    expect(kept.outliers.map((outlier) => outlier.column)).not.toContain('card');
    expect(kept.outliers.map((outlier) => outlier.column)).toContain('amount');
    const constant = kept.quality.find((flag) => flag.kind === 'constant' && flag.column === 'holder');
    expect(constant?.message).toBe("'holder' has one value throughout: '[person_name]'");
    expect(kept.rows.firstRows[0]).toEqual([
      '[person_name]',
      '[card_number]',
      '10',
      'ask Dr. [person_name] or mail [email]',
    ]);
  });

  it('with keep, changes no value and still tags the columns', () => {
    const raw = profile();
    const kept = protectTableInsights(raw, columns, piiRedactor({ mode: 'keep' }, 'acme'));
    expect(kept.rows).toEqual(raw.rows);
    expect(kept.columns.find((column) => column.name === 'card')).toMatchObject({ pii: 'card_number' });
  });
});
