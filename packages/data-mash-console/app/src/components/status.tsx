const LABELS: Record<string, string> = {
  pending: 'Pending',
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  skipped: 'Skipped',
  started: 'Running',
  retried: 'Retrying',
  uploading: 'Uploading',
  refused: 'Refused',
};

/** A status as a word with a shape and a colour (never colour alone). */
export function StatusBadge({ status }: { status: string }) {
  const known = status in LABELS;
  return (
    <span class={`status status-${known ? status : 'unknown'}`}>
      <span class="status-mark" aria-hidden="true" />
      {known ? LABELS[status] : status}
    </span>
  );
}
