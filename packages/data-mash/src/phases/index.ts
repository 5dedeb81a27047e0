export {
  CONTENT_PILLAR_PARSER,
  ContentPillar,
  type ContentPillarOptions,
  ContentPillarRef,
  contentPillar,
  type FileParsedOutput,
  parsedKeys,
} from './content-pillar.js';
export type { FlowFile } from './file-digest.js';
export {
  FileIntake,
  type FileIntakeInput,
  FileIntakeRef,
  type FileUploadedOutput,
  fileIntake,
} from './file-intake.js';
export {
  DATA_MASH_FLOW_STEPS,
  GenerateInsightsStep,
  ParseFileStep,
  StoreContentStep,
  UploadFileStep,
} from './flow-steps.js';
export {
  classifyParsed,
  enforceFlowPolicies,
  type FlowGovernanceOptions,
  type FlowPolicyAction,
  type FlowPolicyRequest,
  type ParsedClassification,
  piiOfFile,
} from './governance.js';
export {
  type InsightsGeneratedOutput,
  InsightsPillar,
  type InsightsPillarOptions,
  InsightsPillarRef,
  insightsPillar,
} from './insights-pillar.js';
export {
  DataMashJourneyOrchestrator,
  type DataMashJourneyOrchestratorOptions,
  DataMashJourneyOrchestratorRef,
  dataMashJourneyOrchestrator,
  type JourneyRequest,
} from './journey-service.js';
export {
  abandonJourneyLineage,
  JOURNEY_LINEAGE_JOB,
  journeyLineageParent,
  journeyLineageRuns,
  type LineageStep,
  type PhaseLineageCompletion,
  type PhaseLineageRun,
  type PhaseLineageStart,
  phaseRunId,
  recordLineage,
  stableRunId,
  withPhaseLineage,
} from './lineage.js';
export { DATA_MASH_REALM, DATA_MASH_REALM_ACCESS, type PhaseServiceOptions } from './phase-service.js';
export {
  type FlowPiiOptions,
  flowPiiRedactor,
  type PiiColumns,
  protectParse,
  protectTableInsights,
} from './pii-protection.js';
export {
  SemanticLayer,
  SemanticLayerRef,
  type SemanticProcessedOutput,
  semanticLayer,
} from './semantic-layer.js';
export {
  DATA_MASH_FLOW_TEMPLATE,
  type DataMashFlowRequest,
  type DataMashFlowResult,
  type DataMashPhases,
  DataMashSolutionOrchestrator,
  DataMashSolutionOrchestratorRef,
  dataMashSolutionOrchestrator,
} from './solution-orchestrator.js';
