import type { Span } from '@opentelemetry/api';

/** The parts of a thrown value that telemetry needs, whatever was thrown. */
export interface DescribedError {
  name: string;
  message: string;
  /** A stable machine-readable code: the error's own string `code`, when it has one. */
  code?: string;
  stack?: string;
}

/** Describes any thrown value: an Error, a string, or anything else, without throwing itself. */
export function describeError(error: unknown): DescribedError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      name: error.name || 'Error',
      message: error.message,
      ...(typeof code === 'string' && code.length > 0 ? { code } : {}),
      ...(error.stack ? { stack: error.stack } : {}),
    };
  }
  if (typeof error === 'string') return { name: 'NonErrorThrown', message: error };
  let message: string;
  try {
    message = JSON.stringify(error) ?? String(error);
  } catch {
    message = Object.prototype.toString.call(error);
  }
  return { name: 'NonErrorThrown', message };
}

// An error audited inside a span and then re-thrown through `withSpan` is recorded on that span
// once, not twice.
const recorded = new WeakMap<object, WeakSet<Span>>();

export function markRecorded(error: unknown, span: Span): void {
  if (typeof error !== 'object' || error === null) return;
  let spans = recorded.get(error);
  if (!spans) {
    spans = new WeakSet();
    recorded.set(error, spans);
  }
  spans.add(span);
}

export function wasRecorded(error: unknown, span: Span): boolean {
  return typeof error === 'object' && error !== null && (recorded.get(error)?.has(span) ?? false);
}
