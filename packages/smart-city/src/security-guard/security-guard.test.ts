import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPlatform } from '@platform/foundations';
import { supabaseAuth } from '@platform/foundations/supabase';
import { createMemorySink } from '@platform/observability/testing';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smartCityModule } from '../city-manager/city-manager.js';
import type { UserContext } from '../user-context/user-context.js';
import { type SecurityGuard, SecurityGuardRef, securityGuard } from './security-guard.js';

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
  options: { expiresIn?: string | number; alg?: string } = {},
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
    .setSubject('user-1')
    .setIssuedAt()
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

  it('verifies a Supabase-style token and maps its claims to a user context', async () => {
    const user = await guard.authenticate(`Bearer ${await token(current)}`);
    expect(user).toEqual({
      userId: 'user-1',
      tenantId: 'acme',
      sessionId: 'session-1',
      roles: ['authenticated', 'analyst'],
      permissions: ['reports:read'],
    });
    expect(await guard.resolveTenant(await token(current))).toBe('acme');
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
  it('lets a policy decide first, including granting cross-tenant access explicitly', async () => {
    const pair = await keyPair('k');
    const platform = createPlatform({
      env: {},
      telemetrySink: () => {},
      modules: [
        smartCityModule({
          roles: [
            securityGuard({
              jwks: { keys: [await publicJwk(pair)] },
              issuer: ISSUER,
              audience: AUDIENCE,
              policy: ({ user, resource }) =>
                user.roles.includes('platform_operator') && resource?.tenantId
                  ? { allowed: true, reason: 'operator_override' }
                  : undefined,
            }),
          ],
        }),
      ],
    });
    await platform.start();
    const guard = platform.get(SecurityGuardRef);
    const operator: UserContext = { userId: 'op', tenantId: 'platform', roles: ['platform_operator'], permissions: [] };
    expect(guard.authorize({ user: operator, action: 'files:read', resource: { tenantId: 'acme' } })).toEqual({
      allowed: true,
      reason: 'operator_override',
    });
    expect(
      guard.authorize({ user: { ...operator, roles: [] }, action: 'files:read', resource: { tenantId: 'acme' } })
        .reason,
    ).toBe('tenant_mismatch');
    expect((await guard.authenticate(await token(pair))).tenantId).toBe('acme');
    await platform.stop();
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
      modules: [smartCityModule({ roles: [securityGuard({ ...supabaseAuth(project) })] })],
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
