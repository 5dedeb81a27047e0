export {
  type ContentExtractor,
  chunkText,
  DataOrchestrator,
  type DataOrchestratorOptions,
  DataOrchestratorRef,
  dataOrchestrator,
  type ExtractedContent,
  type OrchestrationEnvelope,
  type OrchestrationResults,
} from './data-orchestrator.js';
