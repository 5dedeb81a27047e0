import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { JourneyPatch, JourneyRecord, MetadataStore } from '@platform/foundations';

/**
 * Who runs a journey now, kept in the journey's context: one run at a time, in any process. A
 * run renews it while it works; another run waits while it is held by a live holder, and takes
 * it over once the holder is gone (its lease expired, or its process on this host ended).
 */
export interface JourneyLease {
  /** The run holding it. */
  owner: string;
  host: string;
  pid: number;
  /** ISO time after which the holder counts as gone, unless it renewed the lease. */
  expiresAt: string;
}

/** How long a lease lasts without renewal; renewed every third of it. */
export const DEFAULT_LEASE_MS = 60_000;

// Runs holding a lease in this process: a lease of this process's pid whose owner is not here
// belongs to a run that ended without releasing it (its last write failed).
const runningHere = new Set<string>();
const HOST = hostname();

/** The lease in a journey's context, if any. */
export function leaseOf(journey: JourneyRecord): JourneyLease | undefined {
  const lease = (journey.context as { lease?: unknown }).lease;
  if (!lease || typeof lease !== 'object') return undefined;
  const { owner, host, pid, expiresAt } = lease as Partial<JourneyLease>;
  if (typeof owner !== 'string' || typeof host !== 'string' || typeof pid !== 'number' || typeof expiresAt !== 'string')
    return undefined;
  return { owner, host, pid, expiresAt };
}

/** Whether the lease's holder may still be working: not expired and, on this host, its process alive. */
export function leaseHeld(lease: JourneyLease, now = Date.now()): boolean {
  if (Date.parse(lease.expiresAt) <= now) return false;
  if (lease.host !== HOST) return true;
  if (lease.pid === process.pid) return runningHere.has(lease.owner);
  try {
    process.kill(lease.pid, 0);
    return true;
  } catch (error) {
    // EPERM: a process of another user has that pid, so it is alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A journey held by this run: every write goes through {@link update}, one at a time, each on the
 * version the last one left, so the lease's renewal never races the run's own transitions.
 */
export class LeasedJourney {
  readonly owner: string;
  #current: JourneyRecord;
  #queue: Promise<unknown> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #ended = false;
  readonly #store: MetadataStore;
  readonly #leaseMs: number;

  private constructor(store: MetadataStore, journey: JourneyRecord, owner: string, leaseMs: number) {
    this.#store = store;
    this.#current = journey;
    this.owner = owner;
    this.#leaseMs = leaseMs;
  }

  /**
   * Takes the journey's lease, waiting while a live holder has it. Answers `settled` (and the
   * journey as it is) when the journey completed, or failed while this run waited for its holder:
   * the caller answers with that instead of running it again.
   */
  static async acquire(
    store: MetadataStore,
    journey: JourneyRecord,
    options: { leaseMs?: number; signal?: AbortSignal; onWait?: (holder: JourneyLease) => void } = {},
  ): Promise<{ leased: LeasedJourney } | { settled: JourneyRecord }> {
    const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    const owner = `run_${randomUUID()}`;
    let current = journey;
    let waitingSince: number | undefined;
    for (let pause = 20; ; pause = Math.min(pause * 2, 1_000)) {
      if (current.status === 'completed') return { settled: current };
      const lease = leaseOf(current);
      if (lease && leaseHeld(lease)) {
        if (waitingSince === undefined) {
          waitingSince = Date.now();
          options.onWait?.(lease);
        }
        await new Promise((resolve) => setTimeout(resolve, pause));
        options.signal?.throwIfAborted();
        current = await store.getJourney(current.tenantId, current.id);
        continue;
      }
      // The run this one waited for failed: answer with its failure rather than repeat it at once.
      // A failure from before the wait (a lease left behind) is retried like any failed journey.
      if (waitingSince !== undefined && current.status === 'failed' && current.updatedAt.getTime() >= waitingSince)
        return { settled: current };
      try {
        runningHere.add(owner);
        const claimed = await store.updateJourney(current.tenantId, current.id, current.version, {
          context: { ...current.context, lease: newLease(owner, leaseMs) },
        });
        const leased = new LeasedJourney(store, claimed, owner, leaseMs);
        leased.#renewEvery(leaseMs / 3);
        return { leased };
      } catch (error) {
        runningHere.delete(owner);
        // Another run claimed it between the read and the write: look again.
        if ((error as { code?: unknown }).code !== 'CONFLICT') throw error;
        current = await store.getJourney(current.tenantId, current.id);
      }
    }
  }

  /** The journey as this run last wrote it. */
  get current(): JourneyRecord {
    return this.#current;
  }

  /**
   * Writes `patch(current)` after every write before it. The lease is kept as it is, renewed
   * (`renew`), or cleared (`release`, with the run's last write).
   */
  update(
    patch: (journey: JourneyRecord) => JourneyPatch,
    options: { release?: boolean; renew?: boolean } = {},
  ): Promise<JourneyRecord> {
    const write = this.#queue.then(async () => {
      const journey = this.#current;
      // A renewal queued before the run ended must not put a lease back on a finished journey.
      if (options.renew && this.#ended) return journey;
      const change = patch(journey);
      const lease = options.release
        ? null
        : options.renew
          ? newLease(this.owner, this.#leaseMs)
          : (leaseOf(journey) ?? null);
      const context = { ...(change.context ?? journey.context), lease };
      this.#current = await this.#store.updateJourney(journey.tenantId, journey.id, journey.version, {
        ...change,
        context,
      });
      if (options.release) this.#ended = true;
      return this.#current;
    });
    this.#queue = write.catch(() => undefined);
    return write;
  }

  /**
   * Stops renewing and lets the lease go: it was cleared by the last write (`release`), or, when
   * that write failed, the next run of this process or another takes the journey over at once.
   */
  end(): void {
    this.#ended = true;
    clearInterval(this.#timer);
    runningHere.delete(this.owner);
  }

  #renewEvery(intervalMs: number): void {
    this.#timer = setInterval(() => {
      // A renewal that fails (the store down for a moment) is tried again at the next tick.
      this.update(() => ({}), { renew: true }).catch(() => undefined);
    }, intervalMs);
    // A run waiting on a slow step must not keep a host process alive on its own.
    this.#timer.unref();
  }
}

function newLease(owner: string, leaseMs: number): JourneyLease {
  return { owner, host: HOST, pid: process.pid, expiresAt: new Date(Date.now() + leaseMs).toISOString() };
}
