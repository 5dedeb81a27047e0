import { describe, expect, it } from 'vitest';
import { KeywordCounter, topKeywords } from './keywords.js';

describe('keywords', () => {
  it('cuts personal data out before counting: no part of an e-mail, a titled name or a number is a keyword', () => {
    const words = topKeywords(
      'Invoice question from Dr. Jane Doe: mail jane.doe@clientmail.example or call +44 20 7946 0958 about the invoice',
      20,
    ).map((entry) => entry.word);
    expect(words).toEqual(['invoice', 'call', 'mail', 'question']);
    const counter = new KeywordCounter();
    counter.add('refund to DE89 3704 0044 0532 0130 00 for Mrs. Priya Raman');
    expect(counter.top().map((entry) => entry.word)).toEqual(['mrs', 'refund']);
  });
});
