export {
  ERASED_CODE,
  ERASURE_RECORD,
  type EraseFileOptions,
  type ErasureReport,
  eraseFile,
  isErasedJourney,
} from './erase-file.js';
export { getLegalHold, LEGAL_HOLD_RECORD, type LegalHold, setLegalHold } from './legal-hold.js';
export {
  type RetentionItem,
  type RetentionReport,
  type RetentionRule,
  type RunRetentionOptions,
  runRetention,
} from './retention.js';
