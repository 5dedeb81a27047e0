/**
 * @packageDocumentation
 * Smart City for the @platform SDK: the role base classes (`SmartCityRoleBase`,
 * `RealmServiceBase`), the City Manager gateway, the `UserContext` guard, and the roles.
 */

export * from './api-gateway/index.js';
export * from './bases/index.js';
export * from './city-manager/index.js';
export * from './communication-director/index.js';
export * from './content-steward/index.js';
export * from './data-orchestrator/index.js';
export * from './data-steward/index.js';
export * from './file-formats/index.js';
export { type JourneyProgress, JourneyProgressEvent } from './http/journey-progress.js';
export * from './librarian/index.js';
export * from './nurse/index.js';
export * from './post-office/index.js';
export * from './security-guard/index.js';
export * from './traffic-cop/index.js';
export * from './user-context/index.js';
