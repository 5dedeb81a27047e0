import { FileParsed, FileUploaded, InsightsGenerated, SemanticProcessed } from '../flow/contracts.js';
import { type AnyFlowStep, defineFlowStep } from '../journeys/flow-step.js';
import { ContentPillarRef } from './content-pillar.js';
import { FileIntakeRef } from './file-intake.js';
import { InsightsPillarRef } from './insights-pillar.js';
import { SemanticLayerRef } from './semantic-layer.js';

/** `content.upload_file`: the File Intake validates and stores the file (the journey's input) through the Content Steward. */
export const UploadFileStep = defineFlowStep({
  id: 'content.upload_file',
  service: FileIntakeRef,
  method: 'uploadFile',
  output: FileUploaded,
});

/** `content.parse_file`: the Content Pillar parses the stored file and processes it semantically. */
export const ParseFileStep = defineFlowStep({
  id: 'content.parse_file',
  service: ContentPillarRef,
  method: 'parseFile',
  input: FileUploaded,
  output: FileParsed,
});

/** `semantic.store_content`: the semantic layer stores content, embeddings and graph. */
export const StoreContentStep = defineFlowStep({
  id: 'semantic.store_content',
  service: SemanticLayerRef,
  method: 'storeContent',
  input: FileParsed,
  output: SemanticProcessed,
});

/** `insights.generate`: the Insights Pillar profiles the parse result and summarises it. */
export const GenerateInsightsStep = defineFlowStep({
  id: 'insights.generate',
  service: InsightsPillarRef,
  method: 'generate',
  input: SemanticProcessed,
  output: InsightsGenerated,
});

/** The steps of the shipped `data_mash_flow` template, in order (registered by the journey orchestrator service). */
export const DATA_MASH_FLOW_STEPS: readonly AnyFlowStep[] = [
  UploadFileStep,
  ParseFileStep,
  StoreContentStep,
  GenerateInsightsStep,
] as AnyFlowStep[];
