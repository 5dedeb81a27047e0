export {
  createErrorAudit,
  ERRORS_COUNTER,
  type ErrorAudit,
  type ErrorAuditContext,
  type ErrorAuditRecord,
} from './error-audit.js';
