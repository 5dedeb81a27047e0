import { createPlatform, MemoryKeyValueStore } from '@platform/foundations';
import { describe, expect, it } from 'vitest';
import { smartCityModule } from '../city-manager/city-manager.js';
import type { UserContext } from '../user-context/user-context.js';
import { testUser } from '../user-context/user-context.test-helpers.js';
import { serviceIdentity } from '../user-context/verified.js';
import { type TrafficCopOptions, TrafficCopRef, trafficCop } from './traffic-cop.js';

const ada: UserContext = { userId: 'ada', tenantId: 'acme', roles: [], permissions: [] };
const bob: UserContext = { userId: 'bob', tenantId: 'acme', roles: [], permissions: [] };
const eve: UserContext = { userId: 'eve', tenantId: 'globex', roles: [], permissions: [] };

async function start(options: TrafficCopOptions) {
  let now = 1_000_000;
  const clock = { now: () => now, advance: (ms: number) => (now += ms) };
  const platform = createPlatform({
    env: {},
    telemetrySink: () => {},
    adapters: { keyValueStore: new MemoryKeyValueStore({ now: clock.now }) },
    modules: [smartCityModule({ roles: [trafficCop({ ...options, now: clock.now })] })],
  });
  await platform.start();
  return { cop: platform.get(TrafficCopRef), clock, stop: () => platform.stop() };
}

describe('Traffic Cop sessions', () => {
  it('creates sessions that expire after their time to live, extends them on touch, and ends them', async () => {
    const { cop, clock, stop } = await start({ sessionTtlMs: 1000 });
    const session = await cop.createSession(ada, { device: 'laptop' });
    expect(session).toMatchObject({
      userId: 'ada',
      tenantId: 'acme',
      expiresAt: 1_001_000,
      data: { device: 'laptop' },
    });
    clock.advance(600);
    expect((await cop.touchSession('acme', session.sessionId))?.expiresAt).toBe(1_001_600);
    clock.advance(900);
    expect(await cop.getSession('acme', session.sessionId)).toBeDefined();
    clock.advance(200);
    expect(await cop.getSession('acme', session.sessionId)).toBeUndefined();
    expect(await cop.touchSession('acme', session.sessionId)).toBeUndefined();
    const other = await cop.createSession(ada);
    expect(await cop.getSession('globex', other.sessionId)).toBeUndefined();
    expect(await cop.endSession('acme', other.sessionId)).toBe(true);
    expect(await cop.getSession('acme', other.sessionId)).toBeUndefined();
    await expect(cop.createSession({ userId: 'x' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await stop();
  });

  it('refuses a malformed stored session with CONTRACT_VIOLATION instead of trusting it', async () => {
    const store = new MemoryKeyValueStore();
    const platform = createPlatform({
      env: {},
      telemetrySink: () => {},
      adapters: { keyValueStore: store },
      modules: [smartCityModule({ roles: [trafficCop({ enforceSessions: true })] })],
    });
    await platform.start();
    const cop = platform.get(TrafficCopRef);
    await store.set('acme', 'session:forged', { sessionId: 'forged', userId: 'ada' });
    await expect(cop.getSession('acme', 'forged')).rejects.toMatchObject({ code: 'CONTRACT_VIOLATION' });
    await expect(cop.enforceSession(testUser('ada', 'acme', { sessionId: 'forged' }))).rejects.toMatchObject({
      code: 'CONTRACT_VIOLATION',
    });
    await platform.stop();
  });

  it('does not bring back a session ended while it was being touched', async () => {
    const { cop, stop } = await start({ sessionTtlMs: 1000 });
    const session = await cop.createSession(ada);
    const [touched] = await Promise.all([
      cop.touchSession('acme', session.sessionId),
      cop.endSession('acme', session.sessionId),
    ]);
    expect(touched === undefined || touched.sessionId === session.sessionId).toBe(true);
    expect(await cop.getSession('acme', session.sessionId)).toBeUndefined();
    await stop();
  });
});

describe('Traffic Cop rate limits', () => {
  it('limits per user with RATE_LIMITED and a retry-after, and lets one more pass as the bucket drains', async () => {
    const { cop, clock, stop } = await start({ limits: { perUser: { limit: 3, windowMs: 1000 } } });
    for (let index = 0; index < 3; index += 1)
      expect((await cop.enforceRateLimit(ada, 'files.upload')).allowed).toBe(true);
    const error = await cop.enforceRateLimit(ada, 'files.upload').catch((caught: unknown) => caught);
    // GCRA: a burst of 3, then one request every 1000 / 3 ms.
    expect(error).toMatchObject({
      code: 'RATE_LIMITED',
      details: { scope: 'user', api: 'files.upload', retryAfterMs: 334 },
    });
    expect((error as Error).message).toBe("rate limit per user reached for 'files.upload': retry in 1 s");
    expect((await cop.checkRateLimit(bob, 'files.upload')).allowed).toBe(true);
    clock.advance(333);
    expect((await cop.checkRateLimit(ada, 'files.upload')).allowed).toBe(false);
    clock.advance(1);
    expect((await cop.checkRateLimit(ada, 'files.upload')).allowed).toBe(true);
    expect((await cop.checkRateLimit(ada, 'files.upload')).allowed).toBe(false);
    // After a whole window of silence, the whole burst is available again.
    clock.advance(1000);
    for (let index = 0; index < 3; index += 1)
      expect((await cop.checkRateLimit(ada, 'files.upload')).allowed).toBe(true);
    expect((await cop.checkRateLimit(ada, 'files.upload')).allowed).toBe(false);
    await stop();
  });

  it('limits per tenant and per API, keeping tenants apart; a refused request uses up no limit', async () => {
    const { cop, stop } = await start({
      limits: { perTenant: { limit: 4, windowMs: 60_000 }, perApi: { limit: 2, windowMs: 60_000 } },
    });
    expect((await cop.checkRateLimit(ada, 'search')).remaining).toBe(1);
    expect((await cop.checkRateLimit(bob, 'search')).allowed).toBe(true);
    expect(await cop.checkRateLimit(ada, 'search')).toMatchObject({ allowed: false, scope: 'api' });
    // The refused search was not counted against the tenant: two more requests pass.
    expect((await cop.checkRateLimit(bob, 'upload')).allowed).toBe(true);
    expect((await cop.checkRateLimit(ada, 'list')).allowed).toBe(true);
    expect(await cop.checkRateLimit(bob, 'upload')).toMatchObject({ allowed: false, scope: 'tenant' });
    expect((await cop.checkRateLimit(eve, 'search')).allowed).toBe(true);
    await stop();
  });

  it('counts concurrent requests exactly', async () => {
    const { cop, stop } = await start({ limits: { perUser: { limit: 10, windowMs: 60_000 } } });
    const decisions = await Promise.all(Array.from({ length: 25 }, () => cop.checkRateLimit(ada, 'x')));
    expect(decisions.filter((decision) => decision.allowed)).toHaveLength(10);
    await stop();
  });
});

describe('Traffic Cop session enforcement', () => {
  it('with enforceSessions, refuses an ended, expired or borrowed session and extends a live one', async () => {
    const { cop, clock, stop } = await start({ enforceSessions: true, sessionTtlMs: 1000 });
    const session = await cop.createSession(ada);
    const inSession = testUser('ada', 'acme', { sessionId: session.sessionId });
    clock.advance(900);
    await cop.enforceSession(inSession);
    expect((await cop.getSession('acme', session.sessionId))?.expiresAt).toBe(1_001_900);
    const borrowed = testUser('bob', 'acme', { sessionId: session.sessionId });
    await expect(cop.enforceSession(borrowed)).rejects.toMatchObject({
      code: 'AUTHENTICATION_FAILED',
      details: { reason: 'session_expired' },
    });
    clock.advance(1001);
    await expect(cop.enforceSession(inSession)).rejects.toMatchObject({ details: { reason: 'session_expired' } });
    const next = await cop.createSession(ada);
    await cop.endSession('acme', next.sessionId);
    await expect(cop.enforceSession(testUser('ada', 'acme', { sessionId: next.sessionId }))).rejects.toMatchObject({
      code: 'AUTHENTICATION_FAILED',
    });
    // No session named, or the platform's own process: nothing to check.
    await cop.enforceSession(testUser('ada', 'acme'));
    await cop.enforceSession(serviceIdentity({ service: 'worker', tenantId: 'acme' }));
    await stop();
  });

  it('without enforceSessions, checks nothing', async () => {
    const { cop, stop } = await start({});
    await cop.enforceSession(testUser('ada', 'acme', { sessionId: 'never-created' }));
    await stop();
  });
});

describe('Traffic Cop decisions', () => {
  it('report the tightest window and its limit, and refusal() names the API', async () => {
    const { cop, stop } = await start({
      limits: { perUser: { limit: 5, windowMs: 1000 }, perApi: { limit: 2, windowMs: 60_000 } },
    });
    expect(await cop.checkRateLimit(ada, 'GET /files/{fileId}')).toEqual({
      allowed: true,
      remaining: 1,
      limit: 2,
      // The bucket of 2 a minute refills one request every 30 s.
      resetMs: 30_000,
    });
    await cop.checkRateLimit(ada, 'GET /files/{fileId}');
    const refused = await cop.checkRateLimit(ada, 'GET /files/{fileId}');
    expect(refused).toMatchObject({ allowed: false, scope: 'api', remaining: 0, limit: 2 });
    // One more request may pass in about 30 s; the whole limit of 2 is back in about a minute.
    expect(refused.retryAfterMs).toBeGreaterThan(29_000);
    expect(refused.resetMs).toBeGreaterThan(59_000);
    expect(cop.refusal(refused, 'GET /files/{fileId}')).toMatchObject({
      code: 'RATE_LIMITED',
      details: { scope: 'api', api: 'GET /files/{fileId}', limit: 2, retryAfterMs: refused.retryAfterMs },
    });
    expect(await cop.checkRateLimit(ada, 'x')).toMatchObject({ allowed: true });
    await stop();
  });
});
