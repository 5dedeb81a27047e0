import { bodyOf, isFileDownload, type Platform, PlatformError, type SoaApiDefinition } from '@platform/foundations';
import {
  continueTrace,
  currentSpanId,
  currentTraceSampled,
  extractTraceId,
  generateSpanId,
  injectTraceHeaders,
  withSpan,
} from '@platform/observability';
import { type Context, Hono } from 'hono';
import { routePath } from 'hono/route';
import { ApiGatewayRef, type RouteMatch } from '../api-gateway/api-gateway.js';
import { CommunicationDirectorRef, type RouteEnvelope } from '../communication-director/communication-director.js';
import { ContentStewardRef } from '../content-steward/content-steward.js';
import { authenticateChallenge, authenticateRequest, type HttpAuthenticator } from './authenticate.js';
import { downloadResponse } from './downloads.js';
import { type AnyEventType, eventRoutes } from './event-routes.js';
import { JourneyProgressEvent } from './journey-progress.js';
import { jsonText } from './json-text.js';
import { frontDoorOpenApi } from './openapi.js';
import { problemResponse, toProblem } from './problems.js';
import { locateRole, optionalRole } from './roles.js';
import { type HttpServer, type ServeOptions, serveApp } from './serve.js';
import { jsonBody, uploadedFile } from './uploads.js';

/** What {@link createHttpApp} takes (all optional). */
export interface HttpAppOptions {
  /**
   * Largest uploaded file (`body: 'file'` APIs), in bytes: over it the request is refused with 413
   * `FILE_TOO_LARGE` as soon as its `Content-Length` or its streamed bytes pass it, before anything
   * is stored. Default: the Content Steward's `maxSizeBytes` when it runs, else 100 MiB.
   */
  maxUploadBytes?: number;
  /** Largest JSON body, in bytes (413 `REQUEST_TOO_LARGE` over it). Default 1 MiB. */
  maxJsonBytes?: number;
  /**
   * The host's own authentication, tried first: return a verified user context (`trustUserContext`)
   * or `undefined` to fall back to the Security Guard.
   */
  authenticate?: HttpAuthenticator;
  /** `info` of the OpenAPI document. Default `{ title: 'Platform API', version: '1.0.0' }`. */
  info?: { title: string; version: string };
  /** Prefix of problem `type` URIs. Default `urn:platform:problem:`. */
  problemTypeBase?: string;
  /** The event types `/events` and `/ws` stream. Default `[JourneyProgressEvent]`. */
  eventTypes?: readonly AnyEventType[];
  /** The permission needed to follow live events. Default `journeys:read`. */
  eventsPermission?: string;
  /** Milliseconds between keep-alive comments on `/events`. Default 15 000. */
  heartbeatMs?: number;
  /**
   * Fetch handlers served at exact paths, before the services' APIs, inside the same trace and
   * problem handling: e.g. `{ '/mcp': mcpHttpHandler(platform) }` from `@platform/smart-city/mcp`.
   * They authenticate their callers themselves.
   */
  mount?: Readonly<Record<string, (request: Request) => Response | Promise<Response>>>;
}

/** The front door: a fetch handler, the Hono app, and a Node server. */
export interface HttpApp {
  /** Answers one request (the app's fetch handler, for tests and fetch-based hosts). */
  fetch(request: Request): Promise<Response>;
  /** The Hono app, for hosts that mount it (`host.route('/api', front.app)`) or add middleware. */
  readonly app: Hono;
  /**
   * Serves the app over HTTP with `@hono/node-server` (WebSockets at `/ws` when the `ws` package is
   * installed). Default hostname `127.0.0.1`; default port 0 (a free port: read `url`).
   */
  serve(options?: ServeOptions): Promise<HttpServer>;
}

const GATEWAY_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
const OWN_ROUTES = new Set(['/openapi.json', '/healthz', '/readyz', '/events', '/ws']);
const DEFAULT_UPLOAD_BYTES = 100 * 1024 * 1024;

function isJson(mediaType: string): boolean {
  return mediaType === 'application/json' || /^application\/[a-z0-9.+-]+\+json\b/.test(mediaType);
}

function hasBody(request: Request): boolean {
  const length = request.headers.get('content-length');
  return request.headers.has('transfer-encoding') || (length !== null && length.trim() !== '0');
}

function httpMajorVersion(c: Context): number | undefined {
  return (c.env as { incoming?: { httpVersionMajor?: number } } | undefined)?.incoming?.httpVersionMajor;
}

function json(value: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(value), {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
  });
}

function methodNotAllowed(method: string, allowed: readonly string[]): PlatformError {
  return new PlatformError(
    'METHOD_NOT_ALLOWED',
    `${method.slice(0, 20)} is not allowed here; use ${allowed.join(', ')}`,
    {
      details: { allowed },
    },
  );
}

// The methods the running services' APIs accept at a path, matched as the API Gateway matches.
function allowedMethods(platform: Platform, path: string): string[] {
  const segments = path.split('/');
  const allowed = new Set<string>();
  for (const service of platform.curator.find({ status: 'running' })) {
    for (const api of service.apis ?? []) {
      const parts = api.path.split('/');
      if (parts.length !== segments.length) continue;
      const fits = parts.every((part, index) =>
        /^\{[^}]+\}$/.test(part) ? segments[index] !== '' : part === segments[index],
      );
      if (fits) allowed.add(api.method);
    }
  }
  return [...allowed].sort();
}

// The rate-limit headers of an envelope (IETF draft `RateLimit-*`) and `Retry-After` on refusal.
function rateLimitHeaders(envelope: RouteEnvelope): Record<string, string> {
  const decision = envelope.rateLimit;
  if (!decision || decision.limit === undefined) return {};
  const headers: Record<string, string> = {
    'ratelimit-limit': String(decision.limit),
    'ratelimit-remaining': String(Math.max(0, decision.remaining)),
    'ratelimit-reset': String(Math.max(0, Math.ceil((decision.resetMs ?? 0) / 1000))),
  };
  if (!decision.allowed) headers['retry-after'] = String(Math.max(1, Math.ceil((decision.retryAfterMs ?? 0) / 1000)));
  return headers;
}

function successResponse(
  api: SoaApiDefinition,
  result: unknown,
  headers: Record<string, string>,
  method: string,
): Response {
  const status = api.response?.status ?? 200;
  if (api.response?.body === 'file' && isFileDownload(result)) {
    try {
      return downloadResponse(result, { status, method, headers });
    } catch (error) {
      // The handler opened the file: it is closed before the failure is answered.
      void result.data[Symbol.asyncIterator]().return?.();
      throw error;
    }
  }
  const mediaType = api.response?.mediaType ?? 'application/json';
  const out: Record<string, string> = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers };
  if (status === 204 || status === 205 || status === 304) return new Response(null, { status, headers: out });
  out['content-type'] = mediaType;
  if (mediaType === 'application/json' || isJson(mediaType.split(';')[0]?.trim().toLowerCase() ?? '')) {
    return new Response(jsonText(result), { status, headers: out });
  }
  // A document a service rendered (an HTML report) runs no script and loads nothing from elsewhere.
  out['content-security-policy'] = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:";
  return new Response(typeof result === 'string' ? result : jsonText(result), { status, headers: out });
}

/**
 * The HTTP front door of a platform, on Hono. Every request goes one way: the caller's trace
 * continued (`traceparent` / `X-Trace-ID`, echoed on the response); the caller authenticated
 * (`Authorization: Bearer <jwt>`, `Authorization: ApiKey <key>` or `X-API-Key`, else 401 with
 * `WWW-Authenticate: Bearer`); the Communication Director (session, rate limit by tenant and route
 * template, permission, API Gateway); the answer with the API's status and media type and the
 * `RateLimit-*` headers. Errors are RFC 9457 problem details with the stable code and the trace
 * id ({@link PROBLEM_STATUS}). Uploads (`body: 'file'` APIs) are streamed to the service, never
 * buffered. Also: `GET /openapi.json`, `/healthz`, `/readyz` (no credential needed), and live
 * journey progress of the caller's tenant at `GET /events` (Server-Sent Events) and `/ws`.
 *
 * Roles are looked up per request, so the app may be made before `platform.start()`.
 *
 * @example
 * ```ts
 * const platform = createPlatform({ modules: dataMashModules({ roles: [securityGuard({ jwksUrl, issuer, audience }),
 *   trafficCop({ limits: { perTenant: { limit: 600, windowMs: 60_000 } } }), apiGateway(), communicationDirector(), postOffice()] }) });
 * await platform.start();
 * const server = await createHttpApp(platform).serve({ port: 8080 });
 * ```
 */
export function createHttpApp(platform: Platform, options: HttpAppOptions = {}): HttpApp {
  const app = new Hono();
  const liveStreams = new Set<() => void>();
  const eventsPermission = options.eventsPermission ?? 'journeys:read';
  const maxJsonBytes = options.maxJsonBytes ?? 1024 * 1024;

  // Responses made with the trace headers already in their init: nothing to add to them, so their
  // headers are never read back (on @hono/node-server that keeps the response on its fast path).
  const traced = new WeakSet<Response>();

  // One way for every request: the trace, a span, problems for every failure, trace headers out.
  const handle = (
    c: Context,
    run: (request: Request, url: URL, traceHeaders: Readonly<Record<string, string>>) => Promise<Response>,
  ): Promise<Response> => {
    const request = c.req.raw;
    const url = new URL(request.url);
    return continueTrace({ headers: request.headers }, (traceId) =>
      withSpan('http.request', { 'http.request.method': request.method.slice(0, 20) }, async (span) => {
        // The caller's sampling decision goes back as it came (`-00` stays `-00`).
        const trace = { traceId, spanId: currentSpanId() ?? generateSpanId(), sampled: currentTraceSampled() ?? true };
        const traceHeaders = injectTraceHeaders({} as Record<string, string>, trace);
        let response: Response;
        try {
          response = await run(request, url, traceHeaders);
        } catch (error) {
          response = problemFor(error, url.pathname, traceId);
        }
        span.setAttribute('http.response.status_code', response.status);
        if (!traced.has(response)) injectTraceHeaders(response.headers, trace);
        // Refused before its body was read (or while reading it): the client may still be sending,
        // so the connection is not reused for another request (HTTP/1.1 only; HTTP/2 forbids the header).
        if (response.status >= 400 && hasBody(request) && httpMajorVersion(c) === 1) {
          response.headers.set('connection', 'close');
        }
        return response;
      }),
    );
  };

  const problemFor = (error: unknown, path: string, traceId: string, headers: Record<string, string> = {}) => {
    const problem = toProblem(error, {
      instance: path.slice(0, 2048),
      traceId,
      ...(options.problemTypeBase ? { typeBase: options.problemTypeBase } : {}),
    });
    const extra: Record<string, string> = { ...headers };
    if (problem.status === 401) {
      const reason = (error as { details?: { reason?: unknown } } | undefined)?.details?.reason;
      extra['www-authenticate'] = authenticateChallenge(reason);
    }
    if (problem.code === 'METHOD_NOT_ALLOWED') {
      const allowed = (error as { details?: { allowed?: unknown } }).details?.allowed;
      if (Array.isArray(allowed)) extra.allow = allowed.join(', ');
    }
    if (problem.code === 'UPGRADE_REQUIRED') {
      extra.upgrade = 'websocket';
      extra.connection = 'Upgrade';
    }
    return problemResponse(problem, extra);
  };

  const maxUploadBytes = () =>
    options.maxUploadBytes ?? optionalRole(platform, ContentStewardRef)?.maxSizeBytes ?? DEFAULT_UPLOAD_BYTES;

  app.get('/healthz', (c) => handle(c, async () => json({ status: 'ok' })));

  app.get('/readyz', (c) =>
    handle(c, async () => {
      if (platform.state !== 'running') return json({ status: 'unavailable', state: platform.state }, 503);
      const health = await platform.health();
      const services = Object.fromEntries(
        Object.entries(health.services).map(([id, entry]) => [id, { status: entry.status, optional: entry.optional }]),
      );
      return json(
        { status: health.status, checkedAt: health.checkedAt, services },
        health.status === 'unhealthy' ? 503 : 200,
      );
    }),
  );

  app.get('/openapi.json', (c) =>
    handle(c, async () =>
      json(
        frontDoorOpenApi(platform.curator.find({ status: 'running' }), {
          info: options.info ?? { title: 'Platform API', version: '1.0.0' },
          eventsPermission,
        }),
        200,
        { 'cache-control': 'no-cache' },
      ),
    ),
  );

  eventRoutes(app, {
    platform,
    handle,
    liveStreams,
    eventTypes: options.eventTypes ?? [JourneyProgressEvent],
    eventsPermission,
    heartbeatMs: options.heartbeatMs ?? 15_000,
    ...(options.authenticate ? { authenticate: options.authenticate } : {}),
  });

  for (const [path, handler] of Object.entries(options.mount ?? {})) {
    if (!path.startsWith('/') || OWN_ROUTES.has(path)) {
      throw new TypeError(`createHttpApp: cannot mount at '${path}' (a path from /, not one of the front door's own)`);
    }
    app.all(path, (c) => handle(c, async (request) => handler(request)));
  }

  app.all('*', (c) =>
    handle(c, async (request, url, traceHeaders) => {
      // HEAD is GET without the body (the server drops the body of a HEAD answer).
      const method = request.method === 'HEAD' ? 'GET' : request.method;
      // Mounted under a prefix (`host.route('/api', front.app)`), the services' paths follow it.
      const prefix = routePath(c).replace(/\/?\*$/, '');
      if (!url.pathname.startsWith(prefix)) throw new PlatformError('NOT_FOUND', 'nothing is served here');
      const path = url.pathname.slice(prefix.length) || '/';
      if (OWN_ROUTES.has(path)) throw methodNotAllowed(method, ['GET', 'HEAD']);
      const user = await authenticateRequest(platform, request, {
        ...(options.authenticate ? { authenticate: options.authenticate } : {}),
      });
      if (!GATEWAY_METHODS.has(method)) {
        const allowed = allowedMethods(platform, path);
        throw allowed.length > 0
          ? methodNotAllowed(method, allowed)
          : new PlatformError('NOT_FOUND', `nothing is served at ${path.slice(0, 200)}`);
      }
      const endpoint = `${method} ${path}${url.search}`;
      let match: RouteMatch | undefined;
      try {
        match = locateRole(platform, ApiGatewayRef).match(endpoint);
      } catch (error) {
        // An unknown or malformed endpoint goes to the Communication Director all the same: it
        // answers it, and counts it against the caller's limit.
        if (!(error instanceof PlatformError) || error.code === 'SERVICE_UNAVAILABLE') throw error;
      }
      const body = match ? bodyOf(match.api) : 'none';
      let payload: Record<string, unknown> | undefined;
      if (body === 'file') {
        const file = uploadedFile(request, url, maxUploadBytes());
        // The query's `name` wins (the gateway lays the query over the payload); else the disposition's.
        payload = { file, ...(file.name === '' ? {} : { name: file.name }) };
      } else if (body === 'json') {
        payload = await jsonBody(request, maxJsonBytes);
      }
      const envelope = await locateRole(platform, CommunicationDirectorRef).routeRequest({
        endpoint,
        ...(payload === undefined ? {} : { payload }),
        // The request's trace is already the active one (continued by `handle`).
        userContext: user,
      });
      const headers = rateLimitHeaders(envelope);
      if (envelope.success) {
        const response = successResponse(
          envelope.api,
          envelope.result,
          { ...headers, ...traceHeaders },
          request.method,
        );
        traced.add(response);
        return response;
      }
      if (envelope.error.code === 'NOT_FOUND' && !match) {
        const allowed = allowedMethods(platform, path);
        if (allowed.length > 0)
          return problemFor(methodNotAllowed(method, allowed), url.pathname, envelope.traceId, headers);
      }
      return problemFor(envelope.error, url.pathname, envelope.traceId, headers);
    }),
  );

  // Only reached by a failure outside `handle` (a host's middleware): answered the same way.
  app.onError((error, c) => {
    const traceId = extractTraceId({ headers: c.req.raw.headers });
    const response = problemFor(error, new URL(c.req.url).pathname, traceId);
    injectTraceHeaders(response.headers, { traceId });
    return response;
  });

  return {
    app,
    fetch: async (request) => app.fetch(request),
    serve: (serveOptions = {}) => serveApp(app, liveStreams, serveOptions),
  };
}
