import { ErrorCode, PlatformError } from '../errors/platform-error.js';

// Node says ERR_MODULE_NOT_FOUND (ESM) or MODULE_NOT_FOUND (CommonJS), naming the package.
function isMissing(error: unknown, packages: readonly string[]): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false;
  const message = String((error as { message?: unknown }).message ?? '');
  return packages.some(
    (name) => message.includes(`'${name}'`) || message.includes(`"${name}"`) || message.includes(`${name}/`),
  );
}

/**
 * Loads what an adapter needs from optional peer dependencies; when one of `packages` is not
 * installed, fails the same way for every adapter: `ADAPTER_UNAVAILABLE` naming the adapter and
 * the packages to install. Other errors (a broken install, a syntax error) pass unchanged.
 *
 * @example
 * ```ts
 * const { Redis } = await loadOptionalPeer('redis://', ['ioredis'], () => import('ioredis'));
 * ```
 */
export async function loadOptionalPeer<T>(
  adapter: string,
  packages: readonly string[],
  load: () => Promise<T>,
): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (!isMissing(error, packages)) throw error;
    const plural = packages.length > 1;
    throw new PlatformError(
      ErrorCode.ADAPTER_UNAVAILABLE,
      `${adapter} stores need the optional peer dependenc${plural ? 'ies' : 'y'} ${packages.join(' and ')}: install ${plural ? 'them' : 'it'} (e.g. npm install ${packages.join(' ')})`,
      { details: { adapter, packages: [...packages] }, cause: error },
    );
  }
}
