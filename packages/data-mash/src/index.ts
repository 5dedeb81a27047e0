/**
 * @packageDocumentation
 * The data mash of the @platform SDK. In progress: the offline embedder and column schema
 * inference are here; parsing, insights, the flow and the CLI are still to come.
 */
export * from './content/index.js';
export * from './embedding/index.js';
export * from './insights/index.js';
export * from './parsing/index.js';
export * from './semantics/index.js';
