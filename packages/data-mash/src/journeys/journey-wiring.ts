import { PlatformError } from '@platform/foundations';
import type { HandoffContract } from '../flow/handoff-contract.js';
import type { JourneyOrchestratorOptions } from './journey-types.js';
import type { JourneyTemplate } from './template.js';

/** What {@link assertServicesRegistered} needs of the curator: services found by name, with their capabilities. */
export type ServiceFinder = {
  find(filter: { name: string }): Array<{ capabilities?: ReadonlyArray<{ name: string }> }>;
};

/**
 * Checks that every milestone of the template has a step and that every contract it names is
 * given, so that a journey is refused at wiring time, not half-way through a run.
 * @throws {PlatformError} `SERVICE_WIRING_INVALID` naming each missing step or contract.
 */
export function assertTemplateWired(
  options: Pick<JourneyOrchestratorOptions, 'template' | 'steps'>,
  contracts: ReadonlyMap<string, HandoffContract>,
): void {
  const problems: string[] = [];
  for (const milestone of options.template.milestones) {
    if (!options.steps[milestone.id]) problems.push(`milestone '${milestone.id}' has no step`);
    for (const reference of [milestone.input, milestone.output]) {
      if (reference && !contracts.has(reference))
        problems.push(`milestone '${milestone.id}' names contract '${reference}', which is not given`);
    }
  }
  throwIfProblems(options.template, problems);
}

/**
 * Checks that every milestone naming a service (the template's `service` key) finds it
 * registered, offering the milestone's `api` when it names one.
 * @throws {PlatformError} `SERVICE_WIRING_INVALID` naming each missing service or API.
 */
export function assertServicesRegistered(template: JourneyTemplate, curator: ServiceFinder): void {
  const problems: string[] = [];
  for (const milestone of template.milestones) {
    if (!milestone.service) continue;
    const [service] = curator.find({ name: milestone.service });
    if (!service)
      problems.push(`milestone '${milestone.id}' needs service '${milestone.service}', which is not registered`);
    else if (milestone.api && !(service.capabilities ?? []).some((capability) => capability.name === milestone.api)) {
      problems.push(
        `milestone '${milestone.id}' calls '${milestone.api}', which '${milestone.service}' does not offer`,
      );
    }
  }
  throwIfProblems(template, problems);
}

function throwIfProblems(template: JourneyTemplate, problems: string[]): void {
  if (problems.length > 0) {
    throw new PlatformError('SERVICE_WIRING_INVALID', `journey '${template.name}': ${problems.join('; ')}`, {
      details: { template: template.name, problems },
    });
  }
}
