/** A {@link HeavyHitters} summary as plain data, to merge elsewhere. */
export interface HeavyHittersState {
  /** Values counted, the ones the summary did not keep included. */
  total: number;
  /** The counters: value, estimated count (an upper bound) and the most it may be over. */
  entries: Array<[value: string, count: number, error: number]>;
  capacity: number;
  /** Occurrences not counted because their key was another kept value's (see {@link HeavyHitters.increment}). */
  collisions: number;
}

/** A value the summary found frequent: its true count lies in `[count - maxError, count]`. */
export interface HeavyHitter {
  value: string;
  count: number;
  maxError: number;
}

/**
 * The most frequent values of a stream in fixed memory: Space-Saving (Metwally, Agrawal and
 * El Abbadi, 2005) with `capacity` counters. Every value whose true count exceeds
 * `total / capacity` is kept; each kept count overestimates the true one by at most its `error`,
 * itself at most `total / capacity`. Keys are the caller's: the value's text, or a 32-bit hash of
 * its bytes with a second hash (`check`) to tell values sharing a key apart. A value whose key a
 * kept value already holds with another check is not counted; such occurrences (about one in two
 * million values with 2,000 counters) are added to every reported error, so the bounds still hold.
 */
interface Counter<Key> {
  key: Key;
  check: number;
  text: string;
  count: number;
  error: number;
  /** Where the counter sits in the heap. */
  slot: number;
}

export class HeavyHitters<Key> {
  readonly capacity: number;
  total = 0;
  // Counters in a binary min-heap by count; swaps move references and update `slot`, so the
  // key map is touched only when a counter is taken over.
  readonly #heap: Counter<Key>[] = [];
  readonly #byKey = new Map<Key, Counter<Key>>();
  #collisions = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  /**
   * Counts one occurrence of `key` when it is kept, and says so; when it is not (false), the
   * caller adds it with {@link insert}. Two steps, so the value's text is made only when needed.
   */
  increment(key: Key, check = 0): boolean {
    const counter = this.#byKey.get(key);
    if (counter === undefined) return false;
    this.total += 1;
    if (counter.check !== check) {
      this.#collisions += 1;
      return true;
    }
    counter.count += 1;
    this.#down(counter.slot);
    return true;
  }

  /** Counts `count` occurrences of a value not kept (over its true count by at most `error`). */
  insert(key: Key, text: string, count = 1, error = 0, check = 0): void {
    this.total += count;
    const heap = this.#heap;
    if (heap.length < this.capacity) {
      const counter: Counter<Key> = { key, check, text, count, error, slot: heap.length };
      heap.push(counter);
      this.#byKey.set(key, counter);
      this.#up(counter.slot);
      return;
    }
    // Full: the least counted value gives its counter up; the newcomer may have had as many.
    const least = heap[0] as Counter<Key>;
    this.#byKey.delete(least.key);
    least.key = key;
    least.check = check;
    least.text = text;
    least.error = least.count + error;
    least.count += count;
    this.#byKey.set(key, least);
    this.#down(0);
  }

  /** The smallest kept count: no value left out was counted more often. 0 while counters are free. */
  floor(): number {
    return this.#heap.length < this.capacity ? 0 : (this.#heap[0] as Counter<Key>).count;
  }

  /**
   * The values whose true count is surely at least `minCount` (count minus error), most frequent
   * first, ties by value.
   */
  top(limit: number, minCount: number): HeavyHitter[] {
    return this.#heap
      .filter((counter) => counter.count - counter.error - this.#collisions >= minCount)
      .map((counter) => ({ value: counter.text, count: counter.count, maxError: counter.error + this.#collisions }))
      .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1))
      .slice(0, limit);
  }

  /** The summary as plain data. */
  state(): HeavyHittersState {
    return {
      total: this.total,
      capacity: this.capacity,
      collisions: this.#collisions,
      entries: this.#heap.map((counter) => [counter.text, counter.count, counter.error]),
    };
  }

  /**
   * Adds another summary (the mergeable summaries of Agarwal et al., 2012): a value the other
   * side did not keep may have had up to its floor there, so it gains that much possible error;
   * a value only the other side kept gains this side's floor likewise. `keyOf` makes a key of a
   * value's text.
   */
  merge(other: HeavyHittersState, keyOf: (text: string) => { key: Key; check: number }): void {
    const otherFloor = other.entries.length < other.capacity ? 0 : Math.min(...other.entries.map((entry) => entry[1]));
    const ownFloor = this.floor();
    const merged = new Map<Key, [string, number, number, number]>();
    for (const counter of this.#heap)
      merged.set(counter.key, [counter.text, counter.count + otherFloor, counter.error + otherFloor, counter.check]);
    let collisions = this.#collisions + other.collisions;
    for (const [text, count, error] of other.entries) {
      const { key, check } = keyOf(text);
      const own = merged.get(key);
      if (own && own[3] !== check) {
        // Two values share a key: the incoming one is not kept, and its count joins the errors.
        collisions += count;
        continue;
      }
      if (own) {
        // Both kept it: the other side's counts replace the floor assumed above.
        own[1] += count - otherFloor;
        own[2] += error - otherFloor;
      } else merged.set(key, [text, count + ownFloor, error + ownFloor, check]);
    }
    const total = this.total + other.total;
    const kept = [...merged.entries()].sort((a, b) => b[1][1] - a[1][1]).slice(0, this.capacity);
    this.#heap.length = 0;
    this.#byKey.clear();
    for (const [key, [text, count, error, check]] of kept) this.insert(key, text, count, error, check);
    this.total = total;
    this.#collisions = collisions;
  }

  #up(start: number): void {
    const heap = this.#heap;
    let slot = start;
    const moving = heap[slot] as Counter<Key>;
    while (slot > 0) {
      const parent = (slot - 1) >> 1;
      const above = heap[parent] as Counter<Key>;
      if (above.count <= moving.count) break;
      heap[slot] = above;
      above.slot = slot;
      slot = parent;
    }
    heap[slot] = moving;
    moving.slot = slot;
  }

  #down(start: number): void {
    const heap = this.#heap;
    const size = heap.length;
    let slot = start;
    const moving = heap[slot] as Counter<Key>;
    for (;;) {
      const left = 2 * slot + 1;
      if (left >= size) break;
      const right = left + 1;
      let child = left;
      if (right < size && (heap[right] as Counter<Key>).count < (heap[left] as Counter<Key>).count) child = right;
      const below = heap[child] as Counter<Key>;
      if (moving.count <= below.count) break;
      heap[slot] = below;
      below.slot = slot;
      slot = child;
    }
    heap[slot] = moving;
    moving.slot = slot;
  }
}
