export { DATA_MASH_CONTRACTS, FileParsed, FileUploaded, InsightsGenerated, SemanticProcessed } from './contracts.js';
export { renderHandoffContracts } from './contracts-doc.js';
export { defineHandoffContract, type HandoffContract, type HandoffSide } from './handoff-contract.js';
