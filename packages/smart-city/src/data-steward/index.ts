export {
  type ColumnClassification,
  classifyColumns,
  ibanValid,
  isNameHeader,
  isPhoneHeader,
  looksLikePersonName,
  luhnValid,
  PII_TYPES,
  type PiiType,
  piiTypeOf,
} from './classification.js';
export {
  DataSteward,
  type DataStewardOptions,
  DataStewardRef,
  dataSteward,
  type RetentionRule,
  type TextClassification,
} from './data-steward.js';
export {
  type HttpLineageSinkOptions,
  httpLineageSink,
  LINEAGE_PRODUCER,
  LINEAGE_SCHEMA_URLS,
  type LineageDataset,
  type LineageFacet,
  type LineageField,
  type LineageFieldSource,
  type LineageQualityMetrics,
  type LineageRunDetails,
  type LineageSink,
  lineageErrorMessage,
  lineageEventRecord,
  metadataLineageSink,
  type OpenLineageRunEvent,
  runEvent,
} from './lineage.js';
export { type PiiRedactor, type PiiTreatment, piiRedactor } from './pii-redaction.js';
export { findPiiInText, type PiiMatch } from './pii-text.js';
export {
  definePolicy,
  evaluatePolicy,
  type GovernancePolicy,
  GovernancePolicySchema,
  type PolicyDecision,
  type PolicyRequest,
} from './policy.js';
export { checkQuality, type QualityResult, type QualityRule, QualityRuleSchema } from './quality.js';
