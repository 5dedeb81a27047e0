import { useState } from 'preact/hooks';
import type { ApiError } from '../../api.js';
import { Problem } from '../../components/problem.js';
import { saveFile } from '../../components/save-file.js';
import { useConsole } from '../../context.js';

const FORMATS = [
  { format: 'csv', label: 'CSV' },
  { format: 'parquet', label: 'Parquet' },
] as const;

/**
 * Downloads of one table of the flow as CSV or Parquet (`GET /journeys/{id}/exports/{format}`):
 * the server writes the export beside the rows and answers the file.
 */
export function ExportButtons({ journeyId, table }: { journeyId: string; table: string }) {
  const { api } = useConsole();
  const [busy, setBusy] = useState<string | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  const download = async (format: string) => {
    setBusy(format);
    setError(undefined);
    try {
      const query = new URLSearchParams({ table });
      const file = await api.download(`/journeys/${encodeURIComponent(journeyId)}/exports/${format}?${query}`);
      saveFile(file.blob, file.name);
    } catch (caught) {
      setError(caught as ApiError);
    } finally {
      setBusy(undefined);
    }
  };
  return (
    <div class="export-buttons">
      <span class="muted" id="export-label">
        Download the table
      </span>
      {FORMATS.map(({ format, label }) => (
        <button
          key={format}
          type="button"
          aria-describedby="export-label"
          disabled={busy !== undefined}
          aria-busy={busy === format}
          onClick={() => void download(format)}
        >
          {busy === format ? `Preparing ${label}…` : label}
        </button>
      ))}
      {error && <Problem error={error} />}
    </div>
  );
}
