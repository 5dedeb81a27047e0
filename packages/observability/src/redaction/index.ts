export {
  createRedactor,
  DEFAULT_SENSITIVE_KEYS,
  defaultRedactor,
  type RedactionOptions,
  type Redactor,
} from './redactor.js';
