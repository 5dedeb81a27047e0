import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunkText } from './chunking.js';

describe('chunkText', () => {
  it('ends chunks on paragraph breaks and sentence ends near the target size', () => {
    const paragraph = (label: string) => `${label} opens here. ${'It carries on with more words. '.repeat(8)}`.trim();
    const text = [paragraph('One'), paragraph('Two'), paragraph('Three')].join('\n\n');
    const chunks = chunkText(text, { size: 300, overlap: 0 });
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks.slice(0, -1)) expect(chunk.text).toMatch(/[.]$/);
    expect(chunks[0]?.text.startsWith('One opens here.')).toBe(true);
  });

  it('overlaps consecutive chunks from a word start, with offsets into the source', () => {
    const text = Array.from({ length: 200 }, (_, index) => `word${index}`).join(' ');
    const chunks = chunkText(text, { size: 200, overlap: 50 });
    for (const [index, chunk] of chunks.entries()) {
      expect(text.slice(chunk.start, chunk.end)).toBe(chunk.text);
      expect(chunk.text.length).toBeLessThanOrEqual(200);
      if (index > 0) {
        const previous = chunks[index - 1] as typeof chunk;
        expect(chunk.start).toBeLessThan(previous.end);
        expect(text[chunk.start - 1]).toBe(' ');
      }
    }
    expect(chunks.at(-1)?.end).toBe(text.length);
  });

  it('covers every character of any text, in order, within the size (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 3000 }), fc.integer({ min: 50, max: 400 }), (text, size) => {
        const chunks = chunkText(text, { size, overlap: Math.floor(size / 4) });
        let covered = 0;
        for (const chunk of chunks) {
          expect(text.slice(chunk.start, chunk.end)).toBe(chunk.text);
          expect(chunk.text.length).toBeLessThanOrEqual(size);
          // No gap of non-blank text between chunks.
          expect(text.slice(covered, chunk.start).trim()).toBe('');
          covered = Math.max(covered, chunk.end);
        }
        expect(text.slice(covered).trim()).toBe('');
      }),
      { numRuns: 300 },
    );
  });

  it('refuses sizes and overlaps that cannot work', () => {
    expect(() => chunkText('x', { size: 10 })).toThrow(RangeError);
    expect(() => chunkText('x', { size: 100, overlap: 60 })).toThrow(RangeError);
    expect(chunkText('   ')).toEqual([]);
  });
});
