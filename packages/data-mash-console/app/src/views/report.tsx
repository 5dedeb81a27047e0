import { useEffect, useState } from 'preact/hooks';
import type { ApiError, Journey } from '../api.js';
import { saveFile } from '../components/save-file.js';
import { useConsole } from '../context.js';
import { journeyFileName } from '../journeys.js';

/**
 * The journey's HTML report in a sandboxed frame (it runs no script and reaches nothing), with a
 * download of the same file.
 */
export function ReportPanel({ journey }: { journey: Journey }) {
  const { api } = useConsole();
  const [html, setHtml] = useState<string | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  useEffect(() => {
    let current = true;
    api
      .text(`/journeys/${encodeURIComponent(journey.id)}/report`)
      .then((text) => current && setHtml(text))
      .catch((caught: ApiError) => current && setError(caught));
    return () => {
      current = false;
    };
  }, [api, journey.id]);
  if (error) {
    return (
      <p class="error-text" role="alert">
        <code>{error.code}</code> {error.message}
      </p>
    );
  }
  if (html === undefined) return <p class="muted">Loading the report…</p>;
  const download = () =>
    saveFile(
      new Blob([html], { type: 'text/html' }),
      `${(journeyFileName(journey) ?? journey.id).replace(/[^\w.-]+/g, '_')}.report.html`,
    );
  return (
    <section class="panel" aria-label="Report">
      <p>
        <button type="button" onClick={download}>
          Download the HTML report
        </button>
      </p>
      <iframe class="report-frame" title="HTML report" sandbox="" srcdoc={html} />
    </section>
  );
}
