import { useEffect, useState } from 'preact/hooks';
import { ApiError, type Journey } from '../../api.js';
import { useConsole } from '../../context.js';
import type { InsightsResult } from './types.js';

type Loaded = { state: 'loading' } | { state: 'ready'; result: InsightsResult } | { state: 'failed'; error: ApiError };
type ViewModule = typeof import('./insights-view.js');

/** Why a journey has no insights, in words: still on its way, failed before them, or made none. */
function noInsights(journey: Journey): string {
  if (journey.status === 'running' || journey.status === 'pending')
    return 'No insights yet: the flow is still running.';
  if (journey.status === 'failed') {
    const failed = journey.milestones.find((milestone) => milestone.status === 'failed');
    return `No insights: the flow failed before them${failed ? ` (at ${failed.name.replace(/_/g, ' ')})` : ''}.`;
  }
  return 'No insights for this flow: the file gave no table or text to profile.';
}

function asApiError(caught: unknown): ApiError {
  return caught instanceof ApiError ? caught : new ApiError(0, 'NETWORK_ERROR', 'the server could not be reached');
}

/**
 * The Insights tab: a journey's profile (`GET /journeys/{id}/insights`) drawn for people, one
 * table at a time: overview and alerts first, correlations and missing values, then a card a
 * column with the charts its type calls for. The view and Observable Plot are separate chunks,
 * fetched when this tab opens, so that the console's first load carries neither.
 */
export function InsightsPanel({ journey }: { journey: Journey }) {
  const { api } = useConsole();
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' });
  const [view, setView] = useState<ViewModule | ApiError | undefined>();
  // A journey that settles (live updates reload it) may have its insights now.
  const settled = journey.status === 'completed' || journey.status === 'failed';

  useEffect(() => {
    let current = true;
    import('./insights-view.js')
      .then((module) => {
        // The chart library, fetched beside the figures.
        module.loadPlot().catch(() => undefined);
        if (current) setView(module);
      })
      .catch(() => current && setView(new ApiError(0, 'LOAD_FAILED', 'the insights view could not be loaded')));
    return () => {
      current = false;
    };
  }, []);

  // Asked again when the journey settles (`settled`): its insights are made then.
  useEffect(() => {
    let current = true;
    api
      .json<InsightsResult>('GET', `/journeys/${encodeURIComponent(journey.id)}/insights`)
      .then((result) => current && setLoaded({ state: 'ready', result }))
      .catch((caught: unknown) => current && setLoaded({ state: 'failed', error: asApiError(caught) }));
    return () => {
      current = false;
    };
  }, [api, journey.id, settled]);

  const error = loaded.state === 'failed' ? loaded.error : view instanceof ApiError ? view : undefined;
  if (error?.status === 404)
    return (
      <section class="panel" aria-label="Insights">
        <p style={{ margin: 0 }} data-testid="no-insights">
          {noInsights(journey)}
        </p>
      </section>
    );
  if (error)
    return (
      <p class="error-text" role="alert">
        <code>{error.code}</code> {error.message}
      </p>
    );
  if (loaded.state !== 'ready' || view === undefined || view instanceof ApiError)
    return (
      <p class="muted" aria-busy="true">
        Loading the insights…
      </p>
    );
  return <view.InsightsView journeyId={journey.id} result={loaded.result} />;
}
