// The front door's REST API and live events, as the console calls them. Every call carries the
// caller's bearer token; every failure is an ApiError with the problem's stable code.

/** A refused or failed request: the RFC 9457 problem the front door answered. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly traceId?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type JourneyStatus = 'pending' | 'running' | 'completed' | 'failed';
export type MilestoneStatus = JourneyStatus | 'skipped';

export interface Milestone {
  name: string;
  status: MilestoneStatus;
  startedAt?: string;
  completedAt?: string;
  result?: Record<string, string | number | boolean>;
  error?: { code: string; message: string };
  /** How many times its step ran, when it was retried. */
  attempts?: number;
}

export interface Journey {
  tenantId: string;
  id: string;
  template: string;
  status: JourneyStatus;
  /** What the journey is about (the data mash: its file's name), when it was recorded. */
  label?: string;
  traceId?: string;
  milestones: Milestone[];
  context: { outputs?: Record<string, Record<string, unknown> | undefined>; [key: string]: unknown };
  error?: { code: string; message: string };
  createdAt: string;
  updatedAt: string;
  completedAt?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export interface Started {
  journeyId: string;
  traceId?: string;
  status: 'running' | 'completed' | 'failed';
  run?: string;
}

/** One live event of `/ws`: a journey's milestone moved. */
export interface JourneyProgress {
  journeyId: string;
  milestone: string;
  status: 'started' | 'completed' | 'failed' | 'retried';
  at: string;
  attempt?: number;
  error?: { code: string; message: string };
}

export interface SearchHit {
  contentId: string;
  kind: string;
  ref?: unknown;
  text?: string;
  /** The file the content comes from, named (when the API knows it). */
  file?: { id: string; name?: string; journeyId?: string };
  score: number;
  foundBy: string[];
  metadata?: Record<string, unknown>;
}

/** One finished span of a journey's trace (`GET /journeys/{id}/trace`). */
export interface TraceSpan {
  spanId: string;
  parentSpanId?: string;
  name: string;
  startMs: number;
  durationMs: number;
  status: 'ok' | 'error' | 'unset';
  attributes: Record<string, unknown>;
  events?: Array<{ name: string; timeMs: number; attributes?: Record<string, unknown> }>;
}

export interface JourneyTrace {
  traceId?: string;
  /** False when the server holds no spans of this trace (it ran elsewhere, or long ago). */
  recorded: boolean;
  spans: TraceSpan[];
}

export interface LineageNode {
  id: string;
  kind: string;
  label: string;
  ref: { kind: string; id: string };
}

export interface LineageEdge {
  from: string;
  to: string;
  job: string;
  relation: string;
  runId?: string;
  state?: 'START' | 'COMPLETE' | 'FAIL' | 'ABORT';
}

export interface JourneyLineage {
  journeyId: string;
  nodes: LineageNode[];
  edges: LineageEdge[];
  runs: Array<{ runId: string; job: string; attempt: number; state: 'START' | 'COMPLETE' | 'FAIL' | 'ABORT' }>;
}

export interface GovernanceRecord {
  id: string;
  seq?: number;
  kind: string;
  subject: { kind: string; id: string };
  action?: string;
  decision?: 'allow' | 'deny';
  actor?: string;
  createdAt: string;
  traceId?: string;
  details: Record<string, unknown>;
}

export interface JourneyGovernance {
  journeyId: string;
  records: GovernanceRecord[];
  truncated: boolean;
}

async function problemOf(response: Response): Promise<ApiError> {
  let body: Record<string, unknown> = {};
  try {
    body = (await response.json()) as Record<string, unknown>;
  } catch {
    // Not a problem document (a proxy's page): the status says enough.
  }
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return new ApiError(
    response.status,
    text(body.code) ?? `HTTP_${response.status}`,
    text(body.detail) ?? text(body.title) ?? response.statusText,
    text(body.traceId) ?? response.headers.get('x-trace-id') ?? undefined,
    body.details && typeof body.details === 'object' ? (body.details as Record<string, unknown>) : undefined,
  );
}

/** The file name of a `Content-Disposition` header: `filename*` (UTF-8) first, else `filename`. */
export function attachmentName(disposition: string | null): string | undefined {
  if (!disposition) return undefined;
  const encoded = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(disposition)?.[1];
  if (encoded) {
    try {
      return decodeURIComponent(encoded.trim());
    } catch {
      // A malformed escape: the plain name follows.
    }
  }
  return /filename\s*=\s*"([^"]*)"/i.exec(disposition)?.[1];
}

/** The API, relative to the page (the console is served beside it). */
export class Api {
  /**
   * @param onUnauthorized called when the server refuses the token (401: expired, revoked, or
   *   for another server): the console then asks to sign in again.
   */
  constructor(
    private readonly token: string,
    private readonly onUnauthorized: () => void = () => undefined,
    private readonly base = new URL('./', location.href),
  ) {}

  async #request(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(new URL(path.replace(/^\//, ''), this.base), {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (response.status === 401) this.onUnauthorized();
    if (!response.ok) throw await problemOf(response);
    return response;
  }

  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await (await this.#request(method, path, body)).json()) as T;
  }

  async text(path: string): Promise<string> {
    return (await this.#request('GET', path)).text();
  }

  /**
   * A file the API answers as an attachment, with the name its `Content-Disposition` gives
   * (`filename*` first). Read whole: a console download is a table export or a report.
   */
  async download(path: string): Promise<{ blob: Blob; name: string }> {
    const response = await this.#request('GET', path);
    return {
      blob: await response.blob(),
      name: attachmentName(response.headers.get('content-disposition')) ?? 'download',
    };
  }

  listJourneys(options: {
    status?: JourneyStatus;
    file?: string;
    cursor?: string;
    limit?: number;
  }): Promise<Page<Journey>> {
    const query = new URLSearchParams();
    if (options.status) query.set('status', options.status);
    if (options.file) query.set('file', options.file);
    if (options.cursor) query.set('cursor', options.cursor);
    query.set('limit', String(options.limit ?? 50));
    return this.json('GET', `/journeys?${query}`);
  }

  getJourney(journeyId: string): Promise<{ journey: Journey; phases: Record<string, unknown> }> {
    return this.json('GET', `/journeys/${encodeURIComponent(journeyId)}`);
  }

  /** The lineage graph, the governance records or the trace of a journey. */
  journeyView(journeyId: string, view: 'lineage'): Promise<JourneyLineage>;
  journeyView(journeyId: string, view: 'governance'): Promise<JourneyGovernance>;
  journeyView(journeyId: string, view: 'trace'): Promise<JourneyTrace>;
  journeyView(journeyId: string, view: 'lineage' | 'governance' | 'trace'): Promise<unknown> {
    return this.json('GET', `/journeys/${encodeURIComponent(journeyId)}/${view}`);
  }

  startFlow(fileId: string): Promise<Started> {
    return this.json('POST', '/journeys', { fileId });
  }

  search(q: string, limit = 20): Promise<{ hits: SearchHit[] }> {
    return this.json('GET', `/search?${new URLSearchParams({ q, limit: String(limit) })}`);
  }

  /**
   * Uploads one file (`POST /files`), reporting the bytes sent: XMLHttpRequest, since fetch
   * reports no upload progress. Resolves with the started journey; rejects with the problem.
   */
  upload(file: File, onProgress: (sent: number, total: number) => void, signal?: AbortSignal): Promise<Started> {
    return new Promise((resolve, reject) => {
      const request = new XMLHttpRequest();
      request.open('POST', new URL(`files?${new URLSearchParams({ name: file.name })}`, this.base));
      request.setRequestHeader('authorization', `Bearer ${this.token}`);
      request.setRequestHeader('content-type', file.type || 'application/octet-stream');
      request.upload.onprogress = (event) => onProgress(event.loaded, event.lengthComputable ? event.total : file.size);
      request.onload = () => {
        const response = new Response(request.responseText, {
          status: request.status,
          headers: { 'content-type': request.getResponseHeader('content-type') ?? '' },
        });
        if (request.status === 401) this.onUnauthorized();
        if (request.status >= 200 && request.status < 300) void response.json().then(resolve, reject);
        else void problemOf(response).then(reject, reject);
      };
      request.onerror = () => reject(new ApiError(0, 'NETWORK_ERROR', 'the server could not be reached'));
      request.onabort = () => reject(new ApiError(0, 'ABORTED', 'the upload was cancelled'));
      signal?.addEventListener('abort', () => request.abort(), { once: true });
      request.send(file);
    });
  }
}

/**
 * The caller's tenant's live journey progress over `/ws` (the token as the `bearer` subprotocol:
 * browsers cannot set headers on a WebSocket), reconnecting with backoff while anyone listens.
 */
export class LiveEvents {
  readonly #listeners = new Set<(event: JourneyProgress) => void>();
  readonly #stateListeners = new Set<(connected: boolean) => void>();
  #socket: WebSocket | undefined;
  #retryMs = 500;
  #closed = false;
  connected = false;

  constructor(private readonly token: string) {}

  subscribe(listener: (event: JourneyProgress) => void): () => void {
    this.#listeners.add(listener);
    this.#connect();
    return () => this.#listeners.delete(listener);
  }

  onConnection(listener: (connected: boolean) => void): () => void {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }

  close(): void {
    this.#closed = true;
    this.#socket?.close();
  }

  #setConnected(connected: boolean) {
    this.connected = connected;
    for (const listener of this.#stateListeners) listener(connected);
  }

  #connect() {
    if (this.#socket || this.#closed) return;
    const url = new URL('ws', new URL('./', location.href));
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(url, ['bearer', this.token]);
    this.#socket = socket;
    socket.onopen = () => {
      this.#retryMs = 500;
      this.#setConnected(true);
    };
    socket.onmessage = (message) => {
      try {
        const event = JSON.parse(String(message.data)) as { type?: string; payload?: JourneyProgress };
        if (event.type === 'journey.progress' && event.payload) {
          for (const listener of this.#listeners) listener(event.payload);
        }
      } catch {
        // Not an event (a keep-alive): nothing to do.
      }
    };
    socket.onclose = () => {
      this.#socket = undefined;
      this.#setConnected(false);
      if (this.#closed || this.#listeners.size === 0) return;
      setTimeout(() => this.#connect(), this.#retryMs);
      this.#retryMs = Math.min(this.#retryMs * 2, 15_000);
    };
  }
}
