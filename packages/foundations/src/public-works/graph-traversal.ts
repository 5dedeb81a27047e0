import { ErrorCode, PlatformError } from '../errors/platform-error.js';
import type { GraphEdge, GraphNode, GraphTraversalOptions, GraphTraversalStep } from './ports/semantic-store.js';
import { checkContentId } from './semantic-input.js';

/** The identity of an edge, and the order edges are walked in. */
export function edgeKey(edge: Pick<GraphEdge, 'from' | 'relation' | 'to'>): string {
  return `${edge.from}\u0000${edge.relation}\u0000${edge.to}`;
}

/** A checked traversal request, with its defaults. */
export interface ResolvedGraphTraversal {
  maxDepth: number;
  direction: 'out' | 'in' | 'both';
  relations: readonly string[] | undefined;
  limit: number;
}

function invalid(field: string, message: string): PlatformError {
  return new PlatformError(ErrorCode.VALIDATION_FAILED, `traverse: ${message}`, { details: { field } });
}

/** Checks a `SemanticStore.traverse` request and fills in the defaults; `VALIDATION_FAILED` naming the option. */
export function prepareGraphTraversal(
  tenantId: string,
  startId: string,
  options: GraphTraversalOptions = {},
): ResolvedGraphTraversal {
  checkContentId(tenantId, startId);
  const { maxDepth = 2, direction = 'both', relations, limit = 100 } = options;
  if (!Number.isInteger(maxDepth) || maxDepth < 1 || maxDepth > 5) {
    throw invalid('maxDepth', 'maxDepth is an integer from 1 to 5');
  }
  if (direction !== 'out' && direction !== 'in' && direction !== 'both') {
    throw invalid('direction', "direction is 'out', 'in' or 'both'");
  }
  if (
    relations !== undefined &&
    (!Array.isArray(relations) ||
      relations.length === 0 ||
      relations.length > 20 ||
      !relations.every((name) => typeof name === 'string' && /^[a-z][a-z0-9_]*$/.test(name)))
  ) {
    throw invalid('relations', 'relations are 1-20 snake_case names');
  }
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw invalid('limit', 'limit is an integer from 1 to 1000');
  return { maxDepth, direction, relations: relations ? [...relations] : undefined, limit };
}

/**
 * Breadth first from `startId`, one level at a time: `edgesAt(ids)` gives the stored edges that
 * leave (per the direction, and of the relations asked for) any of the level's nodes, so a store
 * answers each level with one indexed query. The level is walked in the order of the paths that
 * reached its nodes and each node's edges in key order, so a node's path is the first shortest
 * one in that order whatever order a store returns edges in.
 */
export async function traverseBreadthFirst(
  startId: string,
  traversal: ResolvedGraphTraversal,
  edgesAt: (ids: string[]) => Promise<GraphEdge[]>,
  nodesOf: (ids: string[]) => Promise<GraphNode[]>,
): Promise<GraphTraversalStep[]> {
  const paths = new Map<string, GraphEdge[]>([[startId, []]]);
  const found: GraphTraversalStep[] = [];
  let level = [startId];
  for (let depth = 1; depth <= traversal.maxDepth && level.length > 0; depth += 1) {
    const byNode = new Map<string, GraphEdge[]>();
    const add = (id: string, edge: GraphEdge) => {
      if (paths.get(id)?.length !== depth - 1) return;
      byNode.set(id, [...(byNode.get(id) ?? []), edge]);
    };
    for (const edge of await edgesAt(level)) {
      if (traversal.direction !== 'in') add(edge.from, edge);
      if (traversal.direction !== 'out' && edge.to !== edge.from) add(edge.to, edge);
    }
    const next: string[] = [];
    for (const id of level) {
      const edges = (byNode.get(id) ?? []).sort((a, b) => compare(edgeKey(a), edgeKey(b)));
      for (const edge of edges) {
        const other = edge.from === id && traversal.direction !== 'in' ? edge.to : edge.from;
        if (paths.has(other)) continue;
        paths.set(other, [...(paths.get(id) as GraphEdge[]), edge]);
        next.push(other);
      }
    }
    if (next.length === 0) break;
    const nodes = new Map(
      (await nodesOf(next)).filter((node) => paths.get(node.id)?.length === depth).map((node) => [node.id, node]),
    );
    for (const node of [...nodes.values()].sort((a, b) => compare(a.id, b.id))) {
      found.push({ node, depth, path: paths.get(node.id) as GraphEdge[] });
    }
    // Nodes further away come after every node found so far: once there are enough, stop.
    if (found.length >= traversal.limit) break;
    level = next;
  }
  return found.slice(0, traversal.limit);
}

/**
 * `SemanticStore.neighbors` over the same two queries as a traversal: the node's edges (in
 * (from, relation, to) order) and the nodes at their other ends (by id).
 */
export async function graphNeighbors(
  nodeId: string,
  options: { relation?: string; direction?: 'out' | 'in' | 'both' },
  edgesAt: (ids: string[], direction: 'out' | 'in' | 'both', relations?: string[]) => Promise<GraphEdge[]>,
  nodesOf: (ids: string[]) => Promise<GraphNode[]>,
): Promise<{ edges: GraphEdge[]; nodes: GraphNode[] }> {
  const edges = (
    await edgesAt(
      [nodeId],
      options.direction ?? 'both',
      options.relation === undefined ? undefined : [options.relation],
    )
  ).sort((a, b) => edgeKey(a).localeCompare(edgeKey(b)));
  const ids = [...new Set(edges.map((edge) => (edge.from === nodeId ? edge.to : edge.from)))];
  return { edges, nodes: ids.length === 0 ? [] : await nodesOf(ids) };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
