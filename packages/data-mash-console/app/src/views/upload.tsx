import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type Journey, type JourneyProgress } from '../api.js';
import { StatusBadge } from '../components/status.js';
import { useConsole } from '../context.js';
import { formatBytes, milestoneLabel } from '../format.js';
import { href } from '../router.js';

/** The data mash flow's milestones, in order (what each upload's row shows). */
export const FLOW_MILESTONES = ['file_uploaded', 'file_parsed', 'semantic_processed', 'insights_generated'];

interface Upload {
  key: number;
  name: string;
  size: number;
  sent: number;
  /** Where the request is; once accepted, the journey's state is folded from its events. */
  request: 'sending' | 'accepted' | 'refused';
  journeyId?: string;
  /** What the answer (and a read of the journey) said, before the events that follow. */
  base?: Shown;
  error?: { code: string; message: string; traceId?: string };
  /** The same bytes were ingested before: the answer is that earlier journey. */
  reused?: boolean;
  /** Why the journey could not be read (its progress is then unknown, not failed). */
  progressError?: { code: string; message: string } | undefined;
}

interface Shown {
  state: 'running' | 'completed' | 'failed';
  milestones: Record<string, JourneyProgress['status']>;
  error?: { code: string; message: string };
  /** The time of the journey read this comes from: events up to it are in it already. */
  asOf?: number;
}

let nextKey = 1;
// Journeys whose events are kept for the uploads on this page: enough for a large drop.
const KEPT_JOURNEYS = 500;

function applyProgress(shown: Shown, event: JourneyProgress): Shown {
  if (event.milestone === 'journey') {
    if (event.status === 'completed') return { ...shown, state: 'completed' };
    if (event.status === 'failed') return { ...shown, state: 'failed', ...(event.error ? { error: event.error } : {}) };
    return shown;
  }
  const milestones = { ...shown.milestones, [event.milestone]: event.status };
  return { ...shown, milestones, ...(event.status === 'failed' && event.error ? { error: event.error } : {}) };
}

function shownOf(upload: Upload, events: readonly JourneyProgress[]): Shown | undefined {
  if (upload.request !== 'accepted' || !upload.base) return undefined;
  const asOf = upload.base.asOf;
  const later = asOf === undefined ? events : events.filter((event) => Date.parse(event.at) > asOf);
  const shown = later.reduce(applyProgress, upload.base);
  // A server that does not announce the journey's end: its milestones tell it.
  if (shown.state === 'running') {
    const statuses = FLOW_MILESTONES.map((name) => shown.milestones[name]);
    if (statuses.every((status) => status === 'completed')) return { ...shown, state: 'completed' };
    if (statuses.includes('failed')) return { ...shown, state: 'failed' };
  }
  return shown;
}

/** What a read of the journey says, as the base its later events are folded onto. */
function shownOfJourney(journey: Journey): Shown {
  const milestones: Shown['milestones'] = {};
  for (const milestone of journey.milestones) {
    if (milestone.status === 'completed' || milestone.status === 'failed')
      milestones[milestone.name] = milestone.status;
    else if (milestone.status === 'running') milestones[milestone.name] = 'started';
  }
  return {
    state: journey.status === 'completed' || journey.status === 'failed' ? journey.status : 'running',
    milestones,
    asOf: Date.parse(journey.updatedAt),
    ...(journey.error ? { error: journey.error } : {}),
  };
}

// While a flow runs, its journey is read again this often: the live events may have missed a step
// (a dropped connection), and a read is the truth.
const RESYNC_MS = 15_000;

/** Drop or pick files; each is uploaded and its flow followed live, milestone by milestone. */
export function UploadPanel() {
  const { api, live } = useConsole();
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [dragging, setDragging] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  // The events of this page's uploads, by journey, kept outside the state: an event may come
  // before the upload's answer names its journey, and is applied once it does (events are facts,
  // folded in order). Events of journeys no upload here names are kept only briefly.
  const events = useRef(new Map<string, JourneyProgress[]>());
  const mine = useRef(new Set<string>());
  const [, setEventCount] = useState(0);

  useEffect(
    () =>
      live.subscribe((event) => {
        const kept = events.current.get(event.journeyId) ?? [];
        kept.push(event);
        events.current.set(event.journeyId, kept);
        for (const journeyId of events.current.keys()) {
          if (events.current.size <= KEPT_JOURNEYS) break;
          if (!mine.current.has(journeyId)) events.current.delete(journeyId);
        }
        setEventCount((count) => count + 1);
      }),
    [live],
  );

  const update = (key: number, change: (upload: Upload) => Upload) =>
    setUploads((current) => current.map((upload) => (upload.key === key ? change(upload) : upload)));

  // Reads an accepted upload's journey: its state until the events that follow. A failed read is
  // not the upload's failure: the row says progress is unknown, with why.
  const resync = (key: number, journeyId: string) =>
    api.getJourney(journeyId).then(
      ({ journey }) =>
        update(key, (current) => ({ ...current, base: shownOfJourney(journey), progressError: undefined })),
      (error: unknown) =>
        update(key, (current) => ({
          ...current,
          progressError: error instanceof ApiError ? { code: error.code, message: error.message } : undefined,
        })),
    );

  // After a dropped connection, and every RESYNC_MS while a flow runs: read the journeys again.
  const unsettled = useRef<Upload[]>([]);
  unsettled.current = uploads.filter(
    (upload) =>
      upload.request === 'accepted' &&
      upload.journeyId !== undefined &&
      shownOf(upload, events.current.get(upload.journeyId) ?? [])?.state === 'running',
  );
  useEffect(() => {
    const again = () => {
      for (const upload of unsettled.current) if (upload.journeyId) void resync(upload.key, upload.journeyId);
    };
    const off = live.onConnection((connected) => connected && again());
    const timer = setInterval(again, RESYNC_MS);
    return () => {
      off();
      clearInterval(timer);
    };
  }, [live]);

  const start = (files: Iterable<File>) => {
    const added: Upload[] = [];
    for (const file of files) {
      const upload: Upload = { key: nextKey++, name: file.name, size: file.size, sent: 0, request: 'sending' };
      added.push(upload);
      api
        .upload(file, (sent) => update(upload.key, (current) => ({ ...current, sent })))
        .then(
          (started) => {
            mine.current.add(started.journeyId);
            update(upload.key, (current) => ({
              ...current,
              sent: current.size,
              request: 'accepted',
              journeyId: started.journeyId,
              ...(started.run === 'reused' ? { reused: true } : {}),
              base: {
                state: started.status === 'running' ? 'running' : started.status,
                milestones: { file_uploaded: 'completed' },
              },
            }));
            // What happened before this page listened (or before, for bytes ingested already)
            // comes from the journey itself.
            void resync(upload.key, started.journeyId);
          },
          (error: unknown) => {
            const problem =
              error instanceof ApiError
                ? error
                : new ApiError(0, 'UPLOAD_FAILED', error instanceof Error ? error.message : String(error));
            const journeyId = typeof problem.details?.journeyId === 'string' ? problem.details.journeyId : undefined;
            update(upload.key, (current) => ({
              ...current,
              request: 'refused',
              ...(journeyId ? { journeyId } : {}),
              error: {
                code: problem.code,
                message: problem.message,
                ...(problem.traceId ? { traceId: problem.traceId } : {}),
              },
            }));
          },
        );
    }
    setUploads((current) => [...added.reverse(), ...current]);
  };

  return (
    <section class="panel" aria-labelledby="upload-title">
      <h2 id="upload-title">Upload files</h2>
      <section
        class={`dropzone ${dragging ? 'dragging' : ''}`}
        aria-label="Drop files here"
        data-testid="dropzone"
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(event) => {
          event.preventDefault();
          setDragging(false);
          if (event.dataTransfer?.files.length) start(event.dataTransfer.files);
        }}
      >
        <p>Drop CSV, Excel, JSON, PDF or text files here, or</p>
        <button type="button" class="primary" onClick={() => input.current?.click()}>
          Choose files…
        </button>
        <input
          ref={input}
          id="file-input"
          type="file"
          multiple
          class="visually-hidden"
          aria-label="Files to upload"
          tabIndex={-1}
          onChange={(event) => {
            const target = event.target as HTMLInputElement;
            if (target.files?.length) start([...target.files]);
            target.value = '';
          }}
        />
      </section>
      {uploads.length > 0 && (
        <ul class="uploads" aria-live="polite" aria-label="Uploads">
          {uploads.map((upload) => (
            <UploadRow
              key={upload.key}
              upload={upload}
              shown={shownOf(upload, (upload.journeyId && events.current.get(upload.journeyId)) || [])}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

function UploadRow({ upload, shown }: { upload: Upload; shown: Shown | undefined }) {
  const percent = upload.size === 0 ? 100 : Math.round((upload.sent / upload.size) * 100);
  const state =
    upload.request === 'sending' ? 'uploading' : upload.request === 'refused' ? 'refused' : (shown?.state ?? 'running');
  const error = upload.error ?? shown?.error;
  return (
    <li class={`upload upload-${state}`} data-testid="upload" data-state={state}>
      <div class="upload-head">
        <span class="upload-name">{upload.name}</span>
        <span class="muted">{formatBytes(upload.size)}</span>
        <StatusBadge status={state} />
        {upload.reused && <span class="muted">already ingested: its earlier journey</span>}
        {upload.journeyId && (
          <a href={href('journeys', upload.journeyId)} class="upload-link">
            Open journey
          </a>
        )}
      </div>
      {state === 'uploading' ? (
        <progress max={100} value={percent} aria-label={`Uploading ${upload.name}`}>
          {percent}%
        </progress>
      ) : (
        <ol class="milestone-chips" aria-label={`Milestones of ${upload.name}`}>
          {FLOW_MILESTONES.map((name) => (
            <li key={name} class={`chip chip-${shown?.milestones[name] ?? 'pending'}`}>
              <span class="visually-hidden">{`${shown?.milestones[name] ?? 'pending'}: `}</span>
              {milestoneLabel(name)}
            </li>
          ))}
        </ol>
      )}
      {error && (
        <p class="error-text" data-testid="upload-error">
          <code>{error.code}</code> {error.message}
          {upload.error?.traceId && <span class="muted"> · trace {upload.error.traceId}</span>}
        </p>
      )}
      {upload.progressError && (
        <p class="muted" data-testid="upload-progress-error">
          Stored; its progress cannot be read: <code>{upload.progressError.code}</code> {upload.progressError.message}
        </p>
      )}
    </li>
  );
}
