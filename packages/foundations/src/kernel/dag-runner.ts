/** How one node of a dependency graph ended. */
export type NodeOutcome<R> =
  | { status: 'ok'; value: R }
  | { status: 'failed'; error: unknown }
  | { status: 'skipped'; reason: string };

/** Options of {@link runInDependencyOrder}. */
export interface DependencyRunOptions {
  /** Once true, no new task starts; tasks already running finish. */
  shouldStop?: () => boolean;
  /** Outcomes of nodes run earlier (e.g. a lower tier), for prerequisites outside `nodes`. */
  settled?: ReadonlyMap<string, NodeOutcome<unknown>>;
  /** Run a node even when a prerequisite failed or was skipped (shutdown must reach everyone). */
  continueOnFailure?: boolean;
}

/**
 * Runs `task` for every node once all of its prerequisites have finished, with independent nodes
 * running concurrently. A node whose prerequisite did not end `ok` is skipped (and says which)
 * unless `continueOnFailure` is set. Prerequisites outside `nodes` are looked up in `settled`;
 * unknown ones count as done.
 */
export async function runInDependencyOrder<R>(
  nodes: readonly string[],
  prerequisitesOf: (node: string) => readonly string[],
  task: (node: string) => Promise<R>,
  options: DependencyRunOptions = {},
): Promise<Map<string, NodeOutcome<R>>> {
  const members = new Set(nodes);
  const running = new Map<string, Promise<NodeOutcome<R>>>();

  const outcomeOf = (other: string): Promise<NodeOutcome<unknown>> | NodeOutcome<unknown> | undefined =>
    members.has(other) ? run(other) : options.settled?.get(other);

  const run = (node: string): Promise<NodeOutcome<R>> => {
    let pending = running.get(node);
    if (!pending) {
      pending = (async (): Promise<NodeOutcome<R>> => {
        const outcomes = await Promise.all(
          prerequisitesOf(node).map(async (other) => [other, await outcomeOf(other)] as const),
        );
        const blocked = outcomes.find(([, outcome]) => outcome !== undefined && outcome.status !== 'ok');
        if (blocked && !options.continueOnFailure) {
          return {
            status: 'skipped',
            reason: `'${blocked[0]}' ${blocked[1]?.status === 'failed' ? 'failed' : 'was skipped'}`,
          };
        }
        if (options.shouldStop?.()) return { status: 'skipped', reason: 'start-up was aborted' };
        try {
          return { status: 'ok', value: await task(node) };
        } catch (error) {
          return { status: 'failed', error };
        }
      })();
      running.set(node, pending);
    }
    return pending;
  };

  const results = await Promise.all(nodes.map(async (node) => [node, await run(node)] as const));
  return new Map(results);
}
