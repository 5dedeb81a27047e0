export {
  dataMashFlowTemplate,
  type JourneyMilestoneTemplate,
  type JourneyTemplate,
  JourneyTemplateSchema,
  loadJourneyTemplate,
  parseJourneyTemplate,
  shippedTemplatesDirectory,
} from './template.js';
