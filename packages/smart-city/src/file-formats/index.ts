export { BUILTIN_FILE_FORMATS } from './builtin-formats.js';
export { defineFileFormat, type FileFormat, type FileFormatInput, type MagicBytes } from './file-format.js';
export {
  createFileFormatRegistry,
  type DetectedType,
  defaultFileFormats,
  type FileFormatRegistry,
  type SniffedContent,
} from './registry.js';
export { firstInvalidUtf8, type TextEncoding } from './sniff-content.js';
