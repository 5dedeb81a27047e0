import type { ServiceHealth } from '../kernel/service-definition.js';

/** `healthy` when `check` resolves; `unhealthy` with its error's message (adapters keep credentials out of them) when it rejects. */
export async function probeHealth(check: () => Promise<unknown>): Promise<ServiceHealth> {
  try {
    await check();
    return { status: 'healthy' };
  } catch (error) {
    return { status: 'unhealthy', message: (error as Error)?.message ?? String(error) };
  }
}
