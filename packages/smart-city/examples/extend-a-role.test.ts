import { readFileSync } from 'node:fs';
import { createPlatform } from '@platform/foundations';
import { installObservabilityRecorder } from '@platform/observability/testing';
import { trustUserContext } from '@platform/smart-city';
import { afterAll, describe, expect, it } from 'vitest';
import { GreetingRef, greetingService } from './extend-a-role.js';

const recorder = installObservabilityRecorder();
afterAll(() => recorder.uninstall());

describe('README: extending a base class', () => {
  it('is the code the README shows, and the class is under 20 lines', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const source = readFileSync(new URL('./extend-a-role.ts', import.meta.url), 'utf8');
    expect(readme).toContain(source.trim());
    const classLines = source.slice(source.indexOf('export class'), source.indexOf('export const')).trim().split('\n');
    expect(classLines.length).toBeLessThan(20);
  });

  it('runs as a platform service: validated user context, a span and a telemetry event', async () => {
    const platform = createPlatform({ env: {}, telemetrySink: recorder.sink, services: [greetingService] });
    await platform.start();
    const greeting = await platform
      .get(GreetingRef)
      .greet(
        trustUserContext({ userId: 'u1', tenantId: 'acme', roles: [], permissions: [] }, { verifiedBy: 'test' }),
        'Ada',
      );
    expect(greeting).toBe('Hello Ada, from tenant acme');
    expect(recorder.span('greeting.greet')).toMatchObject({ attributes: { 'user.id': 'u1' }, scope: 'realm.greeting' });
    expect(recorder.events.find((event) => event.operation === 'greeting.greet')).toMatchObject({
      success: true,
      service: 'realm.greeting',
    });
    // Only a verified user context is accepted: a plain object, well-shaped or not, is refused.
    for (const plain of [{ userId: 'u1' }, { userId: 'u1', tenantId: 'acme', roles: [], permissions: [] }]) {
      await expect(platform.get(GreetingRef).greet(plain, 'Ada')).rejects.toMatchObject({
        code: 'AUTHENTICATION_FAILED',
      });
    }
    await platform.stop();
  });
});
