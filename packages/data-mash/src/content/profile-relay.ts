import type { Worker } from 'node:worker_threads';
import { PlatformError } from '@platform/foundations';
import { workerFile } from '../insights/parallel/profile-file.js';
import { StreamedProfile, type StreamProfileTask } from '../insights/parallel/stream-profile.js';
import { startWorker } from '../insights/parallel/worker-flags.js';
import { TableProfiler, type TableProfilerState } from '../insights/table-profiler.js';

/** Input held before a worker is worth starting: smaller files are profiled on this thread. */
const THRESHOLD_BYTES = 16 * 1024 * 1024;
/** Input sent to the worker and not yet taken by it, past which the parser waits. */
const MAX_IN_FLIGHT_BYTES = 8 * 1024 * 1024;
/** Rows of the general parser sent at a time, and the bytes each counts for in flight. */
const ROW_BATCH = 1000;
const ROW_WEIGHT = 128;

type Reply =
  | { taken: number; rows?: number }
  | { ok: true; state: TableProfilerState }
  | { ok: false; code: string; message: string };

/**
 * Profiles a CSV/TSV table on a worker thread while this thread parses and stores it: the parser
 * hands over the file's chunks as its byte scan gets them, then the rows its general parser reads
 * after the scan stopped (if it did), and the worker ({@link StreamedProfile}) profiles the same
 * rows in the same order. The worker starts once 16 MiB came (what came so far is held until
 * then); a smaller file, or one where no worker can start, is profiled on this thread at the end.
 * Either way the profile is the one this thread would have made.
 */
export class ProfileRelay {
  readonly #task: StreamProfileTask;
  readonly #threads: boolean;
  #held: Array<Uint8Array | string[][]> = [];
  #heldBytes = 0;
  #worker: Worker | undefined;
  #local: StreamedProfile | undefined;
  #inFlight = 0;
  #waiters: Array<() => void> = [];
  #failure: unknown;
  #state: Promise<TableProfilerState> | undefined;
  #batch: string[][] = [];
  /** Rows given as values (read by the general parser). */
  valueRows = 0;

  constructor(task: StreamProfileTask, threads: boolean) {
    this.#task = task;
    this.#threads = threads;
  }

  /** A chunk of the file as the byte scan got it (copied: the caller's buffer may be reused). */
  chunk(chunk: Uint8Array): undefined | Promise<void> {
    const copy = Uint8Array.prototype.slice.call(chunk) as Uint8Array;
    return this.#send(copy, copy.byteLength);
  }

  /** A row the general parser read (after the byte scan stopped). */
  values(values: readonly unknown[]): undefined | Promise<void> {
    this.valueRows += 1;
    // The general parser's values are text; the array is its own, so copied.
    this.#batch.push([...values] as string[]);
    if (this.#batch.length < ROW_BATCH) return undefined;
    const rows = this.#batch;
    this.#batch = [];
    return this.#send(rows, rows.length * ROW_WEIGHT);
  }

  #send(item: Uint8Array | string[][], bytes: number): undefined | Promise<void> {
    if (this.#failure) throw this.#failure;
    if (!this.#worker && !this.#local) {
      this.#held.push(item);
      this.#heldBytes += bytes;
      if (this.#heldBytes >= THRESHOLD_BYTES) this.#start();
      return undefined;
    }
    this.#deliver(item, bytes);
    if (this.#inFlight <= MAX_IN_FLIGHT_BYTES) return undefined;
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #deliver(item: Uint8Array | string[][], bytes: number): void {
    const local = this.#local;
    if (local) {
      if (item instanceof Uint8Array) local.push(item);
      else
        local.values(item).catch((error: unknown) => {
          this.#failure ??= error;
        });
      return;
    }
    this.#inFlight += bytes;
    if (item instanceof Uint8Array) this.#worker?.postMessage({ chunk: item }, [item.buffer as ArrayBuffer]);
    else this.#worker?.postMessage({ rows: item });
  }

  #start(): void {
    let worker: Worker | undefined;
    if (this.#threads) {
      try {
        worker = startWorker(workerFile(), {
          workerData: this.#task,
          // As profileDelimitedFile's workers: a small young generation keeps the peak RSS down.
          resourceLimits: { maxYoungGenerationSizeMb: 16 },
        });
      } catch {
        // Not built (sources without a build) or no threads: this thread profiles.
      }
    }
    if (worker) this.#listen(worker);
    else this.#local = new StreamedProfile(this.#task);
    const held = this.#held;
    this.#held = [];
    for (const item of held)
      this.#deliver(item, item instanceof Uint8Array ? item.byteLength : item.length * ROW_WEIGHT);
  }

  #listen(worker: Worker): void {
    this.#worker = worker;
    this.#state = new Promise((resolve, reject) => {
      const failed = (error: unknown) => {
        this.#failure ??= error;
        reject(error);
        this.#release(true);
      };
      worker.on('message', (reply: Reply) => {
        if ('taken' in reply) {
          this.#inFlight -= reply.rows === undefined ? reply.taken : reply.rows * ROW_WEIGHT;
          this.#release(false);
        } else if (reply.ok) resolve(reply.state);
        else failed(new PlatformError(reply.code, reply.message));
      });
      worker.on('error', failed);
      worker.on('exit', (code) =>
        failed(new PlatformError('INTERNAL', `the profiling worker exited with code ${code}`)),
      );
    });
    this.#state.catch(() => undefined);
  }

  #release(all: boolean): void {
    if (!all && this.#inFlight > MAX_IN_FLIGHT_BYTES) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  /**
   * The profile of every row handed over: `scannedRows` rows read by the byte scan (a check), then
   * the rows given as values. Rows are numbered as the profiler's own (see numberRowsFrom).
   */
  async finish(columns: readonly string[], scannedRows: number): Promise<TableProfiler> {
    if (this.#failure) throw this.#failure;
    const rows = this.#batch;
    this.#batch = [];
    if (rows.length > 0) {
      if (!this.#worker && !this.#local) this.#held.push(rows);
      else this.#deliver(rows, rows.length * ROW_WEIGHT);
    }
    if (!this.#worker && !this.#local) {
      this.#local = new StreamedProfile(this.#task);
      for (const item of this.#held) this.#deliver(item, 0);
      this.#held = [];
    }
    const local = this.#local;
    if (local) return local.end(columns, scannedRows);
    const worker = this.#worker as Worker;
    worker.postMessage({ end: true, columns: [...columns], scannedRows });
    try {
      const state = await (this.#state as Promise<TableProfilerState>);
      // The worker's profile, taken on by an empty one: counts, sketches and samples as they are.
      const profiler = new TableProfiler(columns, this.#task.profiler);
      profiler.merge(state);
      return profiler;
    } finally {
      worker.removeAllListeners('exit');
      void worker.terminate();
    }
  }

  /** Gives up: the worker stops. */
  abort(): void {
    this.#worker?.removeAllListeners('exit');
    void this.#worker?.terminate();
  }
}
