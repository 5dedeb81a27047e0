/**
 * @packageDocumentation
 * The data mash of the @platform SDK: the Content Pillar (parsing, semantic processing,
 * embeddings), the semantic layer phase, the Insights Pillar (profiles, relationships, quality
 * flags, summaries), and the flow that joins them: handoff contracts, journeys from YAML
 * templates, the solution orchestrator and `dataMashModules()` for hosts.
 */
export * from './content/index.js';
export * from './doctor/index.js';
export * from './embedding/index.js';
export * from './erasure/index.js';
export * from './export/index.js';
export * from './flow/index.js';
export * from './host/index.js';
export * from './insights/index.js';
export * from './journeys/index.js';
export * from './parsing/index.js';
export * from './phases/index.js';
export * from './semantics/index.js';
