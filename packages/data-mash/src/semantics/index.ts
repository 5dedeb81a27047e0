export { describeColumn } from './describe.js';
export { type EntityType, type FoundEntity, findEntities } from './entities.js';
export {
  inferPhysicalType,
  isDate,
  isDateTime,
  type PhysicalType,
  type PhysicalTypeInference,
} from './physical-types.js';
export {
  type ColumnSemantics,
  type Embedder,
  processSemantics,
  type SemanticOptions,
  type SemanticResult,
} from './semantic-result.js';
export { inferSemanticType, type SemanticType, type SemanticTypeInference } from './semantic-types.js';
