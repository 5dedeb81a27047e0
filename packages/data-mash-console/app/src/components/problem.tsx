import type { ApiError } from '../api.js';

/** A failed request as the user should read it: the stable code, the message, the trace id to quote. */
export function Problem({ error }: { error: ApiError }) {
  return (
    <p class="error-text" role="alert">
      <code>{error.code}</code> {error.message}
      {error.traceId && <span class="muted"> · trace {error.traceId}</span>}
    </p>
  );
}
