import type { JourneyRecord, MetadataStore } from '@platform/foundations';
import type { LeasedJourney } from './journey-lease.js';
import type { JourneyTemplate } from './template.js';

/** What the orchestrator keeps in a journey's context: the milestones' outputs and the run's lease. */
export type StoredContext = { outputs?: Record<string, unknown>; lease?: unknown };

/**
 * Creates the journey of `idempotencyKey` in the tenant, every milestone pending; when another run
 * created it first, answers with that one instead.
 */
export async function createJourneyRecord(
  store: MetadataStore,
  template: JourneyTemplate,
  request: {
    tenantId: string;
    idempotencyKey: string;
    traceId: string;
    about: Record<string, string | number | boolean> | undefined;
    label?: string | undefined;
  },
): Promise<JourneyRecord> {
  const { tenantId, idempotencyKey, traceId, about } = request;
  const label = labelOf(request.label);
  try {
    return await store.createJourney({
      tenantId,
      template: template.name,
      templateVersion: template.version,
      idempotencyKey,
      ...(label ? { label } : {}),
      traceId,
      milestones: template.milestones.map((milestone) => ({ name: milestone.id, status: 'pending' as const })),
      context: { outputs: {}, ...(about ? { about } : {}) },
    });
  } catch (error) {
    // Another run created it first: continue with that one.
    if ((error as { code?: string }).code !== 'CONFLICT') throw error;
    const existing = await store.findJourneyByIdempotencyKey(tenantId, template.name, idempotencyKey);
    if (!existing) throw error;
    return existing;
  }
}

/**
 * A journey's label as stored: NFC (a name typed on one system is found from another), cut
 * between whole characters to at most 500 UTF-16 units (the record's limit); `undefined` for none.
 */
export function labelOf(text: string | undefined): string | undefined {
  if (!text) return undefined;
  let label = '';
  for (const character of text.toWellFormed().normalize('NFC')) {
    if (label.length + character.length > 500) break;
    label += character;
  }
  return label.length > 0 ? label : undefined;
}

// One write through the lease: milestone changes, the journey's status, new outputs and the
// error; the lease is let go with the last write (completed or failed).
export function transitionJourney(
  leased: LeasedJourney,
  changes: Record<number, Partial<JourneyRecord['milestones'][number]>>,
  status: JourneyRecord['status'],
  outputs?: Record<string, unknown>,
  error?: { code: string; message: string },
): Promise<JourneyRecord> {
  return leased.update(
    (journey) => {
      const milestones = journey.milestones.map((entry, position) => {
        const change = changes[position];
        // A milestone starting again loses what its earlier attempt recorded (error, end time).
        if (change?.status === 'running')
          return { name: entry.name, status: change.status, startedAt: change.startedAt };
        return change ? { ...entry, ...change } : entry;
      });
      const context = journey.context as StoredContext;
      return {
        status,
        milestones,
        ...(outputs ? { context: { ...context, outputs: { ...(context.outputs ?? {}), ...outputs } } } : {}),
        // Running again (a resumed failure, an erased flow's bytes again): the old error is history.
        ...(error ? { error } : status !== 'failed' && journey.error ? { error: null } : {}),
        ...(status === 'completed' ? { completedAt: new Date() } : {}),
      };
    },
    { release: status === 'completed' || status === 'failed' },
  );
}
