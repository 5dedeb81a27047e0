/** The parts of `process` signal handling uses; tests pass a stand-in. */
export interface SignalTarget {
  once(signal: NodeJS.Signals, listener: () => void): unknown;
  removeListener(signal: NodeJS.Signals, listener: () => void): unknown;
  listenerCount(signal: NodeJS.Signals): number;
  kill(pid: number, signal: NodeJS.Signals): unknown;
  readonly pid: number;
  exitCode?: number | string | null | undefined;
}

/**
 * On the first of `signals`, runs `stop`, then removes its listeners and, when no other listener
 * for that signal is left, raises the signal again so the process ends as it would have without
 * us (exit status 128 + signal number). Returns a function that removes the listeners.
 */
export function installSignalHandlers(
  signals: readonly NodeJS.Signals[],
  stop: () => Promise<{ ok: boolean }>,
  target: SignalTarget = process,
): () => void {
  const listeners = new Map<NodeJS.Signals, () => void>();
  const remove = () => {
    for (const [signal, listener] of listeners) target.removeListener(signal, listener);
    listeners.clear();
  };
  for (const signal of signals) {
    const listener = () => {
      remove();
      stop()
        .then((report) => {
          if (!report.ok) target.exitCode = 1;
        })
        .catch(() => {
          target.exitCode = 1;
        })
        .finally(() => {
          if (target.listenerCount(signal) === 0) target.kill(target.pid, signal);
        });
    };
    listeners.set(signal, listener);
    target.once(signal, listener);
  }
  return remove;
}
