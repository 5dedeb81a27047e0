/**
 * The HTTP front door of the built @platform/smart-city/http against a bare Hono handler, in the
 * same run, on loopback, with autocannon: authenticated `GET /journeys/{id}` (a bearer JWT
 * verified against the key set, the Traffic Cop's limit counted in the embedded key-value store,
 * the permission checked, the API Gateway's contracts, the journey read from the embedded SQLite
 * store) against a Hono route answering the same JSON from memory with no checks at all.
 *
 * Target: the front door at least 0.5x the bare handler's requests per second. Cases alternate
 * over rounds (bare, front door, bare, ...) and the medians are compared.
 *
 *   node front-door.bench.ts [--quick] [--seconds 5] [--rounds 3] [--connections 10] [--check]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { DataMashSolutionOrchestratorRef, dataMashModules } from '@platform/data-mash';
import { createPlatform } from '@platform/foundations';
import {
  apiGateway,
  communicationDirector,
  developmentIdentity,
  securityGuard,
  serviceIdentity,
  trafficCop,
} from '@platform/smart-city';
import { createHttpApp } from '@platform/smart-city/http';
import autocannon from 'autocannon';
import { Hono } from 'hono';
import { median, numericArgument, printTable } from './harness.ts';

const quick = process.argv.includes('--quick');
const seconds = numericArgument('--seconds', quick ? 2 : 5);
const rounds = numericArgument('--rounds', quick ? 1 : 3);
const connections = numericArgument('--connections', 10);

async function load(
  url: string,
  headers: Record<string, string>,
): Promise<{ rps: number; p99: number; errors: number }> {
  const result = await autocannon({ url, headers, connections, duration: seconds, pipelining: 1 });
  const errors = result.errors + result.timeouts + result.non2xx;
  return { rps: result.requests.average, p99: result.latency.p99, errors };
}

const dataDir = await mkdtemp(join(tmpdir(), 'front-door-bench-'));
const identity = await developmentIdentity(dataDir);
const platform = createPlatform({
  env: {},
  config: { dataDir, telemetry: { sink: 'silent' } },
  modules: dataMashModules({
    roles: [
      securityGuard(identity.guardOptions),
      // A limit far above the load, so every request is counted and none refused.
      trafficCop({ limits: { perUser: { limit: 100_000_000, windowMs: 60_000 } } }),
      apiGateway(),
      communicationDirector(),
    ],
  }),
});
await platform.start();
let frontServer: { url: string; close(): Promise<void> } | undefined;
let bareServer: ReturnType<typeof serve> | undefined;
try {
  const flow = platform.get(DataMashSolutionOrchestratorRef);
  const result = await flow.executeDataMashFlow({
    userContext: serviceIdentity({ service: 'bench', tenantId: 'bench' }),
    file: { name: 'orders.csv', data: new TextEncoder().encode('region,amount\nnorth,10\nsouth,20\n') },
  });
  if (!result.success) throw new Error(`the flow failed: ${result.error.message}`);
  const token = await identity.issueToken({ userId: 'bench', tenantId: 'bench', permissions: ['journeys:read'] });
  const headers = { authorization: `Bearer ${token}` };

  const front = createHttpApp(platform);
  frontServer = await front.serve({ port: 0 });
  const frontUrl = `${frontServer.url}/journeys/${result.journeyId}`;
  const answer = await (await fetch(frontUrl, { headers })).text();
  if (!answer.includes(result.journeyId)) throw new Error(`the front door did not answer the journey: ${answer}`);

  // The bare baseline: the same framework and server, the same JSON, nothing else.
  const bare = new Hono();
  bare.get('/journeys/:id', (c) => c.body(answer, 200, { 'content-type': 'application/json' }));
  const bareUrl = await new Promise<string>((resolve) => {
    bareServer = serve({ fetch: bare.fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
      resolve(`http://127.0.0.1:${info.port}/journeys/${result.journeyId}`),
    );
  });

  await load(bareUrl, headers);
  await load(frontUrl, headers);
  const samples = { bare: [] as number[], front: [] as number[], frontP99: [] as number[], errors: 0 };
  for (let round = 0; round < rounds; round += 1) {
    const b = await load(bareUrl, headers);
    const f = await load(frontUrl, headers);
    samples.bare.push(b.rps);
    samples.front.push(f.rps);
    samples.frontP99.push(f.p99);
    samples.errors += b.errors + f.errors;
  }
  const bareRps = median(samples.bare);
  const frontRps = median(samples.front);
  const ratio = frontRps / bareRps;
  console.log(
    `front door vs bare Hono, GET /journeys/{id}, ${connections} connections, ${seconds} s x ${rounds} rounds, loopback`,
  );
  printTable([
    ['case', 'requests/s', 'p99 ms', 'ratio to bare'],
    ['bare Hono handler (same JSON)', bareRps.toFixed(0), '', '1.00x'],
    [
      'front door (JWT, limit, permission, store)',
      frontRps.toFixed(0),
      median(samples.frontP99).toFixed(1),
      `${ratio.toFixed(2)}x`,
    ],
  ]);
  console.log(
    `target: at least 0.5x; ${ratio >= 0.5 ? 'met' : 'MISSED'}${samples.errors ? `; ${samples.errors} errors` : ''}`,
  );
  if (process.argv.includes('--check') && (ratio < 0.5 || samples.errors > 0)) process.exitCode = 1;
} finally {
  await frontServer?.close();
  bareServer?.close();
  await platform.stop();
  await rm(dataDir, { recursive: true, force: true });
}
