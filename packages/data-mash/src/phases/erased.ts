import type { JourneyRecord } from '@platform/foundations';

/** The error code an erased flow's journey keeps (its file and everything derived were erased). */
export const ERASED_CODE = 'ERASED';

/** True when the journey is the tombstone of an erased flow. */
export function isErased(journey: Pick<JourneyRecord, 'error'>): boolean {
  return journey.error?.code === ERASED_CODE;
}
