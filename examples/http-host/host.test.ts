import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost } from './host.ts';

const ISSUER = 'https://id.example.test';
const AUDIENCE = 'platform-api';

describe('examples/http-host: the data mash over HTTP in a host of 40 lines', () => {
  let keyServer: Server;
  let host: Awaited<ReturnType<typeof startHost>>;
  let dataDir: string;
  let sign: (claims: { sub: string; tenant: string; roles: string[] }) => Promise<string>;

  beforeAll(async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' };
    // The identity provider's key set, served on this machine (plain http is accepted on loopback only).
    keyServer = createServer((_request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => keyServer.listen(0, '127.0.0.1', resolve));
    const jwksPort = (keyServer.address() as AddressInfo).port;
    sign = ({ sub, tenant, roles }) =>
      new SignJWT({ app_metadata: { tenant_id: tenant, roles } })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setSubject(sub)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(privateKey);
    dataDir = await mkdtemp(join(tmpdir(), 'http-host-'));
    host = await startHost({
      JWKS_URL: `http://127.0.0.1:${jwksPort}/jwks.json`,
      JWT_ISSUER: ISSUER,
      JWT_AUDIENCE: AUDIENCE,
      PORT: '0',
      PLATFORM_DATA_DIR: dataDir,
      PLATFORM_TELEMETRY_SINK: 'silent',
    });
  });

  afterAll(async () => {
    await host?.stop();
    await new Promise((resolve) => keyServer?.close(resolve));
    await rm(dataDir, { recursive: true, force: true });
  });

  it('is healthy and ready without a credential, and refuses the API without one', async () => {
    expect((await fetch(`${host.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${host.url}/readyz`)).status).toBe(200);
    const refused = await fetch(`${host.url}/journeys`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
  });

  it('takes an upload from an analyst, runs its flow and serves the insights; another tenant sees nothing', async () => {
    const analyst = { authorization: `Bearer ${await sign({ sub: 'ada', tenant: 'acme', roles: ['analyst'] })}` };
    const upload = await fetch(`${host.url}/files?name=orders.csv`, {
      method: 'POST',
      headers: analyst,
      body: 'region,amount\nnorth,10\nsouth,20\n',
    });
    expect(upload.status).toBe(202);
    const { journeyId } = (await upload.json()) as { journeyId: string };
    let status = 'running';
    for (let attempt = 0; attempt < 200 && status === 'running'; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const read = await fetch(`${host.url}/journeys/${journeyId}`, { headers: analyst });
      status = ((await read.json()) as { journey: { status: string } }).journey.status;
    }
    expect(status).toBe('completed');
    const insights = await fetch(`${host.url}/journeys/${journeyId}/insights`, { headers: analyst });
    expect(insights.status).toBe(200);
    expect(JSON.stringify(await insights.json())).toContain('amount');

    const stranger = { authorization: `Bearer ${await sign({ sub: 'eve', tenant: 'globex', roles: ['analyst'] })}` };
    expect((await fetch(`${host.url}/journeys/${journeyId}/insights`, { headers: stranger })).status).toBe(404);
  });

  it('refuses a signed-in user whose roles grant no upload (403)', async () => {
    const viewer = { authorization: `Bearer ${await sign({ sub: 'vic', tenant: 'acme', roles: ['viewer'] })}` };
    const upload = await fetch(`${host.url}/files?name=x.csv`, { method: 'POST', headers: viewer, body: 'a\n1\n' });
    expect(upload.status).toBe(403);
    expect(((await upload.json()) as { code: string }).code).toBe('PERMISSION_DENIED');
  });
});
