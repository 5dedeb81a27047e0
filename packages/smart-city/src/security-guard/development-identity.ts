import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PlatformError } from '@platform/foundations';
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import type { SecurityGuardOptions } from './security-guard.js';

const FILE_NAME = 'development-identity.json';
const ISSUER = 'urn:platform:development';
const AUDIENCE = 'platform-api';
const ALGORITHM = 'ES256';

interface StoredIdentity {
  version: 1;
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

/** What a token issued by a development identity says about its user. */
export interface DevelopmentUser {
  userId: string;
  tenantId: string;
  permissions?: readonly string[];
  roles?: readonly string[];
}

/** A local signing key pair and the Security Guard options that trust it. See {@link developmentIdentity}. */
export interface DevelopmentIdentity {
  /** Give these to `securityGuard()`: the public key inline, its issuer and audience. */
  readonly guardOptions: Pick<SecurityGuardOptions, 'jwks' | 'issuer' | 'audience'>;
  /** Where the key pair is kept. */
  readonly path: string;
  /** Signs a bearer token for `user`, valid for `ttlSec` (default 12 hours, at most a day). */
  issueToken(user: DevelopmentUser, options?: { ttlSec?: number }): Promise<string>;
}

async function load(path: string): Promise<StoredIdentity | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const stored = JSON.parse(text) as StoredIdentity;
  if (stored.version !== 1 || !stored.kid || !stored.privateJwk?.d || stored.publicJwk?.d !== undefined) {
    throw new PlatformError('CONFIG_INVALID', `'${path}' is not a development identity; remove it to make a new one`, {
      details: { path },
    });
  }
  return stored;
}

async function create(path: string): Promise<StoredIdentity> {
  const { privateKey, publicKey } = await generateKeyPair(ALGORITHM, { extractable: true });
  const kid = `dev-${Date.now().toString(36)}`;
  const stored: StoredIdentity = {
    version: 1,
    kid,
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: ALGORITHM },
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: ALGORITHM, use: 'sig' },
  };
  // Written aside and renamed, readable by the owner only: the private key signs any token.
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, path);
  return stored;
}

/**
 * A development identity: an ES256 key pair kept in `directory` (made on first use, mode 0600),
 * the Security Guard options that trust its tokens, and a way to issue them. It lets a developer
 * try the HTTP API with curl on their machine (`data-mash serve` prints such a token); it is not
 * an identity provider. In production, point the Security Guard at your provider's JWKS.
 *
 * @example
 * ```ts
 * const dev = await developmentIdentity('.platform');
 * const platform = createPlatform({ modules: dataMashModules({ roles: [securityGuard(dev.guardOptions)] }) });
 * const token = await dev.issueToken({ userId: 'me', tenantId: 'local', permissions: ['*'] });
 * ```
 */
export async function developmentIdentity(directory: string): Promise<DevelopmentIdentity> {
  await mkdir(directory, { recursive: true });
  const path = join(directory, FILE_NAME);
  const stored = (await load(path)) ?? (await create(path));
  const privateKey = await importJWK(stored.privateJwk, ALGORITHM);
  return {
    path,
    guardOptions: { jwks: { keys: [stored.publicJwk] }, issuer: ISSUER, audience: AUDIENCE },
    async issueToken(user, options = {}) {
      const ttlSec = Math.min(options.ttlSec ?? 12 * 3600, 86_400);
      return new SignJWT({
        app_metadata: {
          tenant_id: user.tenantId,
          permissions: [...(user.permissions ?? [])],
          roles: [...(user.roles ?? [])],
        },
      })
        .setProtectedHeader({ alg: ALGORITHM, kid: stored.kid, typ: 'JWT' })
        .setSubject(user.userId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSec)
        .sign(privateKey);
    },
  };
}
