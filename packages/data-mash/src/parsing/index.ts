export { type ChunkOptions, chunkText, type TextChunk } from './chunking.js';
export {
  type DelimitedParseOptions,
  type DelimitedParseReport,
  type ParseWarning,
  parseDelimited,
  parseDelimitedValues,
  type RowHandler,
  type ValuesHandler,
} from './delimited.js';
export * from './documents/index.js';
export {
  flatten,
  type JsonParseOptions,
  type JsonParseReport,
  jsonDepth,
  parseJsonDocument,
  parseJsonLines,
} from './json.js';
export { type DecodingWarning, decodeText, type TextEncodingName } from './text-decoding.js';
