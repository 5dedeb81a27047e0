import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FrontDoor,
  salesCsv,
  startFrontDoor,
  startIssuer,
  type TestIssuer,
  unsignedToken,
  waitForJourney,
} from './http.test-helpers.js';
import type { ProblemDetails } from './problems.js';

// A real server on 127.0.0.1, a real JWKS over http, the data mash's routes: who may call what.
let issuer: TestIssuer;
let door: FrontDoor;
let ada: Record<string, string>;
let bob: Record<string, string>;
let carol: Record<string, string>;
let acme: { journeyId: string; fileId: string };

async function call(path: string, init: RequestInit = {}) {
  const response = await fetch(`${door.url}${path}`, init);
  const text = await response.text();
  return { response, status: response.status, text, body: text.startsWith('{') ? JSON.parse(text) : undefined };
}

beforeAll(async () => {
  issuer = await startIssuer();
  door = await startFrontDoor(issuer);
  ada = { authorization: `Bearer ${await issuer.sign({ sub: 'ada', tenantId: 'acme' })}` };
  bob = { authorization: `Bearer ${await issuer.sign({ sub: 'bob', tenantId: 'globex' })}` };
  carol = { authorization: `Bearer ${await issuer.sign({ sub: 'carol', tenantId: 'acme', permissions: [] })}` };
  const upload = await call('/files?name=sales.csv', {
    method: 'POST',
    headers: { ...ada, 'content-type': 'text/csv' },
    body: salesCsv(),
  });
  expect(upload.status).toBe(202);
  const done = await waitForJourney(door.url, upload.body.journeyId, ada);
  expect(done.journey.status).toBe('completed');
  const milestones = done.journey.milestones as Array<{ name: string; result?: { fileId?: string } }>;
  const fileId = milestones.find((milestone) => milestone.name === 'file_uploaded')?.result?.fileId as string;
  acme = { journeyId: upload.body.journeyId, fileId };
  // Text is indexed as chunks, which `GET /search` finds (a CSV's columns are not of its default kind).
  const notes = await call('/files?name=notes.md', {
    method: 'POST',
    headers: { ...ada, 'content-type': 'text/markdown' },
    body: '# Quarterly notes\n\nNorthern revenue grew; the loyalty programme kept customers.\n',
  });
  expect((await waitForJourney(door.url, notes.body.journeyId, ada)).journey.status).toBe('completed');
});

afterAll(async () => {
  await door?.stop();
  await issuer?.close();
});

describe('authentication', () => {
  const spec = { sub: 'ada', tenantId: 'acme' };

  it.each([
    ['no credential', async () => ({}), 'missing'],
    [
      'a token signed by another key',
      async () => ({ authorization: `Bearer ${await issuer.forge(spec)}` }),
      'invalid_signature',
    ],
    [
      'an expired token',
      async () => ({ authorization: `Bearer ${await issuer.sign({ ...spec, expiresIn: -60 })}` }),
      'expired',
    ],
    [
      'a token issued in the future',
      async () => ({ authorization: `Bearer ${await issuer.sign({ ...spec, issuedAt: 3600, expiresIn: 3900 })}` }),
      'claim_invalid',
    ],
    ['an alg:none token', async () => ({ authorization: `Bearer ${unsignedToken(spec)}` }), undefined],
    ['a token that is not a JWT', async () => ({ authorization: 'Bearer not.a.jwt' }), 'malformed'],
    ['a Basic credential', async () => ({ authorization: 'Basic YWRhOnNlY3JldA==' }), 'malformed'],
    ['an unknown API key', async () => ({ 'x-api-key': 'pk_unknown' }), 'unknown_key'],
    ['an unknown ApiKey authorization', async () => ({ authorization: 'ApiKey pk_unknown' }), 'unknown_key'],
    ['two credentials', async () => ({ ...ada, 'x-api-key': door.apiKey }), 'ambiguous'],
  ])('refuses %s with 401, WWW-Authenticate: Bearer and a problem', async (_name, headers, reason) => {
    const { response, status, body } = await call('/journeys', { headers: await headers() });
    expect(status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(body).toMatchObject({ status: 401, code: 'AUTHENTICATION_FAILED', instance: '/journeys' });
    if (reason) expect(body.details.reason).toBe(reason);
  });

  it('refuses a credential in the query string (it would end up in access logs)', async () => {
    const token = await issuer.sign(spec);
    const { status, body } = await call(`/journeys?access_token=${token}`);
    expect(status).toBe(401);
    expect(body.details.reason).toBe('credential_in_url');
  });

  it('accepts an API key as `Authorization: ApiKey` and as `X-API-Key`', async () => {
    const viaAuthorization = await call('/journeys', { headers: { authorization: `ApiKey ${door.apiKey}` } });
    const viaHeader = await call('/journeys', { headers: { 'x-api-key': door.apiKey } });
    expect([viaAuthorization.status, viaHeader.status]).toEqual([200, 200]);
    expect(viaHeader.body.items.map((journey: { id: string }) => journey.id)).toContain(acme.journeyId);
  });

  it('does not answer an unauthenticated caller about routes (401 before 404 or 405)', async () => {
    expect((await call('/no-such-route')).status).toBe(401);
    expect((await call('/journeys', { method: 'PUT' })).status).toBe(401);
  });
});

describe('authorization', () => {
  const routes = (): Array<[string, string, string?, string?]> => [
    ['POST', '/files?name=x.csv', 'text/csv', 'a,b\n1,2\n'],
    ['POST', '/journeys', 'application/json', JSON.stringify({ fileId: acme.fileId })],
    ['GET', '/journeys'],
    ['GET', `/journeys/${acme.journeyId}`],
    ['GET', `/journeys/${acme.journeyId}/insights`],
    ['GET', `/journeys/${acme.journeyId}/report`],
    ['GET', `/journeys/${acme.journeyId}/lineage`],
    ['GET', `/journeys/${acme.journeyId}/governance`],
    ['GET', `/journeys/${acme.journeyId}/trace`],
    ['GET', '/search?q=customer'],
    ['DELETE', `/files/${acme.fileId}`],
  ];

  it('refuses every data mash route to a caller without its permission (403)', async () => {
    for (const [method, path, type, body] of routes()) {
      const answer = await call(path, {
        method,
        headers: { ...carol, ...(type ? { 'content-type': type } : {}) },
        ...(body ? { body } : {}),
      });
      expect(answer.status, `${method} ${path}`).toBe(403);
      expect(answer.body.code).toBe('PERMISSION_DENIED');
    }
  });

  it("answers another tenant's journey and file with 404, as if they did not exist", async () => {
    const paths: Array<[string, string]> = [
      ['GET', `/journeys/${acme.journeyId}`],
      ['GET', `/journeys/${acme.journeyId}/insights`],
      ['GET', `/journeys/${acme.journeyId}/report`],
      ['GET', `/journeys/${acme.journeyId}/lineage`],
      ['GET', `/journeys/${acme.journeyId}/governance`],
      ['GET', `/journeys/${acme.journeyId}/trace`],
      ['DELETE', `/files/${acme.fileId}`],
    ];
    for (const [method, path] of paths) {
      const theirs = await call(path, { method, headers: bob });
      const missing = await call(path.replace(/(journey|file)_[0-9a-f-]+/, '$1_missing'), {
        method,
        headers: bob,
      });
      expect(theirs.status, `${method} ${path}`).toBe(404);
      const strip = ({ traceId: _t, instance: _i, ...rest }: ProblemDetails) => rest;
      expect(strip(theirs.body), `${method} ${path}`).toEqual(strip(missing.body));
      expect(theirs.body).toMatchObject({ code: 'NOT_FOUND', title: 'Not found' });
      expect(theirs.body.details).toBeUndefined();
    }
    const start = await call('/journeys', {
      method: 'POST',
      headers: { ...bob, 'content-type': 'application/json' },
      body: JSON.stringify({ fileId: acme.fileId }),
    });
    expect(start.status).toBe(404);
    // Acme's file is still there, and acme still reads it.
    expect((await call(`/journeys/${acme.journeyId}`, { headers: ada })).status).toBe(200);
  });

  it("lists and searches only the caller's own tenant", async () => {
    const journeys = await call('/journeys', { headers: bob });
    expect(journeys.status).toBe(200);
    expect(journeys.body.items).toEqual([]);
    const theirs = await call('/search?q=northern%20revenue', { headers: bob });
    const ours = await call('/search?q=northern%20revenue', { headers: ada });
    expect(theirs.status).toBe(200);
    expect(theirs.body.hits).toEqual([]);
    expect(ours.body.hits.length).toBeGreaterThan(0);
  });
});
