import {
  type Curator,
  CuratorRef,
  defineService,
  defineServiceRef,
  type ServiceHealth,
  type ServiceLifecycle,
  type ServiceRef,
  serializeError,
} from '@platform/foundations';
import { type RoleDeps, SmartCityRoleBase } from '../bases/smart-city-role-base.js';

/** One service in a checkup. */
export interface ServiceCondition extends ServiceHealth {
  id: string;
  /** For an unhealthy or degraded service: the deepest failing dependency, when one is to blame. */
  cause?: string;
}

/** What {@link Nurse.checkup} returns. */
export interface Checkup {
  status: ServiceHealth['status'];
  checkedAt: string;
  services: ServiceCondition[];
  /** One line per service that is not healthy, naming the dependency that fails, if any. */
  diagnoses: string[];
}

/**
 * Nurse: health and diagnostics across every running service Curator knows, each checked within
 * a time limit, with the failing dependency named for every service that suffers from one.
 */
export class Nurse extends SmartCityRoleBase<RoleDeps & { curator: Curator; timeoutMs: number }> {
  async #check(id: string, tier: ServiceRef<unknown>['tier']): Promise<ServiceHealth> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const instance = this.deps.locate({ id, tier } as ServiceRef<ServiceLifecycle>);
      const answer = await Promise.race([
        Promise.resolve(instance.health?.() ?? { status: 'healthy' as const }),
        new Promise<ServiceHealth>((resolve) => {
          timer = setTimeout(
            () => resolve({ status: 'unhealthy', message: `health check timed out after ${this.deps.timeoutMs} ms` }),
            this.deps.timeoutMs,
          );
        }),
      ]);
      return answer;
    } catch (error) {
      const failure = serializeError(error);
      return { status: 'unhealthy', message: `${failure.code}: ${failure.message}` };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Checks every registered service and explains what is wrong. */
  async checkup(): Promise<Checkup> {
    return this.withSpan('nurse.checkup', undefined, async () => {
      const registrations = this.deps.curator.find().filter((entry) => entry.id !== NurseRef.id);
      const conditions = new Map<string, ServiceCondition>();
      await Promise.all(
        registrations.map(async (entry) => {
          const health: ServiceHealth =
            entry.status === 'running'
              ? await this.#check(entry.id, entry.tier)
              : { status: 'unhealthy', message: 'stopped' };
          conditions.set(entry.id, { id: entry.id, ...health });
        }),
      );
      const dependencies = new Map(registrations.map((entry) => [entry.id, entry.dependsOn ?? []]));
      const rootCause = (id: string, seen = new Set<string>()): string | undefined => {
        for (const dependency of dependencies.get(id) ?? []) {
          if (seen.has(dependency)) continue;
          seen.add(dependency);
          const condition = conditions.get(dependency);
          if (condition && condition.status !== 'healthy') return rootCause(dependency, seen) ?? dependency;
        }
        return undefined;
      };
      const diagnoses: string[] = [];
      for (const condition of conditions.values()) {
        if (condition.status === 'healthy') continue;
        const cause = rootCause(condition.id);
        if (cause) condition.cause = cause;
        const because = cause
          ? `; failing dependency: ${cause}${conditions.get(cause)?.message ? ` (${conditions.get(cause)?.message})` : ''}`
          : '';
        diagnoses.push(
          `${condition.id} is ${condition.status}${condition.message ? `: ${condition.message}` : ''}${because}`,
        );
      }
      const services = [...conditions.values()].sort((a, b) => a.id.localeCompare(b.id));
      const status: ServiceHealth['status'] = services.some((service) => service.status === 'unhealthy')
        ? 'unhealthy'
        : services.some((service) => service.status === 'degraded')
          ? 'degraded'
          : 'healthy';
      this.recordHealthMetric(
        'platform.unhealthy_services',
        services.filter((service) => service.status !== 'healthy').length,
      );
      this.logOperation('nurse.checkup', status === 'healthy', { status, diagnoses });
      return { status, checkedAt: new Date().toISOString(), services, diagnoses: diagnoses.sort() };
    });
  }
}

/** The Nurse role. */
export const NurseRef = defineServiceRef<Nurse>({ id: 'smart-city.nurse', tier: 'smart-city' });

/** Defines the Nurse service. */
export function nurse(options: { timeoutMs?: number } = {}) {
  return defineService({
    ref: NurseRef,
    deps: { curator: CuratorRef },
    factory: ({ curator }, context) => new Nurse({ ...context, curator, timeoutMs: options.timeoutMs ?? 5000 }),
    description: { description: 'Health and diagnostics across services', tags: ['health'] },
  });
}
