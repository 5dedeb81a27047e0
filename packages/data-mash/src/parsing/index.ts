export {
  type DelimitedParseOptions,
  type DelimitedParseReport,
  type ParseWarning,
  parseDelimited,
} from './delimited.js';
export { type DecodingWarning, decodeText, type TextEncodingName } from './text-decoding.js';
