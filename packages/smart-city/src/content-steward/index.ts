export { type ClamdScanner, type ClamdScannerOptions, type ClamdScanResult, clamdScanner } from './clamd-scanner.js';
export {
  ContentSteward,
  type ContentStewardOptions,
  ContentStewardRef,
  checkFileName,
  contentSteward,
  type FileScanner,
  type FormatConverter,
  type IncomingFile,
  type ProcessedFile,
  type ScanVerdict,
} from './content-steward.js';
export { inspectZip, type ZipInspection, type ZipLimits } from './zip-inspection.js';
