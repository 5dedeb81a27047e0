import { z } from 'zod';
import { defineEventType } from '../post-office/post-office.js';

/**
 * Published by the journey orchestrator at every milestone transition of a journey (a data mash
 * flow): the live progress the front door streams to clients (`GET /events`, `/ws`) of the
 * journey's tenant. Publish it with the Post Office, inside the journey's trace:
 *
 * @example
 * ```ts
 * await postOffice.publish(JourneyProgressEvent, tenantId, {
 *   journeyId, milestone: 'file_uploaded', status: 'completed', at: new Date().toISOString(),
 * });
 * ```
 *
 * This file imports neither Hono nor anything of the HTTP front door, so that the main entry can
 * re-export it for publishers.
 */
export const JourneyProgressEvent = defineEventType(
  'journey.progress',
  z.object({
    /** The journey (flow) id. */
    journeyId: z.string().min(1).max(200),
    /** The milestone (e.g. `file_uploaded`), or `journey` for the journey as a whole. */
    milestone: z.string().min(1).max(200),
    /** What happened to it. */
    status: z.enum(['started', 'completed', 'failed', 'retried']),
    /** When, as an ISO 8601 timestamp. */
    at: z.iso.datetime({ offset: true }),
    /** The attempt number, from 1, for `started`/`retried`/`failed`. */
    attempt: z.int().min(1).max(1000).optional(),
    /** The stable error code and a short message, for `failed` and `retried`. */
    error: z.object({ code: z.string().max(100), message: z.string().max(2000) }).optional(),
  }),
);

/** The payload of a {@link JourneyProgressEvent}. */
export type JourneyProgress = z.output<typeof JourneyProgressEvent.payload>;
