/**
 * @packageDocumentation
 * The data mash of the @platform SDK: the Content Pillar (parsing, semantic processing,
 * embeddings) and the Insights Pillar (profiles, relationships, quality flags, summaries). The
 * flow that joins them with handoff contracts, journeys and the CLI are still to come.
 */
export * from './content/index.js';
export * from './embedding/index.js';
export * from './flow/index.js';
export * from './insights/index.js';
export * from './journeys/index.js';
export * from './parsing/index.js';
export * from './semantics/index.js';
