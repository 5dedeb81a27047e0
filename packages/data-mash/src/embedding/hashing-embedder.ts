import { createHash } from 'node:crypto';
import type { Embedder } from '@platform/smart-city';

/** Options of {@link HashingEmbedder}. */
export interface HashingEmbedderOptions {
  /** Vector length. Default 384 (the dimension the semantic store indexes out of the box). */
  dimensions?: number;
  /** Weight of character trigrams against words. Default 0.5. */
  trigramWeight?: number;
}

/** Unicode-aware lower-cased words. */
function wordsOf(text: string): string[] {
  return (
    text
      .normalize('NFKC')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  );
}

/** FNV-1a 32-bit: fast, stable across runs and platforms. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * The default embedder: offline, deterministic, no model download. A text becomes the feature
 * hashing of its words (weight 1) and of the character trigrams of each word padded with spaces
 * (weight `trigramWeight`), each feature hashed to a slot with a sign from a second hash bit,
 * then L2-normalised. Cosine similarity then measures shared vocabulary and spelling: good for
 * lexical similarity (column names, values, keywords), blind to synonyms. The same text always
 * gives the same vector on every machine and version of Node.
 *
 * A hosted model fits the same `Embedder` shape: `{ model, dimensions, embed(texts) }`.
 */
export class HashingEmbedder implements Embedder {
  readonly model: string;
  readonly dimensions: number;
  readonly #trigramWeight: number;

  constructor(options: HashingEmbedderOptions = {}) {
    this.dimensions = options.dimensions ?? 384;
    if (!Number.isInteger(this.dimensions) || this.dimensions < 8 || this.dimensions > 4096) {
      throw new TypeError(`HashingEmbedder: dimensions must be a whole number from 8 to 4096, got ${this.dimensions}`);
    }
    this.#trigramWeight = options.trigramWeight ?? 0.5;
    this.model = `platform-hashing-v1-${this.dimensions}`;
  }

  #add(vector: Float64Array, feature: string, weight: number): void {
    const hash = fnv1a(feature);
    vector[hash % this.dimensions] = (vector[hash % this.dimensions] ?? 0) + ((hash >>> 31) & 1 ? -weight : weight);
  }

  /** One vector per text; an empty text gives a zero vector. */
  embedOne(text: string): number[] {
    const vector = new Float64Array(this.dimensions);
    for (const word of wordsOf(text)) {
      this.#add(vector, `w:${word}`, 1);
      const padded = ` ${word} `;
      for (let index = 0; index + 3 <= padded.length; index += 1)
        this.#add(vector, `t:${padded.slice(index, index + 3)}`, this.#trigramWeight);
    }
    let norm = 0;
    for (const value of vector) norm += value * value;
    norm = Math.sqrt(norm);
    return Array.from(vector, (value) => (norm === 0 ? 0 : Math.round((value / norm) * 1e6) / 1e6));
  }

  async embed(texts: readonly string[]): Promise<number[][]> {
    return texts.map((text) => this.embedOne(text));
  }
}

/** A stable short fingerprint of an embedder configuration, for cache keys. */
export function embedderFingerprint(embedder: Embedder): string {
  return createHash('sha256').update(`${embedder.model}:${embedder.dimensions}`).digest('hex').slice(0, 12);
}
