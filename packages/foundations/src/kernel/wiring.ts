import { ErrorCode, PlatformError } from '../errors/platform-error.js';
import type { AnyServiceDefinition, PlatformModule } from './service-definition.js';
import { tierRank } from './service-ref.js';

/** A service as the kernel plans it: its definition, its module, and its dependency ids. */
export interface PlannedService {
  readonly definition: AnyServiceDefinition;
  readonly id: string;
  readonly moduleId: string;
  /** Ids of the services this one depends on. */
  readonly dependsOn: readonly string[];
  /** Ids of the services that depend on this one. */
  readonly dependents: string[];
}

/** The validated service graph: every service by id, in definition order. */
export type ServicePlan = ReadonlyMap<string, PlannedService>;

/**
 * Checks how services are wired and returns the plan, before anything runs. Every problem is
 * collected — duplicate ids, missing dependencies (naming who wanted them), dependencies on a
 * higher tier, cycles with their whole path — and reported together.
 *
 * @throws {PlatformError} `SERVICE_WIRING_INVALID`, with `details.problems` listing each problem.
 */
export function planServices(modules: readonly PlatformModule[]): ServicePlan {
  const problems: string[] = [];
  const plan = new Map<string, PlannedService>();

  for (const module of modules) {
    for (const definition of module.services) {
      const id = definition.ref.id;
      const existing = plan.get(id);
      if (existing) {
        // The very same definition in two modules (e.g. a shared City Manager) is one service.
        if (existing.definition === definition) continue;
        problems.push(
          `service '${id}' is defined twice: in module '${existing.moduleId}' and in module '${module.id}'`,
        );
        continue;
      }
      const dependsOn = [...new Set(Object.values(definition.deps).map((ref) => ref.id))];
      plan.set(id, { definition, id, moduleId: module.id, dependsOn, dependents: [] });
    }
  }

  for (const service of plan.values()) {
    for (const [name, ref] of Object.entries(service.definition.deps)) {
      const dependency = plan.get(ref.id);
      if (!dependency) {
        problems.push(
          `service '${service.id}' (module '${service.moduleId}') depends on '${ref.id}' as deps.${name}, but no module provides it`,
        );
        continue;
      }
      const ownTier = service.definition.ref.tier;
      const theirTier = dependency.definition.ref.tier;
      if (tierRank(theirTier) > tierRank(ownTier)) {
        problems.push(
          `service '${service.id}' (tier ${ownTier}) may not depend on '${ref.id}' (tier ${theirTier}): ` +
            'dependencies point to the same or a lower tier',
        );
      }
      if (!dependency.dependents.includes(service.id)) dependency.dependents.push(service.id);
    }
  }

  for (const cycle of findCycles(plan)) problems.push(`dependency cycle: ${cycle.join(' -> ')}`);

  if (problems.length > 0) {
    throw new PlatformError(
      ErrorCode.SERVICE_WIRING_INVALID,
      `the platform's services are wired wrongly (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((problem) => `  - ${problem}`).join('\n'),
      { details: { problems } },
    );
  }
  return plan;
}

/** Every elementary cycle reachable by depth-first search, each as a closed path `a, b, a`. */
function findCycles(plan: ReadonlyMap<string, PlannedService>): string[][] {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const seen = new Set<string>();

  const visit = (id: string) => {
    state.set(id, 'visiting');
    stack.push(id);
    for (const next of plan.get(id)?.dependsOn ?? []) {
      if (!plan.has(next)) continue;
      const nextState = state.get(next);
      if (nextState === 'visiting') {
        const cycle = [...stack.slice(stack.indexOf(next)), next];
        // The same cycle can be entered from any of its members; report it once.
        const key = [...cycle.slice(0, -1)].sort().join('\0');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push(cycle);
        }
      } else if (nextState === undefined) {
        visit(next);
      }
    }
    stack.pop();
    state.set(id, 'done');
  };

  for (const id of plan.keys()) if (!state.has(id)) visit(id);
  return cycles;
}
