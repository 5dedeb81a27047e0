import { openApiDocument, type ServiceRegistration } from '@platform/foundations';

const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };

function problemResponse(description: string) {
  return { description, content: { 'application/problem+json': { schema: PROBLEM_REF } } };
}

const PROBLEM_SCHEMA = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'instance', 'code', 'traceId'],
  properties: {
    type: { type: 'string', description: 'A URI naming the problem type' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string', description: 'The request path' },
    code: { type: 'string', description: 'The stable platform error code, e.g. NOT_FOUND' },
    traceId: { type: 'string', description: 'The trace id of the request (also in the X-Trace-ID header)' },
    details: { type: 'object' },
  },
};

// The routes the front door serves itself, besides the services' APIs.
function ownPaths(eventsPermission: string): Record<string, unknown> {
  const noAuth = { security: [] };
  return {
    '/openapi.json': {
      get: {
        operationId: 'http.openapi',
        summary: 'This document',
        tags: ['front-door'],
        ...noAuth,
        responses: { '200': { description: 'The OpenAPI 3.1 document', content: { 'application/json': {} } } },
      },
    },
    '/healthz': {
      get: {
        operationId: 'http.liveness',
        summary: 'Liveness: 200 while the process serves',
        tags: ['front-door'],
        ...noAuth,
        responses: { '200': { description: 'Alive', content: { 'application/json': {} } } },
      },
    },
    '/readyz': {
      get: {
        operationId: 'http.readiness',
        summary: "Readiness: the platform's health, service by service",
        tags: ['front-door'],
        ...noAuth,
        responses: {
          '200': { description: 'Ready (healthy or degraded)', content: { 'application/json': {} } },
          '503': {
            description: 'Not ready (starting, stopped, or a required service unhealthy)',
            content: { 'application/json': {} },
          },
        },
      },
    },
    '/events': {
      get: {
        operationId: 'http.events',
        summary: "Live journey progress of the caller's tenant, as Server-Sent Events",
        tags: ['front-door'],
        'x-permission': eventsPermission,
        parameters: [{ name: 'journeyId', in: 'query', required: false, schema: { type: 'string', maxLength: 200 } }],
        responses: {
          '200': { description: 'An event stream (`event: journey.progress`)', content: { 'text/event-stream': {} } },
          default: problemResponse('A platform error'),
        },
      },
    },
    '/ws': {
      get: {
        operationId: 'http.websocket',
        summary:
          "Live journey progress of the caller's tenant over a WebSocket (token in Authorization or as `Sec-WebSocket-Protocol: bearer, <token>`)",
        tags: ['front-door'],
        'x-permission': eventsPermission,
        parameters: [{ name: 'journeyId', in: 'query', required: false, schema: { type: 'string', maxLength: 200 } }],
        responses: {
          '101': { description: 'Switching to the WebSocket protocol' },
          default: problemResponse('A platform error'),
        },
      },
    },
  };
}

/**
 * The OpenAPI 3.1 document the front door serves at `/openapi.json`: Curator's document of every
 * running service's APIs (path and query parameters, JSON or binary bodies, problem+json errors),
 * the security schemes (bearer JWT, API key), the standard refusals on every API (401, 403, 429),
 * and the front door's own routes.
 */
export function frontDoorOpenApi(
  services: readonly ServiceRegistration[],
  options: { info: { title: string; version: string }; eventsPermission: string },
): Record<string, unknown> {
  const document = openApiDocument(services, options.info) as { paths: Record<string, Record<string, unknown>> };
  for (const operations of Object.values(document.paths)) {
    for (const operation of Object.values(operations) as Array<{ responses: Record<string, unknown> }>) {
      operation.responses = {
        ...operation.responses,
        '401': problemResponse('No credential, or one that does not verify (WWW-Authenticate: Bearer)'),
        '403': problemResponse('The caller lacks the permission named by x-permission'),
        '429': problemResponse('Rate limited: retry after Retry-After seconds'),
      };
    }
  }
  return {
    ...document,
    paths: { ...document.paths, ...ownPaths(options.eventsPermission) },
    security: [{ bearerAuth: [] }, { apiKeyAuth: [] }],
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        apiKeyAuth: {
          type: 'apiKey',
          in: 'header',
          name: 'X-API-Key',
          description: 'A machine client key; `Authorization: ApiKey <key>` is accepted too',
        },
      },
      schemas: { Problem: PROBLEM_SCHEMA },
    },
  };
}
