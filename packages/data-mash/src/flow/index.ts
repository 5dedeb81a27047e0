export {
  DATA_MASH_CONTRACTS,
  FileParsed,
  FileUploaded,
  InsightsGenerated,
  SemanticProcessed,
  SemanticProcessedV1,
} from './contracts.js';
export { renderHandoffContracts } from './contracts-doc.js';
export {
  defineHandoffContract,
  type HandoffContract,
  type HandoffSide,
  type HandoffUpgrade,
} from './handoff-contract.js';
