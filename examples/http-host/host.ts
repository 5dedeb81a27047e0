import { dataMashModules } from '@platform/data-mash';
import { createPlatform } from '@platform/foundations';
import { apiGateway, communicationDirector, securityGuard, trafficCop } from '@platform/smart-city';
import { createHttpApp } from '@platform/smart-city/http';

/** The data mash's HTTP API, signed in through your identity provider's JWKS, on the embedded stores. */
export async function startHost(env: Record<string, string | undefined> = process.env) {
  const platform = createPlatform({
    env,
    modules: dataMashModules({
      roles: [
        securityGuard({
          jwksUrl: env.JWKS_URL ?? '',
          issuer: env.JWT_ISSUER ?? '',
          audience: env.JWT_AUDIENCE ?? '',
          rolePermissions: { analyst: ['files:write', 'journeys:read', 'insights:read', 'content:read'] },
        }),
        trafficCop({ limits: { perUser: { limit: 600, windowMs: 60_000 } } }),
        apiGateway(),
        communicationDirector(),
      ],
    }),
  });
  await platform.start();
  const server = await createHttpApp(platform).serve({
    port: Number(env.PORT ?? 8080),
    hostname: env.HOST ?? '127.0.0.1',
  });
  return {
    url: server.url,
    stop: async () => {
      await server.close();
      await platform.stop();
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { url, stop } = await startHost();
  console.log(`API on ${url}: POST /files?name=..., GET /journeys/{id}, /insights, /healthz, /openapi.json`);
  process.once('SIGINT', stop).once('SIGTERM', stop);
}
