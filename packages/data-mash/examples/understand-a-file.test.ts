import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { understandFile } from './understand-a-file.js';

describe('README: understanding a file', () => {
  it('is the code the README shows', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(readFileSync(new URL('./understand-a-file.ts', import.meta.url), 'utf8').trim());
  });

  it('gives column meanings and a summary traceable to figures', async () => {
    const rows = Array.from(
      { length: 40 },
      (_, index) =>
        `${index + 1},c${index % 7}@example.com,${index % 3 ? 'NL' : 'DE'},${(10 + (index % 9) * 2.5).toFixed(2)}`,
    );
    const result = await understandFile(`order_id,email,country,amount\n${rows.join('\n')}\n`);
    expect(result.columns).toEqual(['order_id: identifier', 'email: email', 'country: country', 'amount: measure']);
    expect(result.summary[0]).toBe("'orders' has 40 rows and 4 columns.");
    expect(result.summary).toContain("'country' takes 2 values; the most common is 'NL' (65 % of values).");
  });
});
