import { ErrorCode, PlatformError } from '../errors/platform-error.js';

/**
 * Awaits `work` for at most `ms`; past that, rejects with a `TIMEOUT` PlatformError naming
 * `what`. The timer never keeps the process alive and is cleared as soon as `work` settles.
 */
export async function withTimeout<T>(work: Promise<T> | T, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        new PlatformError(ErrorCode.TIMEOUT, `${what} did not finish within ${ms} ms`, { details: { timeoutMs: ms } }),
      );
    }, ms);
    timer.unref();
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
