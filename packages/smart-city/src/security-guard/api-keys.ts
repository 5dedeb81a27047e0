import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { PlatformError } from '@platform/foundations';

/** One machine client's API key, as the Security Guard keeps it: its sha256, never the key. */
export interface ApiKeyEntry {
  /** Names the client in logs and in its user id (`api-key:<name>`). */
  name: string;
  /** Hex sha256 of the key (see {@link apiKeyEntry}). */
  sha256: string;
  tenantId: string;
  permissions: readonly string[];
  roles?: readonly string[];
}

/** The sha256 of an API key, as {@link ApiKeyEntry.sha256} holds it. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * A new random API key (32 bytes, base64url, prefixed `pk_`) and the entry that admits it. Hand
 * the key to the client once; keep only the entry.
 *
 * @example
 * ```ts
 * const { key, entry } = apiKeyEntry({ name: 'nightly-import', tenantId: 'acme', permissions: ['files:write'] });
 * securityGuard({ apiKeys: [entry] });
 * ```
 */
export function apiKeyEntry(client: Omit<ApiKeyEntry, 'sha256'> & { key?: string }): {
  key: string;
  entry: ApiKeyEntry;
} {
  const key = client.key ?? `pk_${randomBytes(32).toString('base64url')}`;
  const { key: _given, ...rest } = client;
  return { key, entry: { ...rest, sha256: hashApiKey(key) } };
}

/** Looks keys up by hash in constant time per entry, so timing does not tell how much of a key matched. */
export class ApiKeyRing {
  readonly #entries: Array<{ digest: Buffer; entry: ApiKeyEntry }>;

  constructor(entries: readonly ApiKeyEntry[]) {
    this.#entries = entries.map((entry) => {
      if (!/^[0-9a-f]{64}$/.test(entry.sha256)) {
        throw new PlatformError(
          'CONFIG_INVALID',
          `security guard: API key '${entry.name}': sha256 must be 64 lower-case hex digits (make entries with apiKeyEntry())`,
          { details: { key: entry.name } },
        );
      }
      return { digest: Buffer.from(entry.sha256, 'hex'), entry };
    });
  }

  find(key: string): ApiKeyEntry | undefined {
    if (key.length === 0) return undefined;
    const digest = createHash('sha256').update(key, 'utf8').digest();
    let found: ApiKeyEntry | undefined;
    for (const candidate of this.#entries) if (timingSafeEqual(candidate.digest, digest)) found = candidate.entry;
    return found;
  }
}
