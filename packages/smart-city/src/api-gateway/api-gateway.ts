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
import { parseUserContext } from '../user-context/user-context.js';

/** A request to route: `endpoint` is `"<METHOD> <path>"`, e.g. `"GET /files/f-1"`. */
export interface RouteRequest {
  endpoint: string;
  payload?: unknown;
  userContext: unknown;
}

/** What the API Gateway did with a request. */
export interface RoutedResult {
  result: unknown;
  service: string;
  capability: string;
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

function handlerName(api: SoaApiDefinition): string {
  if (api.handler) return api.handler;
  const last = api.capability.split('.').at(-1) ?? api.capability;
  return last.replace(/_([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
}

function matchPath(template: string, path: string): Record<string, string> | undefined {
  const names: string[] = [];
  const pattern = new RegExp(
    `^${template.replace(/[.+*?^$()[\]|\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_match, name: string) => {
      names.push(name);
      return '([^/]+)';
    })}$`,
  );
  const match = pattern.exec(path);
  if (!match) return undefined;
  return Object.fromEntries(names.map((name, index) => [name, decodeURIComponent(match[index + 1] as string)]));
}

function issues(error: { issues: Array<{ path: PropertyKey[]; message: string }> }): string[] {
  return error.issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`);
}

/**
 * API Gateway: routes `{ endpoint, payload, userContext }` to the service API registered in
 * Curator, validating the input against the capability's schema before the call and the output
 * after it.
 */
export class ApiGateway extends SmartCityRoleBase<RoleDeps & { curator: Curator }> {
  #find(
    method: string,
    path: string,
  ):
    | {
        service: ServiceRegistration;
        api: SoaApiDefinition;
        capability: CapabilityDefinition;
        params: Record<string, string>;
      }
    | undefined {
    for (const service of this.deps.curator.find({ status: 'running' })) {
      for (const api of service.apis ?? []) {
        if (api.method !== method) continue;
        const params = matchPath(api.path, path);
        const capability = service.capabilities?.find((candidate) => candidate.name === api.capability);
        if (params && capability) return { service, api, capability, params };
      }
    }
    return undefined;
  }

  /**
   * Routes one request.
   * @throws {PlatformError} `VALIDATION_FAILED` (malformed endpoint, user context or payload, with
   * every problem), `NOT_FOUND` (no API), `CONTRACT_VIOLATION` (the service's answer breaks the
   * capability's output schema, or it has no handler for the capability).
   */
  async route(request: RouteRequest): Promise<RoutedResult> {
    const user = parseUserContext(request.userContext);
    const [method = '', path = '', extra] = String(request.endpoint ?? '')
      .trim()
      .split(/\s+/);
    if (!METHODS.has(method) || !path.startsWith('/') || extra !== undefined || path.length > 2048) {
      throw new PlatformError(
        ErrorCode.VALIDATION_FAILED,
        `endpoint must be "<METHOD> /path", got "${String(request.endpoint).slice(0, 100)}"`,
        {
          details: { field: 'endpoint' },
        },
      );
    }
    const route = this.#find(method, path);
    if (!route)
      throw new PlatformError(ErrorCode.NOT_FOUND, `no API serves ${method} ${path}`, {
        details: { endpoint: `${method} ${path}` },
      });
    return this.withSpan(
      'api_gateway.route',
      { 'http.request.method': method, 'http.route': route.api.path, capability: route.capability.name },
      async () => {
        const payload = typeof request.payload === 'object' && request.payload !== null ? request.payload : {};
        const input = route.capability.input.safeParse({ ...payload, ...route.params });
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
        this.logOperation('api_gateway.route', true, {
          endpoint: `${method} ${route.api.path}`,
          service: route.service.id,
        });
        return { result: output.data, service: route.service.id, capability: route.capability.name };
      },
    );
  }
}

/** The API Gateway role. */
export const ApiGatewayRef = defineServiceRef<ApiGateway>({ id: 'smart-city.api-gateway', tier: 'smart-city' });

/** Defines the API Gateway service. */
export function apiGateway() {
  return defineService({
    ref: ApiGatewayRef,
    deps: { curator: CuratorRef },
    factory: ({ curator }, context) => new ApiGateway({ ...context, curator }),
    description: { description: 'Routes requests to service APIs registered in Curator', tags: ['gateway'] },
  });
}
