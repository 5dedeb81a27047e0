export {
  type AnyFlowStep,
  defineFlowStep,
  type FlowStep,
  type FlowStepContext,
  type FlowStepMethod,
  type FlowStepRun,
} from './flow-step.js';
export {
  JOURNEY_PROGRESS_MILESTONE,
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
  milestoneStep,
  parseJourneyTemplate,
  shippedTemplatesDirectory,
} from './template.js';
