import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FrontDoor, startFrontDoor, startIssuer, type TestIssuer } from './http.test-helpers.js';

// Three requests per tenant and route template per minute: the Traffic Cop counts, the front door tells.
let issuer: TestIssuer;
let door: FrontDoor;
let ada: Record<string, string>;
let bob: Record<string, string>;

const get = (path: string, headers: Record<string, string>) => fetch(`${door.url}${path}`, { headers });

beforeAll(async () => {
  issuer = await startIssuer();
  // A clock stopped half way through a window: no window ends while the test runs.
  const frozen = Math.floor(Date.now() / 60_000) * 60_000 + 30_000;
  door = await startFrontDoor(issuer, { limits: { perApi: { limit: 3, windowMs: 60_000 } }, now: () => frozen });
  ada = { authorization: `Bearer ${await issuer.sign({ sub: 'ada', tenantId: 'acme' })}` };
  bob = { authorization: `Bearer ${await issuer.sign({ sub: 'bob', tenantId: 'globex' })}` };
});

afterAll(async () => {
  await door?.stop();
  await issuer?.close();
});

describe('rate limits', () => {
  it('tells the limit in RateLimit-* headers, then answers 429 with Retry-After', async () => {
    const remaining: Array<string | null> = [];
    for (let index = 0; index < 3; index += 1) {
      const response = await get('/journeys', ada);
      expect(response.status).toBe(200);
      expect(response.headers.get('ratelimit-limit')).toBe('3');
      expect(Number(response.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
      remaining.push(response.headers.get('ratelimit-remaining'));
    }
    expect(remaining).toEqual(['2', '1', '0']);
    const refused = await get('/journeys', ada);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    // GCRA: 3 a minute frees one request every 20 s.
    expect(retryAfter).toBe(20);
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(await refused.json()).toMatchObject({
      status: 429,
      code: 'RATE_LIMITED',
      details: { scope: 'api', api: 'GET /journeys', limit: 3 },
    });
  });

  it('counts by route template: varying a path parameter does not dodge the limit', async () => {
    const statuses: number[] = [];
    for (const id of ['a', 'b', 'c', 'd', 'e']) statuses.push((await get(`/journeys/${id}`, ada)).status);
    expect(statuses).toEqual([404, 404, 404, 429, 429]);
    // Another template has its own window.
    expect((await get('/journeys/a/insights', ada)).status).toBe(404);
  });

  it('counts unknown routes in one bucket, so probing for APIs is limited too', async () => {
    const statuses: number[] = [];
    for (const path of ['/probe/1', '/probe/2', '/admin', '/.env']) statuses.push((await get(path, ada)).status);
    expect(statuses).toEqual([404, 404, 404, 429]);
  });

  it("limits by tenant: one tenant's use leaves another's budget alone", async () => {
    const response = await get('/journeys', bob);
    expect(response.status).toBe(200);
    expect(response.headers.get('ratelimit-remaining')).toBe('2');
  });
});
