/**
 * @packageDocumentation
 * `@platform/smart-city/http`: the platform's HTTP front door on Hono (optional peers `hono`,
 * `@hono/node-server`, and `ws` for WebSockets). REST over the services' APIs registered in
 * Curator, problem+json errors, streamed uploads, OpenAPI, health, and live journey progress.
 */
export { createHttpApp, type HttpApp, type HttpAppOptions } from './app.js';
export {
  authenticateChallenge,
  authenticateRequest,
  type Credential,
  type HttpAuthenticator,
  readCredential,
} from './authenticate.js';
export {
  type AnyEventType,
  type EventFilter,
  type EventStreamOptions,
  eventStream,
  followTenantEvents,
  formatServerSentEvent,
  type StreamedEvent,
} from './events.js';
export { type JourneyProgress, JourneyProgressEvent } from './journey-progress.js';
export { frontDoorOpenApi } from './openapi.js';
export {
  PROBLEM_MEDIA_TYPE,
  PROBLEM_STATUS,
  type ProblemDetails,
  type ProblemOptions,
  problemResponse,
  problemStatus,
  toProblem,
} from './problems.js';
export type { HttpServer, ServeOptions } from './serve.js';
export { dispositionFilename, type HttpUploadedFile, jsonBody, uploadedFile } from './uploads.js';
