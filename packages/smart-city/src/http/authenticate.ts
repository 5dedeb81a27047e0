import { type Platform, PlatformError } from '@platform/foundations';
import { SecurityGuardRef } from '../security-guard/security-guard.js';
import type { VerifiedUserContext } from '../user-context/verified.js';
import { locateRole } from './roles.js';

/** How a request proved who it is, as the front door read it. */
export type Credential = { kind: 'bearer'; token: string } | { kind: 'api-key'; key: string } | { kind: 'none' };

/**
 * Authenticates a request the host's own way: return a verified user context (made with
 * `trustUserContext`), or `undefined` to let the Security Guard read the request's credentials.
 * Throw a `PlatformError` (`AUTHENTICATION_FAILED`) to refuse it.
 */
export type HttpAuthenticator = (request: Request) => Promise<VerifiedUserContext | undefined>;

// Names under which clients put credentials in URLs; such a URL ends up in access logs and browser
// history, so it is refused rather than quietly ignored.
const CREDENTIAL_QUERY_NAMES = ['access_token', 'api_key', 'apikey'];
const MAX_CREDENTIAL_LENGTH = 16_384;

function refused(reason: string, message: string): PlatformError {
  return new PlatformError('AUTHENTICATION_FAILED', `authentication failed: ${message}`, { details: { reason } });
}

/**
 * Reads the credential of a request: `Authorization: Bearer <jwt>`, `Authorization: ApiKey <key>`
 * or `X-API-Key: <key>`; for a WebSocket handshake also `Sec-WebSocket-Protocol: bearer, <jwt>`
 * (browsers cannot set headers on a WebSocket).
 * @throws {PlatformError} `AUTHENTICATION_FAILED` for an unknown scheme, an empty or oversized
 * credential, two different credentials, or a credential in the query string.
 */
export function readCredential(request: Request, options: { webSocket?: boolean } = {}): Credential {
  // Only a URL with a query string can carry one there (most have none: no URL parsed then).
  const query = request.url.includes('?') ? new URL(request.url).searchParams : undefined;
  for (const name of query ? CREDENTIAL_QUERY_NAMES : []) {
    if (query?.has(name)) {
      throw refused(
        'credential_in_url',
        `credentials are not accepted in the query string ('${name}'); send them in the Authorization header`,
      );
    }
  }
  const found: Credential[] = [];
  const authorization = request.headers.get('authorization');
  if (authorization !== null) {
    const match = /^\s*([A-Za-z][A-Za-z0-9-]*)\s+(\S+)\s*$/.exec(authorization);
    const scheme = match?.[1]?.toLowerCase();
    const value = match?.[2] ?? '';
    if (scheme === 'bearer') found.push({ kind: 'bearer', token: value });
    else if (scheme === 'apikey') found.push({ kind: 'api-key', key: value });
    else throw refused('malformed', 'the Authorization header must be `Bearer <token>` or `ApiKey <key>`');
  }
  const apiKey = request.headers.get('x-api-key');
  if (apiKey !== null) found.push({ kind: 'api-key', key: apiKey.trim() });
  if (options.webSocket) {
    const protocols = (request.headers.get('sec-websocket-protocol') ?? '')
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part.length > 0);
    const at = protocols.findIndex((protocol) => protocol.toLowerCase() === 'bearer');
    if (at !== -1) found.push({ kind: 'bearer', token: protocols[at + 1] ?? '' });
  }
  if (found.length > 1) throw refused('ambiguous', 'the request carries more than one credential: send one');
  const credential = found[0] ?? { kind: 'none' };
  const text = credential.kind === 'bearer' ? credential.token : credential.kind === 'api-key' ? credential.key : '';
  if (credential.kind !== 'none' && (text.length === 0 || text.length > MAX_CREDENTIAL_LENGTH)) {
    throw refused('malformed', 'the credential is empty or too long');
  }
  return credential;
}

/**
 * Authenticates a request: the host's {@link HttpAuthenticator} first when given, then the
 * Security Guard (`authenticate` for a bearer token, `authenticateApiKey` for an API key).
 * @throws {PlatformError} `AUTHENTICATION_FAILED` (`details.reason: 'missing'` without a
 * credential); `SERVICE_UNAVAILABLE` when the platform runs no Security Guard.
 */
export async function authenticateRequest(
  platform: Platform,
  request: Request,
  options: { webSocket?: boolean; authenticate?: HttpAuthenticator } = {},
): Promise<VerifiedUserContext> {
  if (options.authenticate) {
    const user = await options.authenticate(request);
    if (user) return user;
  }
  const credential = readCredential(request, options);
  if (credential.kind === 'none') {
    throw refused('missing', 'send `Authorization: Bearer <token>`, `Authorization: ApiKey <key>` or `X-API-Key`');
  }
  const guard = locateRole(platform, SecurityGuardRef);
  return credential.kind === 'bearer' ? guard.authenticate(credential.token) : guard.authenticateApiKey(credential.key);
}

/** The `WWW-Authenticate` challenge of a refused credential (RFC 6750). */
export function authenticateChallenge(reason: unknown): string {
  return reason === 'missing' ? 'Bearer' : 'Bearer error="invalid_token"';
}
