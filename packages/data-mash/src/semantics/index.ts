export {
  inferPhysicalType,
  isDate,
  isDateTime,
  type PhysicalType,
  type PhysicalTypeInference,
  typesOf,
} from './physical-types.js';
export { inferSemanticType, type SemanticType, type SemanticTypeInference } from './semantic-types.js';
