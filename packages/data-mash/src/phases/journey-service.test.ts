import {
  createPlatform,
  defineService,
  defineServiceRef,
  MemoryBlobStore,
  MemoryMetadataStore,
  MemorySemanticStore,
} from '@platform/foundations';
import { contentSteward, dataSteward, smartCityModule } from '@platform/smart-city';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineHandoffContract } from '../flow/handoff-contract.js';
import { dataMashModule } from '../host/modules.js';
import { defineFlowStep } from '../journeys/flow-step.js';
import type { MilestoneContext } from '../journeys/journey-orchestrator.js';
import { parseJourneyTemplate } from '../journeys/template.js';
import { ada, bob } from './flow.test-helpers.js';
import { DataMashJourneyOrchestratorRef } from './journey-service.js';

// A team's own journey: its own milestones, contracts, steps and services, on the same
// orchestrator. The template keeps the earlier keys: `api` names the step, `service` its service.
const Greeting = defineHandoffContract('greeting_written', 1, z.object({ text: z.string() }).strict());
const Shouted = defineHandoffContract('greeting_shouted', 1, z.object({ text: z.string(), by: z.string() }).strict());
const template = parseJourneyTemplate(`
name: greet
version: 1
milestones:
  - { id: written, service: demo.greeter, api: greetings.write, output: greeting_written@1 }
  - { id: shouted, service: demo.greeter, api: greetings.shout, input: greeting_written@1, output: greeting_shouted@1 }
`);

class Greeter {
  readonly calls: Array<{ api: string; input: unknown; userId: string; journeyId: string }> = [];
  async write(input: { name: string }, user: { userId: string }, context: MilestoneContext) {
    this.calls.push({ api: 'write', input, userId: user.userId, journeyId: context.journeyId });
    return { text: `hello ${input.name}` };
  }
  async loud(input: { text: string }, user: { userId: string }, context: MilestoneContext) {
    this.calls.push({ api: 'shout', input, userId: user.userId, journeyId: context.journeyId });
    return { text: input.text.toUpperCase(), by: user.userId };
  }
}
const GreeterRef = defineServiceRef<Greeter>({ id: 'demo.greeter', tier: 'realm' });
const steps = [
  defineFlowStep({ id: 'greetings.write', service: GreeterRef, method: 'write', output: Greeting }),
  defineFlowStep({ id: 'greetings.shout', service: GreeterRef, method: 'loud', input: Greeting, output: Shouted }),
];

async function start(withGreeter: boolean) {
  const greeter = new Greeter();
  const platform = createPlatform({
    env: {},
    telemetrySink: () => {},
    adapters: {
      blobStore: new MemoryBlobStore(),
      metadataStore: new MemoryMetadataStore(),
      semanticStore: new MemorySemanticStore(),
    },
    modules: [
      smartCityModule({ roles: [contentSteward(), dataSteward()] }),
      dataMashModule({ templates: [template], steps }),
    ],
    services: withGreeter
      ? [
          defineService({
            ref: GreeterRef,
            factory: () => greeter,
            description: {
              capabilities: [
                { name: 'greetings.write', description: 'Write', input: z.unknown(), output: Greeting.schema },
                { name: 'greetings.shout', description: 'Shout', input: Greeting.schema, output: Shouted.schema },
              ],
            },
          }),
        ]
      : [],
  });
  await platform.start();
  return { journeys: platform.get(DataMashJourneyOrchestratorRef), greeter, stop: () => platform.stop() };
}

describe('DataMashJourneyOrchestrator with a custom template', () => {
  it('runs its milestones through the steps they name, as the caller, and lists journeys by tenant', async () => {
    const { journeys, greeter, stop } = await start(true);
    try {
      expect(journeys.templates().map((entry) => entry.name)).toEqual(['data_mash_flow', 'greet']);
      const outcome = await journeys.runJourney('greet', {
        userContext: ada,
        idempotencyKey: 'ada-1',
        input: { name: 'ada' },
      });
      expect(outcome).toMatchObject({
        success: true,
        run: 'new',
        outputs: { written: { text: 'hello ada' }, shouted: { text: 'HELLO ADA', by: 'ada' } },
      });
      expect(greeter.calls.map((call) => [call.api, call.userId, call.journeyId])).toEqual([
        ['write', 'ada', outcome.journeyId],
        ['shout', 'ada', outcome.journeyId],
      ]);
      const again = await journeys.runJourney('greet', { userContext: ada, idempotencyKey: 'ada-1' });
      expect(again).toMatchObject({ run: 'reused', journeyId: outcome.journeyId });
      expect(greeter.calls).toHaveLength(2);

      const listed = await journeys.listJourneys(ada, { template: 'greet' });
      expect(listed.items.map((journey) => [journey.id, journey.status])).toEqual([[outcome.journeyId, 'completed']]);
      expect((await journeys.listJourneys(bob)).items).toEqual([]);
      await expect(journeys.getJourney(bob, outcome.journeyId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(journeys.runJourney('nope', { userContext: ada, idempotencyKey: 'x' })).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
    } finally {
      await stop();
    }
  });

  it('refuses to start a journey whose services or APIs are not registered, before anything runs', async () => {
    const { journeys, stop } = await start(false);
    try {
      const attempt = journeys.runJourney('greet', { userContext: ada, idempotencyKey: 'k', input: { name: 'x' } });
      await expect(attempt).rejects.toMatchObject({ code: 'SERVICE_WIRING_INVALID' });
      await expect(attempt).rejects.toThrow(
        "milestone 'written' needs service 'demo.greeter', which is not registered",
      );
      expect((await journeys.listJourneys(ada)).items).toEqual([]);
    } finally {
      await stop();
    }
  });
});
