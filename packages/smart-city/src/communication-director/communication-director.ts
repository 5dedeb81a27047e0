import {
  defineService,
  defineServiceRef,
  PlatformError,
  type SerializedPlatformError,
  type SoaApiDefinition,
  serializeError,
} from '@platform/foundations';
import { continueTrace, type ReadableHeaders } from '@platform/observability';
import { z } from 'zod';
import { ApiGatewayRef, type RouteMatch, type RouteRequest } from '../api-gateway/api-gateway.js';
import { type RoleDeps, SmartCityRoleBase } from '../bases/smart-city-role-base.js';
import { defineEventType, PostOfficeRef } from '../post-office/post-office.js';
import { type RateDecision, TrafficCopRef } from '../traffic-cop/traffic-cop.js';
import { requireVerifiedUserContext } from '../user-context/verified.js';

/** Published after every routed request. */
export const RequestRoutedEvent = defineEventType(
  'communication.request.routed',
  z.object({ endpoint: z.string(), service: z.string(), capability: z.string(), userId: z.string() }),
);

/** What the Communication Director routes: a request, the caller's trace headers, and the caller. */
export type DirectedRequest = RouteRequest & {
  /** The caller's headers; `traceparent` / `X-Trace-ID` continue the caller's trace. */
  headers?: ReadableHeaders;
  traceId?: string;
};

/**
 * The answer of {@link CommunicationDirector.routeRequest}: never throws, always carries the
 * trace id; `rateLimit` (when a limit applies) and `api` say how a transport should answer.
 */
export type RouteEnvelope =
  | {
      success: true;
      traceId: string;
      result: unknown;
      capability: string;
      api: SoaApiDefinition;
      rateLimit?: RateDecision;
    }
  | { success: false; traceId: string; error: SerializedPlatformError; rateLimit?: RateDecision };

// The Traffic Cop is optional: a platform without it has no limits and no sessions to check.
function optional<T>(locate: () => T): T | undefined {
  try {
    return locate();
  } catch (error) {
    if (error instanceof PlatformError && error.code === 'NOT_FOUND') return undefined;
    throw error;
  }
}

/**
 * Communication Director: every client request, whatever its transport, goes one way: the
 * caller's trace continued; the caller's verified identity required; the Traffic Cop's session
 * check and rate limit by tenant and route template (`GET /files/{fileId}`, so varying a path
 * parameter does not dodge it); the API Gateway (permission check, failing closed; contract
 * checks); a routed event from the Post Office. Answers with an envelope.
 */
export class CommunicationDirector extends SmartCityRoleBase<RoleDeps> {
  /** Routes a request; `headers` may carry the caller's `traceparent` / `X-Trace-ID`. */
  async routeRequest(request: DirectedRequest): Promise<RouteEnvelope> {
    return continueTrace(request, (traceId) =>
      this.withSpan(
        'communication_director.route_request',
        { endpoint: String(request.endpoint).split('?')[0]?.slice(0, 200) },
        async (span) => {
          let rateLimit: RateDecision | undefined;
          try {
            const user = requireVerifiedUserContext(request.userContext);
            const gateway = this.getSmartCityApi(ApiGatewayRef);
            let match: RouteMatch | undefined;
            let notFound: unknown;
            try {
              match = gateway.match(request.endpoint);
              span.setAttribute('http.route', match.api.path);
            } catch (error) {
              notFound = error;
            }
            const trafficCop = optional(() => this.getSmartCityApi(TrafficCopRef));
            if (trafficCop) {
              await trafficCop.enforceSession(user);
              // Unknown endpoints share one bucket, so probing for APIs counts against the limit too.
              rateLimit = await trafficCop.checkRateLimit(user, match?.template ?? '(no route)');
              if (!rateLimit.allowed) throw trafficCop.refusal(rateLimit, match?.template ?? '(no route)');
            }
            if (!match) throw notFound;
            const routed = await gateway.route(request, match);
            await this.getSmartCityApi(PostOfficeRef).publish(RequestRoutedEvent, user.tenantId, {
              endpoint: match.template,
              service: routed.service,
              capability: routed.capability,
              userId: user.userId,
            });
            return {
              success: true as const,
              traceId,
              result: routed.result,
              capability: routed.capability,
              api: routed.api,
              ...(rateLimit ? { rateLimit } : {}),
            };
          } catch (error) {
            this.auditError(error, { operation: 'communication_director.route_request' });
            return {
              success: false as const,
              traceId,
              error: serializeError(error),
              ...(rateLimit ? { rateLimit } : {}),
            };
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

const COMMUNICATION_DIRECTOR_SERVICE = defineService({
  ref: CommunicationDirectorRef,
  factory: (_deps, context) => new CommunicationDirector(context),
  description: {
    description: 'Routes client requests through sessions, rate limits, permissions, the API Gateway and events',
    tags: ['gateway'],
  },
});

/**
 * Defines the Communication Director service (it uses the API Gateway and the Post Office, and the
 * Traffic Cop when there is one, at run time). It takes no options, so every call gives the same definition: several modules may list it and
 * the platform runs it once.
 */
export function communicationDirector() {
  return COMMUNICATION_DIRECTOR_SERVICE;
}
