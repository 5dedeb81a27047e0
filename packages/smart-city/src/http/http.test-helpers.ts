import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type AnyServiceDefinition,
  createPlatform,
  defineService,
  defineServiceRef,
  type Platform,
  type PlatformModule,
} from '@platform/foundations';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { z } from 'zod';
import { apiGateway } from '../api-gateway/api-gateway.js';
import { communicationDirector } from '../communication-director/communication-director.js';
import { postOffice } from '../post-office/post-office.js';
import { apiKeyEntry } from '../security-guard/api-keys.js';
import { securityGuard } from '../security-guard/security-guard.js';
import { type TrafficCopOptions, trafficCop } from '../traffic-cop/traffic-cop.js';
import { createHttpApp, type HttpAppOptions } from './app.js';
import type { HttpServer } from './serve.js';

export const ISSUER = 'https://auth.test/auth/v1';
export const AUDIENCE = 'authenticated';

/** Every permission of the data mash's API (`DATA_MASH_PERMISSIONS`). */
export const ALL_PERMISSIONS = [
  'files:write',
  'journeys:read',
  'insights:read',
  'content:read',
  'files:delete',
  'audit:read',
];

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>> & { kid: string };

/** A token's claims and timing. */
export interface TokenSpec {
  sub: string;
  tenantId: string;
  permissions?: string[];
  /** Seconds from now; negative for an expired token. Default 300. */
  expiresIn?: number;
  /** Seconds from now of `iat`. Default 0. */
  issuedAt?: number;
}

/** A JWKS served over http on 127.0.0.1, and tokens signed by its key (or by a stranger's). */
export interface TestIssuer {
  jwksUrl: string;
  sign(spec: TokenSpec): Promise<string>;
  /** Signed by a key that is NOT published, under the published key's id. */
  forge(spec: TokenSpec): Promise<string>;
  close(): Promise<void>;
}

async function keyPair(kid: string): Promise<KeyPair> {
  return { ...(await generateKeyPair('ES256', { extractable: true })), kid };
}

function signWith(pair: KeyPair, spec: TokenSpec): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    role: 'authenticated',
    app_metadata: { tenant_id: spec.tenantId, permissions: spec.permissions ?? ALL_PERMISSIONS },
  })
    .setProtectedHeader({ alg: 'ES256', kid: pair.kid })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(spec.sub)
    .setIssuedAt(now + (spec.issuedAt ?? 0))
    .setExpirationTime(now + (spec.expiresIn ?? 300))
    .sign(pair.privateKey);
}

/** Starts a JWKS server with one ES256 key. */
export async function startIssuer(): Promise<TestIssuer> {
  const pair = await keyPair('test-key-1');
  const stranger = await keyPair('test-key-1');
  const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: pair.kid, alg: 'ES256', use: 'sig' };
  const server: Server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    sign: (spec) => signWith(pair, spec),
    forge: (spec) => signWith(stranger, spec),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** An unsigned (`alg: none`) token with valid-looking claims. */
export function unsignedToken(spec: TokenSpec): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({
    sub: spec.sub,
    iss: ISSUER,
    aud: AUDIENCE,
    iat: now,
    exp: now + 300,
    app_metadata: { tenant_id: spec.tenantId, permissions: ALL_PERMISSIONS },
  })}.`;
}

type DataMashModules = (options: {
  roles?: readonly AnyServiceDefinition[];
  contentSteward?: { maxSizeBytes?: number };
}) => PlatformModule[];

/**
 * The data mash's modules. Imported by name at run time: the data mash depends on this package,
 * so this package cannot depend on it (vitest resolves the name to its sources, see vitest.config.ts).
 */
export async function loadDataMash(): Promise<{ dataMashModules: DataMashModules }> {
  const specifier = '@platform/data-mash';
  return (await import(/* @vite-ignore */ specifier)) as { dataMashModules: DataMashModules };
}

/** A running front door over a data mash platform on memory stores. */
export interface FrontDoor {
  platform: Platform;
  server: HttpServer;
  url: string;
  /** An API key of tenant `acme` with every permission. */
  apiKey: string;
  stop(): Promise<void>;
}

/** Starts a data mash platform (memory stores) with the front-door roles, and serves it. */
export async function startFrontDoor(
  issuer: TestIssuer,
  options: {
    limits?: TrafficCopOptions['limits'];
    /** The Traffic Cop's clock (a fixed one keeps a test inside one rate-limit window). */
    now?: () => number;
    app?: HttpAppOptions;
    services?: AnyServiceDefinition[];
    maxFileBytes?: number;
    stores?: 'memory' | 'embedded';
    dataDir?: string;
  } = {},
): Promise<FrontDoor> {
  const { dataMashModules } = await loadDataMash();
  const { key, entry } = apiKeyEntry({ name: 'nightly-import', tenantId: 'acme', permissions: ALL_PERMISSIONS });
  const memory = 'memory://';
  const platform = createPlatform({
    env: {},
    config: {
      telemetry: { sink: 'silent' },
      environment: 'test',
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      ...(options.maxFileBytes ? { limits: { maxFileBytes: options.maxFileBytes } } : {}),
      ...(options.stores === 'embedded'
        ? {}
        : { stores: { blob: memory, metadata: memory, semantic: memory, eventBus: memory, keyValue: memory } }),
    },
    modules: dataMashModules({
      roles: [
        securityGuard({
          jwksUrl: issuer.jwksUrl,
          allowInsecureJwksUrl: true,
          issuer: ISSUER,
          audience: AUDIENCE,
          apiKeys: [entry],
        }),
        trafficCop({
          limits: options.limits ?? { perTenant: { limit: 100_000, windowMs: 60_000 } },
          ...(options.now ? { now: options.now } : {}),
        }),
        apiGateway(),
        communicationDirector(),
        postOffice(),
      ],
    }),
    ...(options.services ? { services: options.services } : {}),
  });
  await platform.start();
  const server = await createHttpApp(platform, options.app).serve();
  return {
    platform,
    server,
    url: server.url,
    apiKey: key,
    stop: async () => {
      await server.close();
      await platform.stop();
    },
  };
}

/** A small sales CSV: `rows` data rows. */
export function salesCsv(rows = 20): string {
  const lines = ['order_id,customer_email,amount,ordered_at'];
  for (let index = 1; index <= rows; index += 1) {
    lines.push(`${index},customer${index}@example.com,${index * 10},2026-0${1 + (index % 9)}-1${index % 10}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Polls `GET /journeys/{id}` until the journey is no longer running (or `timeoutMs` passes). */
export async function waitForJourney(
  url: string,
  journeyId: string,
  headers: Record<string, string>,
  timeoutMs = 20_000,
): Promise<{ journey: { status: string; [key: string]: unknown }; phases: Record<string, unknown> }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${url}/journeys/${encodeURIComponent(journeyId)}`, { headers });
    const body = (await response.json()) as { journey: { status: string }; phases: Record<string, unknown> };
    if (response.status !== 200)
      throw new Error(`GET /journeys/${journeyId}: ${response.status} ${JSON.stringify(body)}`);
    if (body.journey.status === 'completed' || body.journey.status === 'failed') return body;
    if (Date.now() > deadline) throw new Error(`journey ${journeyId} still ${body.journey.status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** What the test service's sink counted of an upload. */
export interface SinkResult {
  bytes: number;
  sha256: string;
}

/**
 * A realm service for the tests: `GET /faults/boom` throws an internal error naming secrets,
 * `GET /faults/contract` answers outside its output schema, `POST /sink` reads an uploaded body to
 * its end (counting and hashing it, keeping nothing). Permission `faults:run` for all three.
 */
export function testFaultsService(): AnyServiceDefinition {
  const input = z.object({});
  const uploadInput = z.object({
    file: z.custom<{ data: AsyncIterable<Uint8Array> }>((value) => typeof value === 'object' && value !== null),
    name: z.string().optional(),
  });
  return defineService({
    ref: defineServiceRef<object>({ id: 'test.faults', tier: 'realm' }),
    factory: () => ({
      boom: async () => {
        throw new Error('connection to postgres://admin:hunter2@db-7.internal failed');
      },
      contract: async () => ({ unexpected: true }),
      sink: async (request: { file: { data: AsyncIterable<Uint8Array> } }) => {
        const hash = createHash('sha256');
        let bytes = 0;
        for await (const chunk of request.file.data) {
          bytes += chunk.byteLength;
          hash.update(chunk);
        }
        return { bytes, sha256: hash.digest('hex') };
      },
    }),
    description: {
      realm: 'test',
      capabilities: [
        { name: 'test.boom', description: 'Fails', permission: 'faults:run', input, output: z.object({}) },
        {
          name: 'test.contract',
          description: 'Breaks its contract',
          permission: 'faults:run',
          input,
          output: z.object({ ok: z.boolean() }),
        },
        {
          name: 'test.sink',
          description: 'Reads an upload',
          permission: 'faults:run',
          input: uploadInput,
          output: z.object({ bytes: z.number(), sha256: z.string() }),
        },
      ],
      apis: [
        { method: 'GET', path: '/faults/boom', capability: 'test.boom', handler: 'boom' },
        { method: 'GET', path: '/faults/contract', capability: 'test.contract', handler: 'contract' },
        { method: 'POST', path: '/sink', capability: 'test.sink', body: 'file', handler: 'sink' },
      ],
    },
  }) as AnyServiceDefinition;
}
