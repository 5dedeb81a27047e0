import { createPlatform, defineService, defineServiceRef, MemoryKeyValueStore } from '@platform/foundations';
import { installObservabilityRecorder } from '@platform/observability/testing';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ApiGatewayRef, apiGateway } from '../api-gateway/api-gateway.js';
import { smartCityModule } from '../city-manager/city-manager.js';
import { PostOfficeRef, postOffice } from '../post-office/post-office.js';
import { trafficCop } from '../traffic-cop/traffic-cop.js';
import type { UserContext } from '../user-context/user-context.js';
import { CommunicationDirectorRef, communicationDirector, RequestRoutedEvent } from './communication-director.js';

const recorder = installObservabilityRecorder();
afterAll(() => recorder.uninstall());
beforeEach(() => recorder.reset());

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const ada: UserContext = { userId: 'ada', tenantId: 'acme', roles: [], permissions: [] };

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

async function start() {
  const platform = createPlatform({
    env: {},
    telemetrySink: recorder.sink,
    adapters: { keyValueStore: new MemoryKeyValueStore() },
    modules: [
      smartCityModule({
        roles: [
          trafficCop({ limits: { perUser: { limit: 5, windowMs: 60_000 } } }),
          apiGateway(),
          postOffice(),
          communicationDirector(),
        ],
      }),
    ],
    services: [notes],
  });
  await platform.start();
  return platform;
}

describe('API Gateway', () => {
  it('routes to the registered API, with path parameters, validating input and output', async () => {
    const platform = await start();
    const gateway = platform.get(ApiGatewayRef);
    const created = await gateway.route({ endpoint: 'POST /notes', payload: { text: 'hello' }, userContext: ada });
    expect(created).toEqual({ result: { id: 'n1' }, service: 'realm.notes', capability: 'notes.create_note' });
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
      code: 'VALIDATION_FAILED',
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
    expect(answer).toEqual({ success: true, traceId: TRACE_ID, result: { id: 'n1' } });
    expect(routed).toEqual([`notes.create_note@${TRACE_ID}`]);

    const root = recorder.span('communication_director.route_request');
    expect(root).toMatchObject({ traceId: TRACE_ID, parentSpanId: '00f067aa0ba902b7' });
    expect(
      recorder
        .childrenOf(root)
        .map((span) => span.name)
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
      error: { code: 'VALIDATION_FAILED' },
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
