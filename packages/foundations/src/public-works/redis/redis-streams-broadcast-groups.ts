import type { Redis } from 'ioredis';

/** The prefix of a broadcast subscriber's consumer group (`b:<uuid>`); named groups are `g:…`. */
export const BROADCAST_GROUP_PREFIX = 'b:';

/**
 * The names of a stream's consumer groups (`XINFO GROUPS`); none when the stream does not exist.
 * The reply is one flat `[field, value, …]` list per group (RESP2) or a map (RESP3).
 */
async function groupsOf(client: Redis, stream: string): Promise<string[]> {
  let reply: unknown;
  try {
    reply = await client.call('xinfo', 'GROUPS', stream);
  } catch {
    return [];
  }
  const names: string[] = [];
  for (const group of Array.isArray(reply) ? reply : []) {
    if (Array.isArray(group)) {
      const index = group.indexOf('name');
      if (index >= 0 && typeof group[index + 1] === 'string') names.push(group[index + 1]);
    } else if (group && typeof group === 'object' && typeof (group as { name?: unknown }).name === 'string') {
      names.push((group as { name: string }).name);
    }
  }
  return names;
}

/**
 * Destroys the broadcast groups on `stream` whose subscriber is gone: those whose heartbeat key
 * (`aliveKeyOf(group)`, kept by each live broadcast subscription with a TTL) has expired, as it does
 * when a process dies without unsubscribing. Named groups (`g:…`) and `keep` are never touched.
 * Costs one `XINFO GROUPS`, one `MGET` of the broadcast groups' keys, and one `XGROUP DESTROY` per
 * orphan. A group whose subscriber is alive but missed its heartbeat for longer than the TTL is
 * made again by that subscriber (its next read fails with `NOGROUP`). Returns the groups destroyed.
 */
export async function reapOrphanedBroadcastGroups(
  client: Redis,
  stream: string,
  aliveKeyOf: (group: string) => string,
  keep?: string,
): Promise<string[]> {
  const broadcast = (await groupsOf(client, stream)).filter(
    (name) => name.startsWith(BROADCAST_GROUP_PREFIX) && name !== keep,
  );
  if (broadcast.length === 0) return [];
  const alive = await client.mget(...broadcast.map(aliveKeyOf));
  const orphans = broadcast.filter((_, index) => alive[index] === null);
  for (const group of orphans) {
    await client.call('xgroup', 'DESTROY', stream, group).catch(() => {});
  }
  return orphans;
}
