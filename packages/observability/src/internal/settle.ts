/** How a run ended: `{ failed: false }`, or `{ failed: true, error }` with whatever was thrown. */
export type Outcome = { failed: false } | { failed: true; error: unknown };

/**
 * Runs `run` and calls `onSettled` exactly once when it is finished: on return for a sync
 * result, on settlement for a promise-like result, or on a throw. The result or error is passed
 * through unchanged (a promise-like result becomes a native promise of the same value).
 */
export function runAndSettle<T>(run: () => T, onSettled: (outcome: Outcome) => void): T {
  let result: T;
  try {
    result = run();
  } catch (error) {
    onSettled({ failed: true, error });
    throw error;
  }
  if (!isPromiseLike(result)) {
    onSettled({ failed: false });
    return result;
  }
  return Promise.resolve(result).then(
    (value) => {
      onSettled({ failed: false });
      return value;
    },
    (error: unknown) => {
      onSettled({ failed: true, error });
      throw error;
    },
  ) as T;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}
