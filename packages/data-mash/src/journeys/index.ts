export {
  JourneyOrchestrator,
  type JourneyOrchestratorOptions,
  type JourneyOutcome,
  type JourneyProgressUpdate,
  type MilestoneContext,
  type MilestoneRetryOptions,
  type MilestoneStep,
  TRANSIENT_ERROR_CODES,
} from './journey-orchestrator.js';
export {
  dataMashFlowTemplate,
  type JourneyMilestoneTemplate,
  type JourneyTemplate,
  JourneyTemplateSchema,
  loadJourneyTemplate,
  parseJourneyTemplate,
  shippedTemplatesDirectory,
} from './template.js';
