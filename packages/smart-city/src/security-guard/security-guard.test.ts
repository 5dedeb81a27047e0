import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPlatform } from '@platform/foundations';
import { supabaseAuth } from '@platform/foundations/supabase';
import { createMemorySink } from '@platform/observability/testing';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smartCityModule } from '../city-manager/city-manager.js';
import type { UserContext } from '../user-context/user-context.js';
import { callerOrigin, isVerifiedUserContext } from '../user-context/verified.js';
import { apiKeyEntry, hashApiKey } from './api-keys.js';
import { SecurityGuard, type SecurityGuardOptions, SecurityGuardRef, securityGuard } from './security-guard.js';

const ISSUER = 'https://project.supabase.co/auth/v1';
const AUDIENCE = 'authenticated';

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>> & { kid: string };

async function keyPair(kid: string, alg = 'ES256'): Promise<KeyPair> {
  return { ...(await generateKeyPair(alg, { extractable: true })), kid };
}

async function publicJwk(pair: KeyPair, alg = 'ES256'): Promise<JWK> {
  return { ...(await exportJWK(pair.publicKey)), kid: pair.kid, alg, use: 'sig' };
}

/** A Supabase-shaped access token. */
function token(
  pair: KeyPair,
  claims: Record<string, unknown> = {},
  options: { expiresIn?: string | number; alg?: string; issuedAt?: number; subject?: string } = {},
) {
  return new SignJWT({
    role: 'authenticated',
    app_metadata: { tenant_id: 'acme', roles: ['analyst'], permissions: ['reports:read'] },
    session_id: 'session-1',
    iss: ISSUER,
    aud: AUDIENCE,
    ...claims,
  })
    .setProtectedHeader({ alg: options.alg ?? 'ES256', kid: pair.kid })
    .setSubject(options.subject ?? 'user-1')
    .setIssuedAt(options.issuedAt)
    .setExpirationTime(options.expiresIn ?? '5m')
    .sign(pair.privateKey);
}

describe('Security Guard', () => {
  let server: Server;
  let published: JWK[] = [];
  let fetches = 0;
  let current: KeyPair;
  let guard: SecurityGuard;
  let stop: () => Promise<unknown>;
  const events = createMemorySink();

  beforeAll(async () => {
    current = await keyPair('key-1');
    published = [await publicJwk(current)];
    server = createServer((_request, response) => {
      fetches += 1;
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: published }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const platform = createPlatform({
      env: {},
      telemetrySink: events.sink,
      modules: [
        smartCityModule({
          roles: [
            securityGuard({
              jwksUrl: `http://127.0.0.1:${port}/auth/v1/.well-known/jwks.json`,
              // A local test key server: http only because this test allows it.
              allowInsecureJwksUrl: true,
              issuer: ISSUER,
              audience: AUDIENCE,
              jwksCooldownMs: 0,
              jwksCacheMaxAgeMs: 100,
              rolePermissions: { analyst: ['files:read', 'insights:*'] },
            }),
          ],
        }),
      ],
    });
    await platform.start();
    guard = platform.get(SecurityGuardRef);
    stop = () => platform.stop();
  });

  afterAll(async () => {
    await stop?.();
    await new Promise((resolve) => server.close(resolve));
  });

  it('verifies a Supabase-style token and maps its claims to a verified user context', async () => {
    const user = await guard.authenticate(`Bearer ${await token(current)}`);
    expect(user).toEqual({
      userId: 'user-1',
      tenantId: 'acme',
      sessionId: 'session-1',
      roles: ['authenticated', 'analyst'],
      permissions: ['reports:read'],
    });
    expect(isVerifiedUserContext(user)).toBe(true);
    expect(callerOrigin(user)).toEqual({ track: 'client', verifiedBy: 'security-guard' });
    expect(Object.isFrozen(user)).toBe(true);
    // A copy is not verified: a caller cannot widen its own permissions and pass it on.
    expect(isVerifiedUserContext({ ...user, permissions: ['*'] })).toBe(false);
    expect(isVerifiedUserContext(structuredClone(user))).toBe(false);
    expect(await guard.resolveTenant(await token(current))).toBe('acme');
  });

  it('refuses tokens issued in the future, living too long, or naming a bad subject (claim_invalid)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const cases: Array<[string, () => Promise<string>]> = [
      ['issued an hour from now', () => token(current, {}, { issuedAt: now + 3600, expiresIn: now + 7200 })],
      ['valid for 100 years', () => token(current, {}, { expiresIn: '100y' })],
      ['valid for a day and a minute', () => token(current, {}, { expiresIn: 86_400 + 60 + now })],
      ['a subject longer than a user id', () => token(current, {}, { subject: 'u'.repeat(300) })],
      ['a role that is not a name', () => token(current, { app_metadata: { tenant_id: 'acme', roles: [''] } })],
    ];
    for (const [label, make] of cases) {
      const error = await guard.authenticate(await make()).catch((caught: unknown) => caught);
      expect(error, label).toMatchObject({ code: 'AUTHENTICATION_FAILED', details: { reason: 'claim_invalid' } });
    }
    // A day, within the default lifetime, is fine.
    expect((await guard.authenticate(await token(current, {}, { expiresIn: '23h' }))).userId).toBe('user-1');
  });

  it.each([
    ['expired', () => token(current, {}, { expiresIn: Math.floor(Date.now() / 1000) - 60 }), 'expired'],
    ['wrong audience', () => token(current, { aud: 'someone-else' }), 'claim_invalid'],
    ['wrong issuer', () => token(current, { iss: 'https://evil.example/auth/v1' }), 'claim_invalid'],
    ['no tenant', () => token(current, { app_metadata: { roles: [] } }), 'missing_tenant'],
    ['hostile tenant', () => token(current, { app_metadata: { tenant_id: '../other' } }), 'missing_tenant'],
  ])('refuses a token with %s', async (_label, make, reason) => {
    await expect(guard.authenticate(await make())).rejects.toMatchObject({
      code: 'AUTHENTICATION_FAILED',
      details: { reason },
    });
  });

  it('refuses forged tokens: another key under a published kid, a tampered payload, alg none, garbage', async () => {
    const forger = await keyPair('key-1');
    await expect(guard.authenticate(await token(forger))).rejects.toMatchObject({
      details: { reason: 'invalid_signature' },
    });

    const [header, payload, signature] = (await token(current)).split('.');
    const claims = JSON.parse(Buffer.from(payload as string, 'base64url').toString());
    claims.app_metadata.tenant_id = 'victim';
    const tampered = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
    await expect(guard.authenticate(tampered)).rejects.toMatchObject({ details: { reason: 'invalid_signature' } });

    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', kid: 'key-1' })).toString('base64url')}.${payload}.`;
    await expect(guard.authenticate(unsigned)).rejects.toMatchObject({ code: 'AUTHENTICATION_FAILED' });
    for (const garbage of ['', 'not.a.jwt', 'x'.repeat(20_000)]) {
      await expect(guard.authenticate(garbage)).rejects.toMatchObject({ code: 'AUTHENTICATION_FAILED' });
    }
  });

  it('follows key rotation: refetches the key set for an unknown kid, and drops retired keys', async () => {
    const next = await keyPair('key-2');
    const before = fetches;
    await expect(guard.authenticate(await token(next))).rejects.toMatchObject({ details: { reason: 'unknown_key' } });
    published = [await publicJwk(current), await publicJwk(next)];
    expect((await guard.authenticate(await token(next))).userId).toBe('user-1');
    expect(fetches).toBeGreaterThan(before);
    const retired = current;
    published = [await publicJwk(next)];
    current = next;
    // A retired key works until the cached key set expires (jwksCacheMaxAgeMs), then no more.
    await new Promise((resolve) => setTimeout(resolve, 150));
    await expect(guard.authenticate(await token(retired))).rejects.toMatchObject({
      code: 'AUTHENTICATION_FAILED',
      details: { reason: 'unknown_key' },
    });
  });

  describe('authorization', () => {
    const user: UserContext = { userId: 'u1', tenantId: 'acme', roles: ['analyst'], permissions: ['reports:read'] };

    it('allows by permission or by role, with wildcards, and denies the rest', () => {
      expect(guard.authorize({ user, action: 'reports:read' })).toEqual({
        allowed: true,
        reason: 'permission_granted',
      });
      expect(guard.authorize({ user, action: 'insights:export', resource: { tenantId: 'acme' } }).allowed).toBe(true);
      expect(guard.authorize({ user, action: 'files:delete' })).toEqual({ allowed: false, reason: 'no_permission' });
      expect(() => guard.assertAuthorized({ user, action: 'files:delete' })).toThrow(
        expect.objectContaining({ code: 'PERMISSION_DENIED' }),
      );
    });

    it('denies cross-tenant access by default, even with every permission', () => {
      const admin = { ...user, permissions: ['*'] };
      expect(guard.authorize({ user: admin, action: 'files:read', resource: { tenantId: 'globex' } })).toEqual({
        allowed: false,
        reason: 'tenant_mismatch',
      });
      expect(() =>
        guard.assertAuthorized({ user: admin, action: 'files:read', resource: { tenantId: 'globex' } }),
      ).toThrow(expect.objectContaining({ code: 'TENANT_ACCESS_DENIED' }));
    });

    it('denies a resource whose tenant it cannot read (no `tenantId` string), whatever the permissions', () => {
      const admin = { ...user, permissions: ['*'] };
      for (const resource of [
        { tenant_id: 'acme' },
        { tenant_id: 'globex' },
        {},
        { tenantId: 7 },
        { tenantId: null },
      ]) {
        expect(guard.authorize({ user: admin, action: 'files:read', resource: resource as never })).toEqual({
          allowed: false,
          reason: 'resource_tenant_unknown',
        });
      }
      expect(() => guard.assertAuthorized({ user: admin, action: 'files:read', resource: { tenant_id: 'B' } })).toThrow(
        expect.objectContaining({ code: 'TENANT_ACCESS_DENIED' }),
      );
      // No resource at all: the permissions decide.
      expect(guard.authorize({ user: admin, action: 'files:read' }).allowed).toBe(true);
    });

    it('refuses a malformed user context', () => {
      expect(() => guard.authorize({ user: { ...user, tenantId: '' }, action: 'files:read' })).toThrow(
        expect.objectContaining({ code: 'VALIDATION_FAILED' }),
      );
    });

    it('logs each decision without the token', () => {
      expect(events.forOperation('security_guard.authorize').length).toBeGreaterThan(0);
      expect(JSON.stringify(events.events)).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
    });
  });
});

describe('Security Guard with a pluggable policy', () => {
  async function guardWith(policy: NonNullable<SecurityGuardOptions['policy']>) {
    const pair = await keyPair('k');
    const platform = createPlatform({
      env: {},
      telemetrySink: () => {},
      modules: [
        smartCityModule({
          roles: [
            securityGuard({ jwks: { keys: [await publicJwk(pair)] }, issuer: ISSUER, audience: AUDIENCE, policy }),
          ],
        }),
      ],
    });
    await platform.start();
    return { guard: platform.get(SecurityGuardRef), pair, stop: () => platform.stop() };
  }
  const operator: UserContext = { userId: 'op', tenantId: 'platform', roles: ['platform_operator'], permissions: [] };

  it('cannot grant cross-tenant access: the tenant is checked before the policy is asked', async () => {
    const asked: unknown[] = [];
    const { guard, pair, stop } = await guardWith((request) => {
      asked.push(request.resource);
      return request.user.roles.includes('platform_operator')
        ? { allowed: true, reason: 'operator_override' }
        : undefined;
    });
    expect(guard.authorize({ user: operator, action: 'files:read', resource: { tenantId: 'acme' } })).toEqual({
      allowed: false,
      reason: 'tenant_mismatch',
    });
    expect(() =>
      guard.assertAuthorized({ user: operator, action: 'files:read', resource: { tenantId: 'acme' } }),
    ).toThrow(expect.objectContaining({ code: 'TENANT_ACCESS_DENIED' }));
    expect(guard.authorize({ user: operator, action: 'files:read', resource: { tenant_id: 'acme' } }).reason).toBe(
      'resource_tenant_unknown',
    );
    expect(asked).toEqual([]);
    // Within the caller's tenant, the policy decides before the permissions.
    expect(guard.authorize({ user: operator, action: 'files:read', resource: { tenantId: 'platform' } })).toEqual({
      allowed: true,
      reason: 'operator_override',
    });
    expect(guard.authorize({ user: operator, action: 'files:read' })).toEqual({
      allowed: true,
      reason: 'operator_override',
    });
    expect(guard.authorize({ user: { ...operator, roles: [] }, action: 'files:read' }).reason).toBe('no_permission');
    expect((await guard.authenticate(await token(pair))).tenantId).toBe('acme');
    await stop();
  });

  it('lets a policy deny what the permissions would allow', async () => {
    const { guard, stop } = await guardWith(({ action }) =>
      action === 'files:delete' ? { allowed: false, reason: 'deletes_frozen' } : undefined,
    );
    const admin: UserContext = { userId: 'root', tenantId: 'acme', roles: [], permissions: ['*'] };
    expect(guard.authorize({ user: admin, action: 'files:delete', resource: { tenantId: 'acme' } })).toEqual({
      allowed: false,
      reason: 'deletes_frozen',
    });
    expect(guard.authorize({ user: admin, action: 'files:read' }).allowed).toBe(true);
    await stop();
  });

  it('denies when the policy throws, and grants nothing for an answer that is not exactly allowed: true', async () => {
    const throwing = await guardWith(() => {
      throw new Error('policy store down');
    });
    const admin: UserContext = { userId: 'root', tenantId: 'acme', roles: [], permissions: ['*'] };
    expect(throwing.guard.authorize({ user: admin, action: 'files:read' })).toEqual({
      allowed: false,
      reason: 'policy_error',
    });
    expect(() => throwing.guard.assertAuthorized({ user: admin, action: 'files:read' })).toThrow(
      expect.objectContaining({ code: 'PERMISSION_DENIED' }),
    );
    await throwing.stop();
    const sloppy = await guardWith(() => ({ allowed: 'yes' as never, reason: 'sloppy' }));
    expect(sloppy.guard.authorize({ user: operator, action: 'files:read' })).toEqual({
      allowed: false,
      reason: 'sloppy',
    });
    await sloppy.stop();
  });
});

describe('Security Guard configuration', () => {
  const deps = (options: SecurityGuardOptions) =>
    ({ observability: {} as never, locate: (() => undefined) as never, options }) as ConstructorParameters<
      typeof SecurityGuard
    >[0];
  const keys = { keys: [] };

  it('refuses an http jwksUrl unless allowInsecureJwksUrl is set, and other schemes always', () => {
    const http = { jwksUrl: 'http://auth.example/jwks.json', issuer: ISSUER, audience: AUDIENCE };
    expect(() => new SecurityGuard(deps(http))).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringMatching(/must be https/) }),
    );
    expect(() => new SecurityGuard(deps({ ...http, jwksUrl: new URL(http.jwksUrl) }))).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
    expect(new SecurityGuard(deps({ ...http, allowInsecureJwksUrl: true }))).toBeInstanceOf(SecurityGuard);
    expect(new SecurityGuard(deps({ ...http, jwksUrl: 'https://auth.example/jwks.json' }))).toBeInstanceOf(
      SecurityGuard,
    );
    for (const jwksUrl of ['file:///etc/jwks.json', 'ftp://auth.example/jwks.json', 'not a url']) {
      expect(() => new SecurityGuard(deps({ ...http, jwksUrl, allowInsecureJwksUrl: true })), jwksUrl).toThrow(
        expect.objectContaining({ code: 'CONFIG_INVALID' }),
      );
    }
  });

  it('throws CONFIG_INVALID (not TypeError) for a guard that could verify nothing, or tokens without issuer and audience', () => {
    for (const options of [
      {},
      { apiKeys: [] },
      { jwks: keys, audience: AUDIENCE },
      { jwks: keys, issuer: ISSUER },
      { jwksUrl: 'https://auth.example/jwks.json', issuer: ISSUER },
    ] as SecurityGuardOptions[]) {
      const error = (() => {
        try {
          new SecurityGuard(deps(options));
        } catch (caught) {
          return caught;
        }
      })();
      expect(error, JSON.stringify(options)).toMatchObject({ code: 'CONFIG_INVALID' });
      expect(error).not.toBeInstanceOf(TypeError);
    }
    // API keys alone need no issuer or audience.
    const { entry } = apiKeyEntry({ name: 'ci', tenantId: 'acme', permissions: [] });
    expect(new SecurityGuard(deps({ apiKeys: [entry] }))).toBeInstanceOf(SecurityGuard);
  });
});

describe('Security Guard API keys', () => {
  const nightly = apiKeyEntry({
    name: 'nightly-import',
    tenantId: 'acme',
    permissions: ['files:write'],
    roles: ['importer'],
  });
  const other = apiKeyEntry({ name: 'reporting', tenantId: 'globex', permissions: ['insights:read'] });

  async function start(options: Partial<SecurityGuardOptions> = {}) {
    const events = createMemorySink();
    const platform = createPlatform({
      env: {},
      telemetrySink: events.sink,
      modules: [smartCityModule({ roles: [securityGuard({ apiKeys: [other.entry, nightly.entry], ...options })] })],
    });
    await platform.start();
    return { guard: platform.get(SecurityGuardRef), events, stop: () => platform.stop() };
  }

  it('keeps only the hash of a key, and admits the right key as a verified user of its tenant', async () => {
    expect(nightly.key).toMatch(/^pk_[A-Za-z0-9_-]{43}$/);
    expect(nightly.entry).toEqual({
      name: 'nightly-import',
      tenantId: 'acme',
      permissions: ['files:write'],
      roles: ['importer'],
      sha256: hashApiKey(nightly.key),
    });
    expect(JSON.stringify(nightly.entry)).not.toContain(nightly.key);
    const { guard, events, stop } = await start();
    const user = await guard.authenticateApiKey(nightly.key);
    expect(user).toEqual({
      userId: 'api-key:nightly-import',
      tenantId: 'acme',
      roles: ['importer'],
      permissions: ['files:write'],
    });
    expect(isVerifiedUserContext(user)).toBe(true);
    expect(callerOrigin(user)).toEqual({ track: 'client', verifiedBy: 'security-guard' });
    expect((await guard.authenticateApiKey(` ${other.key} `)).tenantId).toBe('globex');
    expect(JSON.stringify(events.events)).not.toContain(nightly.key);
    await stop();
  });

  it('refuses a wrong key of any length as AUTHENTICATION_FAILED (unknown_key), never a crash', async () => {
    const { guard, stop } = await start();
    const wrong = [
      `${nightly.key.slice(0, -1)}${nightly.key.endsWith('A') ? 'B' : 'A'}`, // the last character differs
      nightly.key.slice(0, -1), // one shorter
      `${nightly.key}x`, // one longer
      nightly.entry.sha256, // the hash is not the key
      'x',
      '',
      '   ',
      'k'.repeat(600), // beyond the length checked
      42 as never,
      undefined as never,
    ];
    for (const key of wrong) {
      await expect(guard.authenticateApiKey(key), String(key).slice(0, 20)).rejects.toMatchObject({
        code: 'AUTHENTICATION_FAILED',
        details: { reason: 'unknown_key' },
      });
    }
    // A guard with API keys only takes no tokens.
    await expect(guard.authenticate('eyJhbGciOiJFUzI1NiJ9.e30.sig')).rejects.toMatchObject({
      code: 'AUTHENTICATION_FAILED',
      details: { reason: 'malformed' },
    });
    await stop();
  });

  it('refuses an entry whose hash is not a sha256', () => {
    // Reported: this is a TypeError from the key ring, not CONFIG_INVALID like the other misconfigurations.
    expect(
      () =>
        new SecurityGuard({
          observability: {} as never,
          locate: (() => undefined) as never,
          options: { apiKeys: [{ ...nightly.entry, sha256: nightly.key }] },
        }),
    ).toThrow(/sha256/);
  });
});

describe('Security Guard on a Supabase project (supabaseAuth)', () => {
  it("accepts the project's tokens given only its URL, and refuses another project's", async () => {
    const pair = await keyPair('supabase-key');
    const jwks = JSON.stringify({ keys: [await publicJwk(pair)] });
    const paths: string[] = [];
    // A local Supabase stack's Auth: the key set where Supabase publishes it.
    const server = createServer((request, response) => {
      paths.push(request.url ?? '');
      if (request.url === '/auth/v1/.well-known/jwks.json') {
        response.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
      } else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const project = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const platform = createPlatform({
      env: {},
      telemetrySink: () => {},
      // A local stack serves its keys over http on a loopback address: the test allows it.
      modules: [smartCityModule({ roles: [securityGuard({ ...supabaseAuth(project), allowInsecureJwksUrl: true })] })],
    });
    try {
      await platform.start();
      const guard = platform.get(SecurityGuardRef);
      const user = await guard.authenticate(await token(pair, { iss: `${project}/auth/v1` }));
      expect(user).toMatchObject({ userId: 'user-1', tenantId: 'acme', roles: ['authenticated', 'analyst'] });
      expect(paths).toEqual(['/auth/v1/.well-known/jwks.json']);
      // Signed with the same key but issued by another project, or for another audience: refused.
      await expect(guard.authenticate(await token(pair))).rejects.toMatchObject({
        code: 'AUTHENTICATION_FAILED',
        details: { reason: 'claim_invalid' },
      });
      await expect(
        guard.authenticate(await token(pair, { iss: `${project}/auth/v1`, aud: 'anon' })),
      ).rejects.toMatchObject({ code: 'AUTHENTICATION_FAILED', details: { reason: 'claim_invalid' } });
    } finally {
      await platform.stop();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('Security Guard: verified tokens remembered (verifiedTokenTtlMs)', () => {
  let server: Server;
  let published: JWK[] = [];
  let first: KeyPair;
  let second: KeyPair;
  let port: number;
  const events = createMemorySink();
  const stops: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    first = await keyPair('cache-key-1');
    second = await keyPair('cache-key-2');
    server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: published }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    for (const stop of stops) await stop();
    await new Promise((resolve) => server.close(resolve));
  });

  async function startGuard(options: Partial<SecurityGuardOptions> = {}): Promise<SecurityGuard> {
    const platform = createPlatform({
      env: {},
      telemetrySink: events.sink,
      modules: [
        smartCityModule({
          roles: [
            securityGuard({
              jwksUrl: `http://127.0.0.1:${port}/jwks.json`,
              allowInsecureJwksUrl: true,
              issuer: ISSUER,
              audience: AUDIENCE,
              jwksCooldownMs: 0,
              jwksCacheMaxAgeMs: 200,
              ...options,
            }),
          ],
        }),
      ],
    });
    await platform.start();
    stops.push(() => platform.stop());
    return platform.get(SecurityGuardRef);
  }

  // Whether each authentication since the last call was served from memory.
  function servedFromMemory(): boolean[] {
    const served = events
      .forOperation('security_guard.authenticate')
      .filter((event) => event.success)
      .map((event) => event.details?.cached === true);
    events.clear();
    return served;
  }

  it('serves the exact same token from memory; any other token, a tampered copy included, is verified on its own', async () => {
    published = [await publicJwk(first)];
    const guard = await startGuard();
    const alice = await token(first, {}, { subject: 'alice' });
    const bob = await token(first, {}, { subject: 'bob' });
    events.clear();
    const once = await guard.authenticate(alice);
    expect(await guard.authenticate(`Bearer ${alice}`)).toBe(once);
    expect((await guard.authenticate(bob)).userId).toBe('bob');
    expect(servedFromMemory()).toEqual([false, true, false]);

    // The same claims under a forged signature, or the remembered token with bytes changed, are not it.
    const [header, payload] = alice.split('.');
    const forged = await token(await keyPair('cache-key-1'), {}, { subject: 'alice' });
    for (const other of [`${header}.${payload}.${forged.split('.')[2]}`, `${alice}x`, alice.slice(0, -2)]) {
      await expect(guard.authenticate(other)).rejects.toMatchObject({ code: 'AUTHENTICATION_FAILED' });
    }
    // A failure is never remembered: the same bad token fails again, in full.
    await expect(guard.authenticate(`${alice}x`)).rejects.toMatchObject({ code: 'AUTHENTICATION_FAILED' });
    expect(servedFromMemory()).toEqual([]);
  });

  it('forgets a token after verifiedTokenTtlMs, and never serves it past its exp', async () => {
    published = [await publicJwk(first)];
    const guard = await startGuard({ verifiedTokenTtlMs: 60, clockToleranceSec: 0 });
    const short = await token(first);
    events.clear();
    await guard.authenticate(short);
    await guard.authenticate(short);
    await new Promise((resolve) => setTimeout(resolve, 80));
    await guard.authenticate(short);
    expect(servedFromMemory()).toEqual([false, true, false]);

    const long = await startGuard({ verifiedTokenTtlMs: 3_600_000, clockToleranceSec: 0 });
    const exp = Math.floor(Date.now() / 1000) + 2;
    const expiring = await token(first, {}, { expiresIn: exp });
    await long.authenticate(expiring);
    await long.authenticate(expiring);
    expect(servedFromMemory()).toEqual([false, true]);
    await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 50));
    await expect(long.authenticate(expiring)).rejects.toMatchObject({ details: { reason: 'expired' } });
  });

  it('drops a remembered token whose key was retired: at once when the key set is refetched, else within jwksCacheMaxAgeMs', async () => {
    published = [await publicJwk(first)];
    const guard = await startGuard({ verifiedTokenTtlMs: 3_600_000 });
    const signedByFirst = await token(first);
    await guard.authenticate(signedByFirst);
    // The first key is retired; the key set in the guard's hands is still the cached one.
    published = [await publicJwk(second)];
    expect((await guard.authenticate(signedByFirst)).userId).toBe('user-1');
    await new Promise((resolve) => setTimeout(resolve, 250));
    await expect(guard.authenticate(signedByFirst)).rejects.toMatchObject({ details: { reason: 'unknown_key' } });

    // Refetched early for a new kid: a remembered token of the retired key fails from then on.
    published = [await publicJwk(first)];
    const again = await startGuard({ verifiedTokenTtlMs: 3_600_000, jwksCacheMaxAgeMs: 600_000 });
    await again.authenticate(signedByFirst);
    published = [await publicJwk(second)];
    expect((await again.authenticate(await token(second))).userId).toBe('user-1');
    await expect(again.authenticate(signedByFirst)).rejects.toMatchObject({ details: { reason: 'unknown_key' } });
  });

  it('remembers nothing with verifiedTokenTtlMs: 0, and refuses a negative one', async () => {
    published = [await publicJwk(first)];
    const guard = await startGuard({ verifiedTokenTtlMs: 0 });
    const alice = await token(first, {}, { subject: 'alice' });
    events.clear();
    await guard.authenticate(alice);
    await guard.authenticate(alice);
    expect(servedFromMemory()).toEqual([false, false]);
    const deps = { observability: {} as never, locate: (() => undefined) as never };
    expect(
      () =>
        new SecurityGuard({
          ...deps,
          options: { jwks: { keys: [] }, issuer: ISSUER, audience: AUDIENCE, verifiedTokenTtlMs: -1 },
        }),
    ).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});

describe('Security Guard when the key server does not answer', () => {
  it('says ADAPTER_UNAVAILABLE (retry, look at the identity provider), not that the token is malformed', async () => {
    // A port that was just free: nothing listens there any more.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    // A key server answering 500, and one answering a body that is no key set.
    const broken = createServer((request, response) => {
      response.statusCode = request.url === '/500' ? 500 : 200;
      response.end(request.url === '/500' ? 'oops' : '{"not":"keys"}');
    });
    await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
    const brokenPort = (broken.address() as AddressInfo).port;
    const pair = await keyPair('k1');
    const signed = await token(pair);
    try {
      for (const jwksUrl of [
        `http://127.0.0.1:${port}/jwks.json`,
        `http://127.0.0.1:${brokenPort}/500`,
        `http://127.0.0.1:${brokenPort}/not-keys`,
      ]) {
        const platform = createPlatform({
          env: {},
          config: { telemetry: { sink: 'silent' } },
          modules: [smartCityModule({ roles: [securityGuard({ jwksUrl, issuer: ISSUER, audience: AUDIENCE })] })],
        });
        await platform.start();
        try {
          await expect(platform.get(SecurityGuardRef).authenticate(signed), jwksUrl).rejects.toMatchObject({
            code: 'ADAPTER_UNAVAILABLE',
          });
          // A token that is no JWT is still the token's fault.
          await expect(platform.get(SecurityGuardRef).authenticate('not.a.jwt')).rejects.toMatchObject({
            code: 'AUTHENTICATION_FAILED',
            details: { reason: 'malformed' },
          });
        } finally {
          await platform.stop();
        }
      }
    } finally {
      await new Promise((resolve) => broken.close(resolve));
    }
  });
});
