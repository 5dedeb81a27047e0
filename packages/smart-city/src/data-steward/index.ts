export { type ColumnClassification, classifyColumns, luhnValid, type PiiType, piiTypeOf } from './classification.js';
export {
  DataSteward,
  type DataStewardOptions,
  DataStewardRef,
  dataSteward,
  type RetentionRule,
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
  metadataLineageSink,
  type OpenLineageRunEvent,
  runEvent,
} from './lineage.js';
export {
  definePolicy,
  evaluatePolicy,
  type GovernancePolicy,
  GovernancePolicySchema,
  type PolicyDecision,
  type PolicyRequest,
} from './policy.js';
export { checkQuality, type QualityResult, type QualityRule, QualityRuleSchema } from './quality.js';
