import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HashingEmbedder } from './hashing-embedder.js';

const cosine = (a: number[], b: number[]) => a.reduce((sum, value, index) => sum + value * (b[index] ?? 0), 0);

describe('HashingEmbedder', () => {
  const embedder = new HashingEmbedder();

  it('is deterministic, normalised and 384-dimensional by default', async () => {
    const [first, second] = await embedder.embed(['Customer email address', 'Customer email address']);
    expect(first).toEqual(second);
    expect(first).toHaveLength(384);
    expect(cosine(first as number[], first as number[])).toBeCloseTo(1, 4);
    expect(embedder.model).toBe('platform-hashing-v1-384');
  });

  it('scores shared vocabulary and spelling above unrelated text', () => {
    const email = embedder.embedOne('customer_email');
    expect(cosine(email, embedder.embedOne('Customer E-mail'))).toBeGreaterThan(0.5);
    expect(cosine(email, embedder.embedOne('emails of customers'))).toBeGreaterThan(
      cosine(email, embedder.embedOne('invoice total amount')),
    );
    expect(cosine(embedder.embedOne('revenue'), embedder.embedOne('revenues'))).toBeGreaterThan(0.5);
  });

  it('gives a zero vector for text without words, and refuses silly dimensions', () => {
    expect(embedder.embedOne(' ,;!? ').every((value) => value === 0)).toBe(true);
    expect(() => new HashingEmbedder({ dimensions: 2 })).toThrow(TypeError);
  });

  it('always yields unit or zero vectors of the configured length (property)', () => {
    const small = new HashingEmbedder({ dimensions: 32 });
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const vector = small.embedOne(text);
        expect(vector).toHaveLength(32);
        const norm = cosine(vector, vector);
        expect(norm === 0 || Math.abs(norm - 1) < 1e-4).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
