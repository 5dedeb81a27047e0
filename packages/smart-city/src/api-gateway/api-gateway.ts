import {
  type CapabilityDefinition,
  type Curator,
  CuratorRef,
  defineService,
  defineServiceRef,
  ErrorCode,
  PlatformError,
  type ServiceRef,
  type ServiceRegistration,
  type SoaApiDefinition,
} from '@platform/foundations';
import { type RoleDeps, SmartCityRoleBase } from '../bases/smart-city-role-base.js';
import { requireVerifiedUserContext } from '../user-context/verified.js';

/**
 * A request to route: `endpoint` is `"<METHOD> <path>"` with an optional query string, e.g.
 * `"GET /files/f-1"` or `"GET /journeys?status=failed&limit=20"`.
 */
export interface RouteRequest {
  endpoint: string;
  /** The JSON body, or for a `file` API the fields besides the query (`{ file }`). */
  payload?: unknown;
  /** A verified user context (see `requireVerifiedUserContext`). */
  userContext: unknown;
}

/** What the API Gateway did with a request. */
export interface RoutedResult {
  result: unknown;
  service: string;
  capability: string;
  /** The API that served it (its status and media type say how to answer). */
  api: SoaApiDefinition;
}

/** The API an endpoint names, found in Curator. */
export interface RouteMatch {
  service: ServiceRegistration;
  api: SoaApiDefinition;
  capability: CapabilityDefinition;
  /** `"<METHOD> <path template>"`, e.g. `GET /files/{fileId}`: what limits and logs count by. */
  template: string;
  /** Path parameters, decoded. */
  params: Record<string, string>;
  /** Query parameters; a repeated name gives an array. */
  query: Record<string, string | string[]>;
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
const MAX_ENDPOINT_LENGTH = 8192;

function handlerName(api: SoaApiDefinition): string {
  if (api.handler) return api.handler;
  const last = api.capability.split('.').at(-1) ?? api.capability;
  return last.replace(/_([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
}

function invalidEndpoint(endpoint: unknown, why: string): PlatformError {
  return new PlatformError(
    ErrorCode.VALIDATION_FAILED,
    `endpoint must be "<METHOD> /path[?query]" (${why}), got "${String(endpoint).slice(0, 100)}"`,
    { details: { field: 'endpoint' } },
  );
}

function decodeSegment(value: string, endpoint: unknown): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    throw invalidEndpoint(endpoint, 'a path segment is not valid percent-encoding');
  }
}

// One running API, its path template split once: literal segments, and `{name}` segments as names.
interface RouteEntry {
  readonly service: ServiceRegistration;
  readonly api: SoaApiDefinition;
  readonly capability: CapabilityDefinition | undefined;
  readonly template: string;
  /** Per segment: the literal it must equal, or the name of the parameter it gives. */
  readonly parts: ReadonlyArray<{ literal: string } | { param: string }>;
}

function compileRoute(service: ServiceRegistration, api: SoaApiDefinition): RouteEntry {
  return {
    service,
    api,
    capability: service.capabilities?.find((candidate) => candidate.name === api.capability),
    template: `${api.method} ${api.path}`,
    parts: api.path.split('/').map((part) => {
      const name = /^\{([^}]+)\}$/.exec(part)?.[1];
      return name === undefined ? { literal: part } : { param: name };
    }),
  };
}

function matchPath(
  route: RouteEntry,
  segments: readonly string[],
  endpoint: unknown,
): Record<string, string> | undefined {
  const parts = route.parts;
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let index = 0; index < parts.length; index += 1) {
    const part = parts[index] as RouteEntry['parts'][number];
    const segment = segments[index] as string;
    if ('literal' in part) {
      if (part.literal !== segment) return undefined;
    } else {
      if (segment === '') return undefined;
      params[part.param] = decodeSegment(segment, endpoint);
    }
  }
  return params;
}

function parseQuery(search: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(search)) {
    if (name === '__proto__' || name === 'constructor' || name === 'prototype') continue;
    const before = query[name];
    query[name] = before === undefined ? value : Array.isArray(before) ? [...before, value] : [before, value];
  }
  return query;
}

function issues(error: { issues: Array<{ path: PropertyKey[]; message: string }> }): string[] {
  return error.issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`);
}

/**
 * API Gateway: finds the service API registered in Curator for an endpoint, checks the caller's
 * permission for its capability (failing closed), validates the input against the capability's
 * schema before the call and the output after it.
 */
export class ApiGateway extends SmartCityRoleBase<RoleDeps & { curator: Curator }> {
  // The running services' APIs by method, in Curator's order, compiled once and dropped on every
  // registration event (a service registered, removed, started or stopped).
  #routes: Map<string, RouteEntry[]> | undefined;
  #following = true;
  readonly #unsubscribe: () => void;

  constructor(deps: RoleDeps & { curator: Curator }) {
    super(deps);
    this.#unsubscribe = deps.curator.subscribe(() => {
      this.#routes = undefined;
    });
  }

  /** Stops following Curator's registration events (later matches read Curator each time). */
  shutdown(): void {
    this.#unsubscribe();
    this.#following = false;
    this.#routes = undefined;
  }

  #routesFor(method: string): readonly RouteEntry[] {
    let routes = this.#routes;
    if (!routes) {
      routes = new Map();
      for (const service of this.deps.curator.find({ status: 'running' })) {
        for (const api of service.apis ?? []) {
          const list = routes.get(api.method) ?? [];
          list.push(compileRoute(service, api));
          routes.set(api.method, list);
        }
      }
      if (this.#following) this.#routes = routes;
    }
    return routes.get(method) ?? [];
  }

  /**
   * The API an endpoint names.
   * @throws {PlatformError} `VALIDATION_FAILED` for a malformed endpoint; `NOT_FOUND` when no
   * running service serves it.
   */
  match(endpoint: string): RouteMatch {
    const text = typeof endpoint === 'string' ? endpoint.trim() : '';
    if (text.length === 0 || text.length > MAX_ENDPOINT_LENGTH) throw invalidEndpoint(endpoint, 'empty or too long');
    const [method = '', target = '', extra] = text.split(/\s+/);
    if (!METHODS.has(method)) throw invalidEndpoint(endpoint, 'unknown method');
    if (!target.startsWith('/') || extra !== undefined) throw invalidEndpoint(endpoint, 'no path');
    const queryAt = target.indexOf('?');
    const path = queryAt === -1 ? target : target.slice(0, queryAt);
    const query = queryAt === -1 ? {} : parseQuery(target.slice(queryAt + 1));
    const segments = path.split('/');
    for (const route of this.#routesFor(method)) {
      const params = matchPath(route, segments, endpoint);
      if (params && route.capability) {
        return {
          service: route.service,
          api: route.api,
          capability: route.capability,
          params,
          query,
          template: route.template,
        };
      }
    }
    throw new PlatformError(ErrorCode.NOT_FOUND, `no API serves ${method} ${path.slice(0, 200)}`, {
      details: { endpoint: `${method} ${path.slice(0, 200)}` },
    });
  }

  /**
   * Routes one request (found with {@link match} unless given).
   * @throws {PlatformError} `AUTHENTICATION_FAILED` (unverified user context), `PERMISSION_DENIED`
   * (the capability's permission is not granted), `VALIDATION_FAILED` (malformed endpoint or
   * input, with every problem), `NOT_FOUND` (no API), `CONTRACT_VIOLATION` (the answer breaks the
   * capability's output schema, or the service has no handler for it).
   */
  async route(request: RouteRequest, found?: RouteMatch): Promise<RoutedResult> {
    const user = requireVerifiedUserContext(request.userContext);
    const route = found ?? this.match(request.endpoint);
    return this.withSpan(
      'api_gateway.route',
      { 'http.request.method': route.api.method, 'http.route': route.api.path, capability: route.capability.name },
      async () => {
        this.requirePermission(user, route.capability.permission ?? route.capability.name);
        const payload = typeof request.payload === 'object' && request.payload !== null ? request.payload : {};
        const input = route.capability.input.safeParse({ ...payload, ...route.query, ...route.params });
        if (!input.success) {
          throw new PlatformError(
            ErrorCode.VALIDATION_FAILED,
            `invalid input for '${route.capability.name}': ${issues(input.error).join('; ')}`,
            {
              details: { capability: route.capability.name, problems: issues(input.error) },
            },
          );
        }
        const instance = this.deps.locate({ id: route.service.id, tier: route.service.tier } as ServiceRef<
          Record<string, unknown>
        >);
        const method = handlerName(route.api);
        const handler = instance[method];
        if (typeof handler !== 'function') {
          throw new PlatformError(
            ErrorCode.CONTRACT_VIOLATION,
            `service '${route.service.id}' offers '${route.capability.name}' but has no method '${method}'`,
            {
              details: { service: route.service.id, capability: route.capability.name },
            },
          );
        }
        const result: unknown = await handler.call(instance, input.data, user);
        const output = route.capability.output.safeParse(result);
        if (!output.success) {
          throw new PlatformError(
            ErrorCode.CONTRACT_VIOLATION,
            `'${route.service.id}' answered '${route.capability.name}' outside its output schema: ${issues(output.error).join('; ')}`,
            {
              details: { service: route.service.id, capability: route.capability.name, problems: issues(output.error) },
            },
          );
        }
        this.logOperation('api_gateway.route', true, { endpoint: route.template, service: route.service.id });
        return {
          result: output.data,
          service: route.service.id,
          capability: route.capability.name,
          api: route.api,
        };
      },
    );
  }
}

/** The API Gateway role. */
export const ApiGatewayRef = defineServiceRef<ApiGateway>({ id: 'smart-city.api-gateway', tier: 'smart-city' });

const API_GATEWAY_SERVICE = defineService({
  ref: ApiGatewayRef,
  deps: { curator: CuratorRef },
  factory: ({ curator }, context) => new ApiGateway({ ...context, curator }),
  description: { description: 'Routes requests to service APIs registered in Curator', tags: ['gateway'] },
});

/**
 * Defines the API Gateway service. It takes no options, so every call gives the same definition: several modules may list it and
 * the platform runs it once.
 */
export function apiGateway() {
  return API_GATEWAY_SERVICE;
}
