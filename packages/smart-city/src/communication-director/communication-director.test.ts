import { createPlatform, defineService, defineServiceRef, MemoryKeyValueStore } from '@platform/foundations';
import { installObservabilityRecorder } from '@platform/observability/testing';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ApiGatewayRef, apiGateway } from '../api-gateway/api-gateway.js';
import { smartCityModule } from '../city-manager/city-manager.js';
import { PostOfficeRef, postOffice } from '../post-office/post-office.js';
import { SecurityGuardRef, securityGuard } from '../security-guard/security-guard.js';
import { type TrafficCopOptions, TrafficCopRef, trafficCop } from '../traffic-cop/traffic-cop.js';
import type { UserContext } from '../user-context/user-context.js';
import { testUser } from '../user-context/user-context.test-helpers.js';
import { serviceIdentity } from '../user-context/verified.js';
import { CommunicationDirectorRef, communicationDirector, RequestRoutedEvent } from './communication-director.js';

const recorder = installObservabilityRecorder();
afterAll(() => recorder.uninstall());
beforeEach(() => recorder.reset());

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
// The notes capabilities declare no permission: each is guarded by its own name.
const ada = testUser('ada', 'acme', { permissions: ['notes.create_note', 'notes.get_note', 'notes.delete_note'] });

class Notes {
  readonly notes = new Map<string, { id: string; tenantId: string; text: string }>();
  createNote(input: { text: string }, user: UserContext) {
    const note = { id: `n${this.notes.size + 1}`, tenantId: user.tenantId, text: input.text };
    this.notes.set(note.id, note);
    return { id: note.id };
  }
  getNote(input: { noteId: string }, user: UserContext) {
    const note = this.notes.get(input.noteId);
    return note && note.tenantId === user.tenantId ? { id: note.id, text: note.text } : { id: input.noteId, text: 42 };
  }
}
const NotesRef = defineServiceRef<Notes>({ id: 'realm.notes', tier: 'realm' });
const notes = defineService({
  ref: NotesRef,
  factory: () => new Notes(),
  description: {
    realm: 'notes',
    capabilities: [
      {
        name: 'notes.create_note',
        description: 'Create a note',
        input: z.object({ text: z.string().min(1).max(100) }),
        output: z.object({ id: z.string() }),
      },
      {
        name: 'notes.get_note',
        description: 'Read a note',
        input: z.object({ noteId: z.string() }),
        output: z.object({ id: z.string(), text: z.string() }),
      },
      {
        name: 'notes.delete_note',
        description: 'Delete a note',
        input: z.object({ noteId: z.string() }),
        output: z.object({}),
      },
    ],
    apis: [
      { method: 'POST', path: '/notes', capability: 'notes.create_note' },
      { method: 'GET', path: '/notes/{noteId}', capability: 'notes.get_note' },
      { method: 'DELETE', path: '/notes/{noteId}', capability: 'notes.delete_note' },
    ],
  },
});

// Journeys by id, and a listing whose input comes from the query string.
class Journeys {
  getJourney(input: { journeyId: string }) {
    return { journeyId: input.journeyId };
  }
  listJourneys(input: Record<string, unknown>) {
    return { input, prototype: Object.getPrototypeOf(input) === Object.prototype };
  }
  archiveJourney(input: { journeyId: string }) {
    return { journeyId: input.journeyId };
  }
}
const JourneysRef = defineServiceRef<Journeys>({ id: 'realm.journeys', tier: 'realm' });
const journeys = defineService({
  ref: JourneysRef,
  factory: () => new Journeys(),
  description: {
    realm: 'journeys',
    capabilities: [
      {
        name: 'journeys.get_journey',
        description: 'One journey',
        permission: 'journeys:read',
        input: z.object({ journeyId: z.string() }),
        output: z.object({ journeyId: z.string() }),
      },
      {
        name: 'journeys.list_journeys',
        description: 'Journeys, filtered by the query',
        permission: 'journeys:read',
        input: z
          .object({
            status: z.union([z.string(), z.array(z.string())]).optional(),
            limit: z.coerce.number().int().optional(),
          })
          .passthrough(),
        output: z.object({ input: z.record(z.string(), z.unknown()), prototype: z.boolean() }),
      },
      {
        // No permission declared: only a caller granted 'journeys.archive_journey' (or '*') may call it.
        name: 'journeys.archive_journey',
        description: 'Archive a journey',
        input: z.object({ journeyId: z.string() }),
        output: z.object({ journeyId: z.string() }),
      },
    ],
    apis: [
      { method: 'GET', path: '/journeys/{journeyId}', capability: 'journeys.get_journey' },
      { method: 'GET', path: '/journeys', capability: 'journeys.list_journeys' },
      { method: 'POST', path: '/journeys/{journeyId}/archive', capability: 'journeys.archive_journey' },
    ],
  },
});

async function start(
  options: { trafficCop?: TrafficCopOptions; roles?: Parameters<typeof smartCityModule>[0]['roles'] } = {},
) {
  const platform = createPlatform({
    env: {},
    telemetrySink: recorder.sink,
    adapters: { keyValueStore: new MemoryKeyValueStore() },
    modules: [
      smartCityModule({
        roles: [
          trafficCop(options.trafficCop ?? { limits: { perUser: { limit: 5, windowMs: 60_000 } } }),
          apiGateway(),
          postOffice(),
          communicationDirector(),
          ...(options.roles ?? []),
        ],
      }),
    ],
    services: [notes, journeys],
  });
  await platform.start();
  return platform;
}

describe('API Gateway', () => {
  it('routes to the registered API, with path parameters, validating input and output', async () => {
    const platform = await start();
    const gateway = platform.get(ApiGatewayRef);
    const created = await gateway.route({ endpoint: 'POST /notes', payload: { text: 'hello' }, userContext: ada });
    expect(created).toMatchObject({
      result: { id: 'n1' },
      service: 'realm.notes',
      capability: 'notes.create_note',
      api: { method: 'POST', path: '/notes', capability: 'notes.create_note' },
    });
    expect((await gateway.route({ endpoint: 'GET /notes/n1', userContext: ada })).result).toEqual({
      id: 'n1',
      text: 'hello',
    });

    await expect(
      gateway.route({ endpoint: 'POST /notes', payload: { text: '' }, userContext: ada }),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { problems: ['text: Too small: expected string to have >=1 characters'] },
    });
    await expect(gateway.route({ endpoint: 'GET /notes/missing', userContext: ada })).rejects.toMatchObject({
      code: 'CONTRACT_VIOLATION',
    });
    await expect(gateway.route({ endpoint: 'DELETE /notes/n1', userContext: ada })).rejects.toMatchObject({
      code: 'CONTRACT_VIOLATION',
      message: "service 'realm.notes' offers 'notes.delete_note' but has no method 'deleteNote'",
    });
    await expect(gateway.route({ endpoint: 'GET /nowhere', userContext: ada })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    for (const endpoint of ['notes', 'FETCH /notes', 'GET /notes extra', '']) {
      await expect(gateway.route({ endpoint, userContext: ada })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    }
    await expect(gateway.route({ endpoint: 'GET /notes/n1', userContext: { userId: 'ada' } })).rejects.toMatchObject({
      code: 'AUTHENTICATION_FAILED',
      details: { reason: 'unverified_user_context' },
    });
    await platform.stop();
  });
});

describe('Communication Director', () => {
  it('answers with an envelope under the caller trace, and publishes a routed event', async () => {
    const platform = await start();
    const routed: string[] = [];
    platform.get(PostOfficeRef).subscribe(RequestRoutedEvent, 'acme', (event) => {
      routed.push(`${event.payload.capability}@${event.traceId}`);
    });
    const director = platform.get(CommunicationDirectorRef);
    recorder.reset();
    const answer = await director.routeRequest({
      endpoint: 'POST /notes',
      payload: { text: 'hi' },
      userContext: ada,
      headers: { traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` },
    });
    expect(answer).toEqual({
      success: true,
      traceId: TRACE_ID,
      result: { id: 'n1' },
      capability: 'notes.create_note',
      api: expect.objectContaining({ method: 'POST', path: '/notes' }),
      rateLimit: { allowed: true, remaining: 4, limit: 5, resetMs: expect.any(Number) },
    });
    expect(routed).toEqual([`notes.create_note@${TRACE_ID}`]);

    const root = recorder.span('communication_director.route_request');
    expect(root).toMatchObject({ traceId: TRACE_ID, parentSpanId: '00f067aa0ba902b7' });
    // The roles' spans (the Public Works stores' own spans, e.g. the Traffic Cop's counter, aside).
    expect(
      recorder
        .childrenOf(root)
        .map((span) => span.name)
        .filter((name) => !/^(blob_store|metadata_store|semantic_store|key_value_store|event_bus)\./.test(name))
        .sort(),
    ).toEqual(['api_gateway.route', 'post_office.publish']);
    expect(new Set(recorder.spans().map((span) => span.traceId))).toEqual(new Set([TRACE_ID]));
    await platform.stop();
  });

  it('turns every failure into a typed error envelope: validation, rate limit, unknown route', async () => {
    const platform = await start();
    const director = platform.get(CommunicationDirectorRef);
    const invalid = await director.routeRequest({ endpoint: 'POST /notes', payload: { text: 7 }, userContext: ada });
    expect(invalid).toMatchObject({ success: false, error: { code: 'VALIDATION_FAILED' } });
    expect(invalid.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(
      await director.routeRequest({ endpoint: 'POST /notes', payload: {}, userContext: { nope: true } }),
    ).toMatchObject({
      success: false,
      error: { code: 'AUTHENTICATION_FAILED', details: { reason: 'unverified_user_context' } },
    });
    for (let index = 0; index < 3; index += 1)
      await director.routeRequest({ endpoint: 'GET /nowhere', userContext: ada });
    expect(await director.routeRequest({ endpoint: 'GET /nowhere', userContext: ada })).toMatchObject({
      success: false,
      error: { code: 'NOT_FOUND' },
    });
    expect(await director.routeRequest({ endpoint: 'GET /nowhere', userContext: ada })).toMatchObject({
      success: false,
      error: { code: 'RATE_LIMITED', details: { scope: 'user' } },
    });
    recorder.assertNoOpenSpans();
    await platform.stop();
  });
});

describe('API Gateway: query strings and permissions', () => {
  const reader = testUser('rita', 'acme', { permissions: ['journeys:read'] });

  it('parses the query string into the input: repeated names give arrays, __proto__ is ignored', async () => {
    const platform = await start();
    const gateway = platform.get(ApiGatewayRef);
    const match = gateway.match('GET /journeys?status=failed&status=running&limit=20&__proto__=x&constructor=y');
    expect(match).toMatchObject({ template: 'GET /journeys', params: {} });
    expect(match.query).toEqual({ status: ['failed', 'running'], limit: '20' });
    expect(Object.getPrototypeOf(match.query)).toBe(Object.prototype);
    expect(Object.hasOwn(match.query, '__proto__')).toBe(false);

    const routed = await gateway.route({
      endpoint: 'GET /journeys?status=failed&limit=20&__proto__=x',
      userContext: reader,
    });
    expect(routed.result).toEqual({ input: { status: 'failed', limit: 20 }, prototype: true });
    // Path parameters win over the query: `?journeyId=` cannot redirect a request to another record.
    expect((await gateway.route({ endpoint: 'GET /journeys/j-1?journeyId=j-2', userContext: reader })).result).toEqual({
      journeyId: 'j-1',
    });
    // Percent-encoding is decoded, in the path and in the query.
    expect(gateway.match('GET /journeys/a%20b?status=%E2%9C%93').params).toEqual({ journeyId: 'a b' });
    expect(gateway.match('GET /journeys/a%20b?status=%E2%9C%93').query).toEqual({ status: '✓' });
    await platform.stop();
  });

  it('answers bad percent-encoding with VALIDATION_FAILED, not a crash', async () => {
    const platform = await start();
    const gateway = platform.get(ApiGatewayRef);
    for (const endpoint of ['GET /journeys/%E0%A4%A', 'GET /journeys/%', 'GET /journeys/%zz']) {
      expect(() => gateway.match(endpoint)).toThrow(
        expect.objectContaining({ code: 'VALIDATION_FAILED', details: { field: 'endpoint' } }),
      );
      await expect(gateway.route({ endpoint, userContext: reader })).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
    }
    // In the query, a stray % is taken as it is (as browsers do).
    expect(gateway.match('GET /journeys?status=%zz&limit=%').query).toEqual({ status: '%zz', limit: '%' });
    const director = platform.get(CommunicationDirectorRef);
    expect(await director.routeRequest({ endpoint: 'GET /journeys/%E0%A4%A', userContext: reader })).toMatchObject({
      success: false,
      error: { code: 'VALIDATION_FAILED' },
    });
    await platform.stop();
  });

  it("checks the capability's permission, by default its own name, failing closed", async () => {
    const platform = await start();
    const gateway = platform.get(ApiGatewayRef);
    // A declared permission.
    expect((await gateway.route({ endpoint: 'GET /journeys/j-1', userContext: reader })).result).toEqual({
      journeyId: 'j-1',
    });
    const nobody = testUser('nina', 'acme', { permissions: [] });
    await expect(gateway.route({ endpoint: 'GET /journeys/j-1', userContext: nobody })).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
      details: { action: 'journeys:read', reason: 'no_permission' },
    });
    // No permission declared: the capability's name is the permission; a related grant is not enough.
    await expect(gateway.route({ endpoint: 'POST /journeys/j-1/archive', userContext: reader })).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
      details: { action: 'journeys.archive_journey' },
    });
    const archivist = testUser('arch', 'acme', { permissions: ['journeys.archive_journey'] });
    expect((await gateway.route({ endpoint: 'POST /journeys/j-1/archive', userContext: archivist })).result).toEqual({
      journeyId: 'j-1',
    });
    // The service's handler never ran for a refused caller: nothing was created.
    await expect(
      gateway.route({ endpoint: 'POST /notes', payload: { text: 'x' }, userContext: reader }),
    ).rejects.toMatchObject({ code: 'PERMISSION_DENIED', details: { action: 'notes.create_note' } });
    expect(platform.get(NotesRef).notes.size).toBe(0);
    // Through the Communication Director: the same refusal, as an envelope.
    expect(
      await platform.get(CommunicationDirectorRef).routeRequest({ endpoint: 'GET /journeys/j-1', userContext: nobody }),
    ).toMatchObject({ success: false, error: { code: 'PERMISSION_DENIED' } });
    await platform.stop();
  });

  it("decides permissions through the Security Guard when there is one: its roles' permissions count", async () => {
    const platform = await start({
      roles: [
        securityGuard({
          jwks: { keys: [] },
          issuer: 'https://issuer.example',
          audience: 'test',
          rolePermissions: { editor: ['notes.create_note'] },
        }),
      ],
    });
    const gateway = platform.get(ApiGatewayRef);
    const editor = testUser('ed', 'acme', { roles: ['editor'], permissions: [] });
    expect(
      (await gateway.route({ endpoint: 'POST /notes', payload: { text: 'x' }, userContext: editor })).result,
    ).toEqual({ id: 'n1' });
    await expect(gateway.route({ endpoint: 'GET /notes/n1', userContext: editor })).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
    });
    await platform.stop();
  });
});

describe('Communication Director: verified callers', () => {
  it('refuses a well-shaped plain user context, and a copy of a verified one', async () => {
    const platform = await start();
    const director = platform.get(CommunicationDirectorRef);
    const plain: UserContext = { userId: 'ada', tenantId: 'acme', roles: [], permissions: ['*'] };
    for (const userContext of [plain, { ...ada }, structuredClone(ada), JSON.parse(JSON.stringify(ada))]) {
      expect(
        await director.routeRequest({ endpoint: 'POST /notes', payload: { text: 'forged' }, userContext }),
      ).toMatchObject({
        success: false,
        error: { code: 'AUTHENTICATION_FAILED', details: { reason: 'unverified_user_context' } },
      });
    }
    expect(platform.get(NotesRef).notes.size).toBe(0);
    // The verified original still works, and cannot be altered in place.
    expect(Object.isFrozen(ada) && Object.isFrozen(ada.permissions)).toBe(true);
    expect(
      await director.routeRequest({ endpoint: 'POST /notes', payload: { text: 'real' }, userContext: ada }),
    ).toMatchObject({ success: true, result: { id: 'n1' } });
    await platform.stop();
  });
});

describe('Communication Director with the Traffic Cop', () => {
  it('counts requests by route template: /journeys/a and /journeys/b share one bucket', async () => {
    const platform = await start({ trafficCop: { limits: { perApi: { limit: 2, windowMs: 60_000 } } } });
    const director = platform.get(CommunicationDirectorRef);
    const reader = testUser('rita', 'acme', { permissions: ['journeys:read'] });
    expect(await director.routeRequest({ endpoint: 'GET /journeys/a', userContext: reader })).toMatchObject({
      success: true,
      rateLimit: { allowed: true, remaining: 1, limit: 2 },
    });
    expect(await director.routeRequest({ endpoint: 'GET /journeys/b', userContext: reader })).toMatchObject({
      success: true,
      rateLimit: { remaining: 0 },
    });
    const refused = await director.routeRequest({ endpoint: 'GET /journeys/c?x=1', userContext: reader });
    expect(refused).toMatchObject({
      success: false,
      error: { code: 'RATE_LIMITED', details: { scope: 'api', api: 'GET /journeys/{journeyId}', limit: 2 } },
      rateLimit: { allowed: false },
    });
    // Another API of the tenant has its own bucket.
    expect(await director.routeRequest({ endpoint: 'GET /journeys', userContext: reader })).toMatchObject({
      success: true,
    });
    await platform.stop();
  });

  it('enforces sessions when enforceSessions is on: an ended session is refused, a live one passes', async () => {
    const platform = await start({ trafficCop: { enforceSessions: true } });
    const director = platform.get(CommunicationDirectorRef);
    const cop = platform.get(TrafficCopRef);
    const session = await cop.createSession(testUser('rita', 'acme'));
    const inSession = testUser('rita', 'acme', { permissions: ['journeys:read'], sessionId: session.sessionId });
    expect(await director.routeRequest({ endpoint: 'GET /journeys/a', userContext: inSession })).toMatchObject({
      success: true,
    });
    // Someone else's session is not the caller's.
    const impostor = testUser('mallory', 'acme', { permissions: ['journeys:read'], sessionId: session.sessionId });
    expect(await director.routeRequest({ endpoint: 'GET /journeys/a', userContext: impostor })).toMatchObject({
      success: false,
      error: { code: 'AUTHENTICATION_FAILED', details: { reason: 'session_expired' } },
    });
    await cop.endSession('acme', session.sessionId);
    expect(await director.routeRequest({ endpoint: 'GET /journeys/a', userContext: inSession })).toMatchObject({
      success: false,
      error: { code: 'AUTHENTICATION_FAILED', details: { reason: 'session_expired' } },
    });
    // Callers without a session (and the platform's own processes) are not affected.
    const noSession = testUser('rita', 'acme', { permissions: ['journeys:read'] });
    expect(await director.routeRequest({ endpoint: 'GET /journeys/a', userContext: noSession })).toMatchObject({
      success: true,
    });
    const worker = serviceIdentity({ service: 'data-mash-worker', tenantId: 'acme' });
    expect(await director.routeRequest({ endpoint: 'GET /journeys/a', userContext: worker })).toMatchObject({
      success: true,
    });
    await platform.stop();
  });

  it('does not check sessions when enforceSessions is off', async () => {
    const platform = await start({ trafficCop: {} });
    const director = platform.get(CommunicationDirectorRef);
    const stale = testUser('rita', 'acme', { permissions: ['journeys:read'], sessionId: 'ended-long-ago' });
    expect(await director.routeRequest({ endpoint: 'GET /journeys/a', userContext: stale })).toMatchObject({
      success: true,
    });
    await platform.stop();
  });
});

describe('Communication Director: remembered tokens and sessions', () => {
  it('refuses a remembered token at once once its session ended (enforceSessions is checked on every request)', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    const platform = await start({
      trafficCop: { enforceSessions: true },
      roles: [securityGuard({ jwks: { keys: [jwk] }, issuer: 'urn:test', audience: 'api' })],
    });
    const director = platform.get(CommunicationDirectorRef);
    const guard = platform.get(SecurityGuardRef);
    const session = await platform.get(TrafficCopRef).createSession(testUser('rita', 'acme'));
    const bearer = await new SignJWT({
      session_id: session.sessionId,
      app_metadata: { tenant_id: 'acme', permissions: ['journeys:read'] },
    })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer('urn:test')
      .setAudience('api')
      .setSubject('rita')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    const route = async () =>
      director.routeRequest({ endpoint: 'GET /journeys/a', userContext: await guard.authenticate(bearer) });
    expect(await route()).toMatchObject({ success: true });
    expect(await route()).toMatchObject({ success: true });
    await platform.get(TrafficCopRef).endSession('acme', session.sessionId);
    // The token itself still verifies (remembered or not): the session check refuses the request.
    expect(await route()).toMatchObject({
      success: false,
      error: { code: 'AUTHENTICATION_FAILED', details: { reason: 'session_expired' } },
    });
    await platform.stop();
  });
});

describe('API Gateway: its routing table follows Curator', () => {
  it('sees a service registered, stopped or removed after its first match', async () => {
    const platform = await start();
    const gateway = platform.get(ApiGatewayRef);
    expect(gateway.match('GET /journeys/j-1')).toMatchObject({ template: 'GET /journeys/{journeyId}' });
    expect(() => gateway.match('GET /late/x')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    platform.curator.register({
      id: 'realm.late',
      tier: 'realm',
      realm: 'late',
      capabilities: [
        { name: 'late.get', description: 'Late', input: z.object({ id: z.string() }), output: z.object({}) },
      ],
      apis: [{ method: 'GET', path: '/late/{id}', capability: 'late.get' }],
    });
    expect(gateway.match('GET /late/x%20y')).toMatchObject({ template: 'GET /late/{id}', params: { id: 'x y' } });
    platform.curator.setStatus('realm.late', 'stopped');
    expect(() => gateway.match('GET /late/x')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    platform.curator.setStatus('realm.late', 'running');
    expect(gateway.match('GET /late/x')).toMatchObject({ params: { id: 'x' } });
    platform.curator.unregister('realm.late');
    expect(() => gateway.match('GET /late/x')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    await platform.stop();
  });
});
