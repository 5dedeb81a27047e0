export type {
  AgentDefinition,
  CapabilityDefinition,
  CuratorEvent,
  FileDownload,
  McpToolDefinition,
  ServiceDescription,
  ServiceRegistration,
  SoaApiDefinition,
} from '../kernel/service-description.js';
export { Curator, type CuratorOptions, CuratorRef, type DiscoveryFilter, type RealmView } from './curator.js';
export { bodyOf, capabilitySchemas, mcpToolList, openApiDocument, queryFieldsOf, toJsonSchema } from './exports.js';
export { FileDownloadSchema, isFileDownload } from './file-download.js';
export {
  checkPatterns,
  DEFAULT_PATTERN_RULES,
  type PatternFinding,
  type PatternRule,
  PatternRuleSchema,
} from './pattern-rules.js';
export {
  defineRealmAccessTable,
  RealmAccess,
  type RealmAccessTable,
  RealmAccessTableSchema,
} from './realm-access.js';
