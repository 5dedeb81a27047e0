import http from 'node:http';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PostOfficeRef } from '../post-office/post-office.js';
import { type FrontDoor, startFrontDoor, startIssuer, type TestIssuer } from './http.test-helpers.js';
import { JourneyProgressEvent } from './journey-progress.js';

// Live progress over SSE and WebSocket, fed by events published through the Post Office directly.
let issuer: TestIssuer;
let door: FrontDoor;
let adaToken: string;
let ada: Record<string, string>;
let bob: Record<string, string>;
const opened: Array<() => void> = [];

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function openEvents(path: string, headers: Record<string, string>) {
  const abort = new AbortController();
  const response = await fetch(`${door.url}${path}`, { headers, signal: abort.signal });
  const events: EventSourceMessage[] = [];
  const comments: string[] = [];
  if (response.status === 200 && response.body) {
    const parser = createParser({ onEvent: (event) => events.push(event), onComment: (text) => comments.push(text) });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    void (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        parser.feed(value);
      }
    })().catch(() => undefined);
    await until(() => comments.length > 0);
  }
  const close = () => abort.abort();
  opened.push(close);
  return { response, events, payloads: () => events.map((event) => JSON.parse(event.data).payload), close };
}

function openSocket(path: string, options: { headers?: Record<string, string>; protocols?: string[] }) {
  const socket = new WebSocket(`${door.url.replace('http:', 'ws:')}${path}`, options.protocols ?? [], {
    headers: options.headers ?? {},
  });
  const messages: Array<{ type: string; payload?: { journeyId: string } }> = [];
  socket.on('message', (data) => messages.push(JSON.parse(String(data))));
  const refused = new Promise<number>((resolve) =>
    socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0)),
  );
  socket.on('error', () => undefined);
  opened.push(() => socket.close());
  return { socket, messages, refused };
}

const progress = (journeyId: string, status: 'started' | 'completed' = 'started') => ({
  journeyId,
  milestone: 'file_uploaded',
  status,
  at: new Date().toISOString(),
});

beforeAll(async () => {
  issuer = await startIssuer();
  door = await startFrontDoor(issuer, { app: { heartbeatMs: 50 } });
  adaToken = await issuer.sign({ sub: 'ada', tenantId: 'acme' });
  ada = { authorization: `Bearer ${adaToken}` };
  bob = { authorization: `Bearer ${await issuer.sign({ sub: 'bob', tenantId: 'globex' })}` };
});

afterAll(async () => {
  for (const close of opened) close();
  await door?.stop();
  await issuer?.close();
});

describe('GET /events (Server-Sent Events)', () => {
  it("streams journey progress of the caller's tenant only", async () => {
    const acmeStream = await openEvents('/events', ada);
    const globexStream = await openEvents('/events', bob);
    expect(acmeStream.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const postOffice = door.platform.get(PostOfficeRef);
    await postOffice.publish(JourneyProgressEvent, 'acme', progress('journey-acme-1'));
    await postOffice.publish(JourneyProgressEvent, 'globex', progress('journey-globex-1'));
    await postOffice.publish(JourneyProgressEvent, 'acme', progress('journey-acme-1', 'completed'));
    await until(() => acmeStream.events.length === 2 && globexStream.events.length === 1);
    expect(acmeStream.payloads().map((payload) => [payload.journeyId, payload.status])).toEqual([
      ['journey-acme-1', 'started'],
      ['journey-acme-1', 'completed'],
    ]);
    expect(globexStream.payloads().map((payload) => payload.journeyId)).toEqual(['journey-globex-1']);
    expect(acmeStream.events[0]).toMatchObject({ event: 'journey.progress', id: expect.any(String) });
    expect(JSON.parse(acmeStream.events[0]?.data ?? '{}')).not.toHaveProperty('tenantId');
    // Nothing of the other tenant arrived later either.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(acmeStream.events).toHaveLength(2);
    acmeStream.close();
    globexStream.close();
  });

  it('follows one journey with ?journeyId=, and keeps the stream alive with comments', async () => {
    const stream = await openEvents('/events?journeyId=journey-acme-2', ada);
    const postOffice = door.platform.get(PostOfficeRef);
    await postOffice.publish(JourneyProgressEvent, 'acme', progress('journey-acme-3'));
    await postOffice.publish(JourneyProgressEvent, 'acme', progress('journey-acme-2'));
    await until(() => stream.events.length === 1);
    expect(stream.payloads()[0].journeyId).toBe('journey-acme-2');
    stream.close();
  });

  it('carries the trace id of the publisher', async () => {
    const stream = await openEvents('/events', ada);
    const { traceId } = await door.platform.get(PostOfficeRef).publish(JourneyProgressEvent, 'acme', progress('j-t'));
    await until(() => stream.events.length === 1);
    expect(JSON.parse(stream.events[0]?.data ?? '{}').traceId).toBe(traceId);
    stream.close();
  });

  it('authenticates like every request: 401 without a credential, 403 without journeys:read', async () => {
    const anonymous = await openEvents('/events', {});
    expect(anonymous.response.status).toBe(401);
    expect(anonymous.response.headers.get('www-authenticate')).toBe('Bearer');
    const carol = { authorization: `Bearer ${await issuer.sign({ sub: 'carol', tenantId: 'acme', permissions: [] })}` };
    const denied = await openEvents('/events', carol);
    expect(denied.response.status).toBe(403);
    expect(await denied.response.json()).toMatchObject({ code: 'PERMISSION_DENIED' });
  });

  it('answers HEAD /events without opening a stream', async () => {
    const response = await fetch(`${door.url}/events`, { method: 'HEAD', headers: ada });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
  });

  it('ends open streams when the server closes', async () => {
    const issuer2 = await startIssuer();
    const other = await startFrontDoor(issuer2);
    const token = await issuer2.sign({ sub: 'ada', tenantId: 'acme' });
    const response = await fetch(`${other.url}/events`, { headers: { authorization: `Bearer ${token}` } });
    const reader = response.body?.getReader();
    await reader?.read();
    const began = performance.now();
    await other.stop();
    await issuer2.close();
    expect(performance.now() - began).toBeLessThan(1000);
    await expect(
      (async () => {
        for (;;) if ((await reader?.read())?.done) return 'ended';
      })(),
    ).resolves.toBe('ended');
  });
});

describe('/ws (WebSocket)', () => {
  it("streams the caller's tenant's progress to a client authenticated by its Authorization header", async () => {
    const acme = openSocket('/ws', { headers: ada });
    const globex = openSocket('/ws', { headers: bob });
    await until(() => acme.messages.length === 1 && globex.messages.length === 1);
    expect(acme.messages[0]).toEqual({ type: 'stream.open' });
    const postOffice = door.platform.get(PostOfficeRef);
    await postOffice.publish(JourneyProgressEvent, 'globex', progress('journey-globex-9'));
    await postOffice.publish(JourneyProgressEvent, 'acme', progress('journey-acme-9'));
    await until(() => acme.messages.length === 2 && globex.messages.length === 2);
    expect(acme.messages[1]).toMatchObject({ type: 'journey.progress', payload: { journeyId: 'journey-acme-9' } });
    expect(globex.messages[1]).toMatchObject({ type: 'journey.progress', payload: { journeyId: 'journey-globex-9' } });
  });

  it('takes the token as `Sec-WebSocket-Protocol: bearer, <token>` (browsers) and answers `bearer`', async () => {
    const client = openSocket('/ws', { protocols: ['bearer', adaToken] });
    await until(() => client.messages.length === 1);
    expect(client.socket.protocol).toBe('bearer');
    await door.platform.get(PostOfficeRef).publish(JourneyProgressEvent, 'acme', progress('journey-acme-10'));
    await until(() => client.messages.length === 2);
    expect(client.messages[1]?.payload?.journeyId).toBe('journey-acme-10');
  });

  it('refuses a handshake without a valid credential (401), or with the token in the URL', async () => {
    expect(await openSocket('/ws', {}).refused).toBe(401);
    expect(await openSocket('/ws', { protocols: ['bearer', 'not-a-token'] }).refused).toBe(401);
    expect(await openSocket(`/ws?access_token=${adaToken}`, {}).refused).toBe(401);
  });

  it('answers a plain GET /ws with 426 Upgrade Required', async () => {
    const response = await fetch(`${door.url}/ws`, { headers: ada });
    expect(response.status).toBe(426);
    expect(response.headers.get('upgrade')).toBe('websocket');
  });

  it('answers 426, not 503, to `Upgrade: websocket` without `Connection: Upgrade` (no handshake was asked)', async () => {
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const request = http.get(
        `${door.url}/ws`,
        { headers: { ...ada, upgrade: 'websocket', connection: 'close' } },
        (response) => {
          response.resume();
          resolve(response.statusCode);
        },
      );
      request.on('error', reject);
    });
    expect(status).toBe(426);
  });
});
