import { useEffect, useState } from 'preact/hooks';
import { ApiError, type Journey } from '../api.js';
import { MilestoneTimeline } from '../components/milestone-timeline.js';
import { StatusBadge } from '../components/status.js';
import { useConsole } from '../context.js';
import { formatBytes, formatDuration, formatTime, milestoneLabel } from '../format.js';
import { journeyDurationMs, journeyError, journeyFileId, journeyFileName } from '../journeys.js';
import { href } from '../router.js';
import { GovernancePanel } from './governance.js';
import { InsightsPanel } from './insights/index.js';
import { LineagePanel } from './lineage.js';
import { ReportPanel } from './report.js';
import { TracePanel } from './trace.js';

const TABS = [
  { id: 'overview', label: 'Overview' },
  { id: 'insights', label: 'Insights' },
  { id: 'trace', label: 'Trace' },
  { id: 'lineage', label: 'Lineage' },
  { id: 'governance', label: 'Governance' },
  { id: 'report', label: 'Report' },
] as const;

/** One journey: what it is, where it stands, and tabs for what it made. */
export function JourneyView({ journeyId, tab }: { journeyId: string; tab: string }) {
  const { api, live } = useConsole();
  const [journey, setJourney] = useState<Journey | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  const [reload, setReload] = useState(0);
  const [now, setNow] = useState(Date.now());

  useEffect(() => {
    let current = true;
    api
      .getJourney(journeyId)
      .then(({ journey: loaded }) => {
        if (!current) return;
        setJourney(loaded);
        setError(undefined);
        setNow(Date.now());
      })
      .catch((caught: ApiError) => current && setError(caught));
    return () => {
      current = false;
    };
  }, [api, journeyId, reload]);
  useEffect(
    () => live.subscribe((event) => event.journeyId === journeyId && setReload((value) => value + 1)),
    [live, journeyId],
  );

  if (error) {
    return (
      <>
        <h1 tabIndex={-1}>Journey</h1>
        <p class="error-text" role="alert">
          <code>{error.code}</code> {error.status === 404 ? `No journey ${journeyId} in this tenant.` : error.message}
        </p>
        <p>
          <a href={href('journeys')}>Back to the journeys</a>
        </p>
      </>
    );
  }
  if (!journey)
    return (
      <p class="muted" aria-busy="true">
        Loading the journey…
      </p>
    );
  const active = TABS.some((entry) => entry.id === tab) ? tab : 'overview';
  return (
    <>
      <nav aria-label="Breadcrumb" class="breadcrumb">
        <a href={href('journeys')}>Journeys</a> / <span>{journeyFileName(journey) ?? journey.id}</span>
      </nav>
      <h1 tabIndex={-1}>
        {journeyFileName(journey) ?? journey.id} <StatusBadge status={journey.status} />
      </h1>
      <div role="tablist" aria-label="Journey views" class="tabs">
        {TABS.map((entry) => (
          <a
            key={entry.id}
            role="tab"
            aria-selected={entry.id === active}
            href={href('journeys', journey.id, entry.id)}
            class={entry.id === active ? 'tab active' : 'tab'}
          >
            {entry.label}
          </a>
        ))}
      </div>
      <div role="tabpanel" aria-label={TABS.find((entry) => entry.id === active)?.label}>
        {active === 'overview' && (
          <Overview journey={journey} now={now} onChanged={() => setReload((value) => value + 1)} />
        )}
        {active === 'insights' && <InsightsPanel journey={journey} />}
        {active === 'trace' && <TracePanel journey={journey} />}
        {active === 'lineage' && <LineagePanel journey={journey} />}
        {active === 'governance' && <GovernancePanel journey={journey} />}
        {active === 'report' && <ReportPanel journey={journey} />}
      </div>
    </>
  );
}

function Overview({ journey, now, onChanged }: { journey: Journey; now: number; onChanged: () => void }) {
  const { api } = useConsole();
  const [action, setAction] = useState<{ busy: boolean; message?: string; error?: ApiError }>({ busy: false });
  const failure = journeyError(journey);
  const fileId = journeyFileId(journey);
  const uploaded = journey.context.outputs?.file_uploaded;
  const resumable = fileId !== undefined && (journey.status === 'failed' || journey.status === 'pending');
  const resume = async () => {
    if (!fileId) return;
    setAction({ busy: true });
    try {
      const started = await api.startFlow(fileId);
      setAction({ busy: false, message: `Resumed: ${started.status}${started.run ? ` (${started.run})` : ''}.` });
      onChanged();
    } catch (caught) {
      setAction({ busy: false, ...(caught instanceof ApiError ? { error: caught } : {}) });
    }
  };
  return (
    <>
      {failure && (
        <section class="panel failure" aria-labelledby="failure-title" data-testid="journey-error">
          <h2 id="failure-title">Failed{failure.milestone ? ` at “${milestoneLabel(failure.milestone)}”` : ''}</h2>
          <p>
            <code>{failure.code}</code> {failure.message}
          </p>
        </section>
      )}
      <section class="panel" aria-labelledby="facts-title">
        <h2 id="facts-title">Facts</h2>
        <dl class="facts">
          <dt>Journey</dt>
          <dd>
            <code>{journey.id}</code>
          </dd>
          <dt>Template</dt>
          <dd>{journey.template}</dd>
          <dt>Tenant</dt>
          <dd>{journey.tenantId}</dd>
          <dt>Trace</dt>
          <dd>
            <code>{journey.traceId ?? '–'}</code>
          </dd>
          <dt>Started</dt>
          <dd>{formatTime(journey.createdAt)}</dd>
          <dt>Duration</dt>
          <dd>{formatDuration(journeyDurationMs(journey))}</dd>
          {typeof uploaded?.sizeBytes === 'number' && (
            <>
              <dt>Size</dt>
              <dd>{formatBytes(uploaded.sizeBytes)}</dd>
            </>
          )}
          {typeof uploaded?.sha256 === 'string' && (
            <>
              <dt>SHA-256</dt>
              <dd>
                <code class="hash">{uploaded.sha256}</code>
              </dd>
            </>
          )}
        </dl>
        {resumable && (
          <p>
            <button type="button" class="primary" disabled={action.busy} onClick={resume}>
              Resume the flow
            </button>
          </p>
        )}
        {action.message && <p role="status">{action.message}</p>}
        {action.error && (
          <p class="error-text" role="alert">
            <code>{action.error.code}</code> {action.error.message}
          </p>
        )}
      </section>
      <section class="panel" aria-labelledby="milestones-title">
        <h2 id="milestones-title">Milestones</h2>
        <MilestoneTimeline milestones={journey.milestones} now={now} />
      </section>
    </>
  );
}
