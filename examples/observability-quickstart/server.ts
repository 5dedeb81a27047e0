/**
 * A host application in one file: an HTTP service that continues each caller's trace, wraps its
 * work in spans, logs operations as JSON lines (redacted) and answers with the trace id.
 *
 *   node server.ts           serve on 127.0.0.1:3000 (PORT to change) until Ctrl-C
 *   node server.ts --demo    serve on a free port, send three requests, print what happened, exit
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createObservability,
  currentSpanId,
  extractTraceContext,
  injectTraceHeaders,
  runWithTraceContext,
} from '@platform/observability';

const obs = createObservability({ service: 'quickstart-api' });

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  let body = '';
  for await (const chunk of request) {
    body += chunk;
    if (body.length > 64 * 1024) throw Object.assign(new Error('body over 64 KiB'), { code: 'FILE_TOO_LARGE' });
  }
  try {
    return body ? (JSON.parse(body) as Record<string, unknown>) : {};
  } catch {
    throw Object.assign(new Error('body is not JSON'), { code: 'VALIDATION_FAILED' });
  }
}

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const incoming = extractTraceContext(request);
  await runWithTraceContext(incoming, () =>
    obs.withSpan(
      'http.request',
      { 'http.request.method': request.method ?? 'GET', 'url.path': request.url ?? '/' },
      async () => {
        injectTraceHeaders(response, { traceId: incoming.traceId, spanId: currentSpanId(), sampled: incoming.sampled });
        try {
          const body = await readJson(request);
          // The e-mail is logged as context and redacted before the event leaves the process.
          const payload = await obs.trackOperation('signup', { path: request.url, email: body.email }, async () => {
            if (typeof body.email !== 'string') {
              throw Object.assign(new Error('email is required'), { code: 'VALIDATION_FAILED' });
            }
            return { welcome: body.email, traceSource: incoming.source };
          });
          response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
        } catch (error) {
          const record = obs.auditError(error, { operation: 'http.request' });
          response.writeHead(400, { 'content-type': 'application/json' }).end(
            JSON.stringify({
              success: false,
              error: { code: record.code, message: record.message },
              traceId: record.traceId,
            }),
          );
        }
      },
    ),
  );
}

const server = createServer((request, response) => {
  handle(request, response).catch((error: unknown) => {
    obs.auditError(error, { operation: 'http.unhandled' });
    if (!response.headersSent) response.writeHead(500).end();
  });
});

if (process.argv.includes('--demo')) {
  server.listen(0, '127.0.0.1', async () => {
    const { port } = server.address() as AddressInfo;
    const url = `http://127.0.0.1:${port}/signup`;
    const calls: Array<[string, Record<string, string>, unknown]> = [
      [
        'caller with a W3C traceparent',
        { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
        { email: 'jo@example.com' },
      ],
      ['caller with a hostile X-Trace-ID', { 'x-trace-id': '../../etc/passwd' }, { email: 'ann@example.com' }],
      ['caller sending bad input', {}, { name: 'no email' }],
    ];
    for (const [label, headers, body] of calls) {
      const answer = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
      console.error(`\n# ${label}: HTTP ${answer.status}, x-trace-id ${answer.headers.get('x-trace-id')}`);
      console.error(`#   body ${await answer.text()}`);
    }
    console.error('\n# The JSON lines on stdout are the telemetry events (e-mails redacted).');
    server.close();
  });
} else {
  const port = Number(process.env.PORT ?? 3000);
  server.listen(port, '127.0.0.1', () => console.error(`listening on http://127.0.0.1:${port}/signup`));
}
