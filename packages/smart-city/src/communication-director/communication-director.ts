import { defineService, defineServiceRef, type SerializedPlatformError, serializeError } from '@platform/foundations';
import { extractTraceContext, runWithTraceContext } from '@platform/observability';
import { z } from 'zod';
import { ApiGatewayRef, type RouteRequest } from '../api-gateway/api-gateway.js';
import { type RoleDeps, SmartCityRoleBase } from '../bases/smart-city-role-base.js';
import { defineEventType, PostOfficeRef } from '../post-office/post-office.js';
import { TrafficCopRef } from '../traffic-cop/traffic-cop.js';
import { parseUserContext } from '../user-context/user-context.js';

/** Published after every routed request. */
export const RequestRoutedEvent = defineEventType(
  'communication.request.routed',
  z.object({ endpoint: z.string(), service: z.string(), capability: z.string(), userId: z.string() }),
);

/** The answer of {@link CommunicationDirector.routeRequest}: never throws, always carries the trace id. */
export type RouteEnvelope =
  | { success: true; traceId: string; result: unknown }
  | { success: false; traceId: string; error: SerializedPlatformError };

/**
 * Communication Director: one client request through Traffic Cop (rate limits), API Gateway
 * (routing and contract checks) and Post Office (a routed event), as the seed's `route_request`,
 * answering with an envelope.
 */
export class CommunicationDirector extends SmartCityRoleBase<RoleDeps> {
  /** Routes a request; `headers` may carry the caller's `traceparent` / `X-Trace-ID`. */
  async routeRequest(
    request: RouteRequest & { headers?: Record<string, string | undefined>; traceId?: string },
  ): Promise<RouteEnvelope> {
    const incoming = extractTraceContext(request);
    return runWithTraceContext(incoming, () =>
      this.withSpan(
        'communication_director.route_request',
        { endpoint: String(request.endpoint).slice(0, 200) },
        async () => {
          try {
            const user = parseUserContext(request.userContext);
            await this.getSmartCityApi(TrafficCopRef).enforceRateLimit(user, String(request.endpoint));
            const routed = await this.getSmartCityApi(ApiGatewayRef).route(request);
            await this.getSmartCityApi(PostOfficeRef).publish(RequestRoutedEvent, user.tenantId, {
              endpoint: String(request.endpoint),
              service: routed.service,
              capability: routed.capability,
              userId: user.userId,
            });
            return { success: true as const, traceId: incoming.traceId, result: routed.result };
          } catch (error) {
            this.auditError(error, { operation: 'communication_director.route_request' });
            return { success: false as const, traceId: incoming.traceId, error: serializeError(error) };
          }
        },
      ),
    );
  }
}

/** The Communication Director role. */
export const CommunicationDirectorRef = defineServiceRef<CommunicationDirector>({
  id: 'smart-city.communication-director',
  tier: 'smart-city',
});

/** Defines the Communication Director service (it uses Traffic Cop, API Gateway and Post Office at run time). */
export function communicationDirector() {
  return defineService({
    ref: CommunicationDirectorRef,
    factory: (_deps, context) => new CommunicationDirector(context),
    description: {
      description: 'Routes client requests through rate limits, the API Gateway and events',
      tags: ['gateway'],
    },
  });
}
