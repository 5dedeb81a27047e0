import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiError, Journey, JourneyStatus } from '../api.js';
import { StatusBadge } from '../components/status.js';
import { useConsole } from '../context.js';
import { formatDuration, formatTime } from '../format.js';
import { journeyDurationMs, journeyFileName } from '../journeys.js';
import { href, navigate } from '../router.js';

const PAGE_SIZE = 50;
const STATUSES: Array<JourneyStatus | ''> = ['', 'running', 'completed', 'failed', 'pending'];

/**
 * The tenant's journeys, newest first, a page at a time by cursor (so the 200th page costs what
 * the first does), refreshed live while the first page is shown.
 */
export function JourneyList() {
  const { api, live } = useConsole();
  const [status, setStatus] = useState<JourneyStatus | ''>('');
  // What is typed in the file-name box, and what the list is filtered by (once typing pauses).
  const [typed, setTyped] = useState('');
  const [file, setFile] = useState('');
  // The cursors of the pages before this one, for "Previous".
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const [page, setPage] = useState<{ items: Journey[]; nextCursor?: string } | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  const [reload, setReload] = useState(0);
  const cursor = cursors[cursors.length - 1];

  useEffect(() => {
    let current = true;
    api
      .listJourneys({
        ...(status ? { status } : {}),
        ...(file ? { file } : {}),
        ...(cursor ? { cursor } : {}),
        limit: PAGE_SIZE,
      })
      .then((result) => {
        if (!current) return;
        setPage(result);
        setError(undefined);
      })
      .catch((caught: ApiError) => current && setError(caught));
    return () => {
      current = false;
    };
  }, [api, status, file, cursor, reload]);

  useEffect(() => {
    const wanted = typed.trim();
    if (wanted === file) return;
    const timer = setTimeout(() => {
      setFile(wanted);
      setCursors([undefined]);
    }, 300);
    return () => clearTimeout(timer);
  }, [typed, file]);

  // Live: the page is read again (at most once a second) when a journey on it ends, or, on the
  // first page, when one not on it appears (a new upload). Milestones in between change nothing here.
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const shown = useRef(page);
  shown.current = page;
  useEffect(
    () =>
      live.subscribe((event) => {
        const onPage = shown.current?.items.some((journey) => journey.id === event.journeyId);
        const ended = event.milestone === 'journey' && (event.status === 'completed' || event.status === 'failed');
        if (onPage ? !ended : cursors.length > 1) return;
        if (pending.current) return;
        pending.current = setTimeout(() => {
          pending.current = undefined;
          setReload((value) => value + 1);
        }, 1000);
      }),
    [live, cursors.length],
  );
  useEffect(() => () => clearTimeout(pending.current), []);

  return (
    <section class="panel" aria-labelledby="journeys-title">
      <div class="panel-head">
        <h2 id="journeys-title">All journeys</h2>
        <label class="inline-field">
          File name{' '}
          <input
            type="search"
            value={typed}
            maxLength={500}
            placeholder="any part of it"
            onInput={(event) => setTyped((event.target as HTMLInputElement).value)}
          />
        </label>
        <label class="inline-field">
          Status{' '}
          <select
            value={status}
            onChange={(event) => {
              setStatus((event.target as HTMLSelectElement).value as JourneyStatus | '');
              setCursors([undefined]);
            }}
          >
            {STATUSES.map((value) => (
              <option key={value} value={value}>
                {value === '' ? 'any' : value}
              </option>
            ))}
          </select>
        </label>
      </div>
      {error && (
        <p class="error-text" role="alert">
          <code>{error.code}</code> {error.message}
        </p>
      )}
      {page && page.items.length === 0 && (
        <p class="muted">
          {file || status
            ? `No journeys${status ? ` with status ${status}` : ''}${file ? ` with “${file}” in the file name` : ''}.`
            : 'No journeys yet: upload a file above.'}
        </p>
      )}
      {page && page.items.length > 0 && (
        <div class="table-scroll">
          <table class="journeys" data-testid="journeys">
            <caption class="visually-hidden">Journeys, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Status</th>
                <th scope="col">File</th>
                <th scope="col">Template</th>
                <th scope="col">Tenant</th>
                <th scope="col">Started</th>
                <th scope="col" class="number">
                  Duration
                </th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((journey) => (
                <tr key={journey.id} class="clickable" onClick={() => navigate('journeys', journey.id)}>
                  <td>
                    <StatusBadge status={journey.status} />
                  </td>
                  <td>
                    <a href={href('journeys', journey.id)}>{journeyFileName(journey) ?? journey.id}</a>
                  </td>
                  <td>{journey.template}</td>
                  <td>{journey.tenantId}</td>
                  <td>{formatTime(journey.createdAt)}</td>
                  <td class="number">{formatDuration(journeyDurationMs(journey))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav class="pager" aria-label="Pages of journeys">
        <button type="button" disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          ← Newer
        </button>
        <span class="muted">Page {cursors.length}</span>
        <button
          type="button"
          disabled={!page?.nextCursor}
          onClick={() => page?.nextCursor && setCursors([...cursors, page.nextCursor])}
        >
          Older →
        </button>
      </nav>
    </section>
  );
}
