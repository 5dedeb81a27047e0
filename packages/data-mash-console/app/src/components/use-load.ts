import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api.js';

/** Loads once per change of `deps`; a late answer for earlier deps is dropped. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): { value?: T; error?: ApiError } {
  const [state, setState] = useState<{ value?: T; error?: ApiError }>({});
  useEffect(() => {
    let current = true;
    setState({});
    load().then(
      (value) => current && setState({ value }),
      (error: unknown) =>
        current && setState({ error: error instanceof ApiError ? error : new ApiError(0, 'FAILED', String(error)) }),
    );
    return () => {
      current = false;
    };
  }, deps);
  return state;
}
