export { computeInsights, type InsightsInput, type InsightsResult, resolvePointer } from './content-insights.js';
export { CONTENT_FORMATS, type ContentFormat, type DetectFormatOptions, detectFormat } from './formats.js';
export {
  type ContentChunk,
  type ParseContentInput,
  type ParseContentOptions,
  type ParsedTable,
  type ParseResult,
  parseContent,
} from './parse-content.js';
