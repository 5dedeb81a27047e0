export { embedderFingerprint, HashingEmbedder, type HashingEmbedderOptions } from './hashing-embedder.js';
