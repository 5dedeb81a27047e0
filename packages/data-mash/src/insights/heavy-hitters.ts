/** A {@link HeavyHitters} summary as plain data, to merge elsewhere. */
export interface HeavyHittersState {
  /** Values counted, the ones the summary did not keep included. */
  total: number;
  /** The counters: value, estimated count (an upper bound) and the most it may be over. */
  entries: Array<[value: string, count: number, error: number]>;
  capacity: number;
  /** Occurrences not counted because their key was another kept value's (see {@link HeavyHitters}). */
  collisions: number;
  /** The count-min filter's counters (two rows); null for a summary made elsewhere without one. */
  filter: Uint32Array | null;
  /** The summary stopped filtering (see {@link HeavyHitters.merge}). */
  unfiltered?: boolean;
}

/** A value the summary found frequent: its true count lies in `[count - maxError, count]`. */
export interface HeavyHitter {
  value: string;
  count: number;
  maxError: number;
}

/** How a summary identifies a value: a key with a check that tells values sharing the key apart, and a well-mixed 32-bit hash for the filter. */
export interface HeavyKey<Key> {
  key: Key;
  check: number;
  hash: number;
}

interface Counter<Key> {
  key: Key;
  check: number;
  text: string;
  count: number;
  error: number;
  /** Where the counter sits in the heap. */
  slot: number;
}

const FILTER_BITS = 14;
const FILTER_MASK = (1 << FILTER_BITS) - 1;

/**
 * The most frequent values of a stream in fixed memory: Space-Saving (Metwally, Agrawal and
 * El Abbadi, 2005) with `capacity` counters. Every value whose true count exceeds
 * `total / capacity` is kept; each kept count overestimates the true one by at most its `error`,
 * itself at most `total / capacity`.
 *
 * A count-min sketch (two rows of 2^14 counters, 128 KiB) in front filters values out: every
 * occurrence is counted there, and a value not kept takes a counter over only when its sketch
 * count (never below its true count) exceeds the least kept count. Skipping it otherwise keeps
 * Space-Saving's invariant (no value left out was counted more often than the least kept one),
 * so the bounds hold as they are; on columns of mostly unique values most occurrences then
 * cost two array increments instead of a counter takeover.
 *
 * Keys are the caller's: the value's text, or a 32-bit hash of its bytes with a second hash
 * (`check`) to tell values sharing a key apart. A value whose key a kept value already holds with
 * another check is not counted; such occurrences (about one in two million values with 2,000
 * counters) are added to every reported error, so the bounds still hold.
 */
export class HeavyHitters<Key> {
  readonly capacity: number;
  total = 0;
  // Counters in a binary min-heap by count; swaps move references and update `slot`, so the
  // key map is touched only when a counter is taken over.
  readonly #heap: Counter<Key>[] = [];
  readonly #byKey = new Map<Key, Counter<Key>>();
  readonly #filter = new Uint32Array(2 << FILTER_BITS);
  #collisions = 0;
  // Set when the filter cannot be trusted to count every occurrence (merged from a summary that
  // hashed values otherwise): from then on every value not kept takes a counter, as in plain Space-Saving.
  #unfiltered = false;
  // The filter's count of the value being offered, and the count it takes a counter with.
  #estimate = 0;
  #offered = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  /**
   * Counts one occurrence of a value. Returns true when the value is to take a counter over: the
   * caller then calls {@link take} with its text (so text is made only when needed).
   */
  offer(id: HeavyKey<Key>): boolean {
    return this.screen(id.hash) && this.count(id.key, id.check);
  }

  /**
   * The first step of {@link offer}, by the value's hash only: counts the occurrence in the
   * filter and returns false when nothing more is to be done. Only then is the value's key asked
   * for ({@link count}), so the hot path needs one hash.
   */
  screen(hash: number): boolean {
    this.total += 1;
    const filter = this.#filter;
    const a = hash & FILTER_MASK;
    const b = (1 << FILTER_BITS) + ((hash >>> FILTER_BITS) & FILTER_MASK);
    const countA = (filter[a] as number) + 1;
    const countB = (filter[b] as number) + 1;
    filter[a] = countA;
    filter[b] = countB;
    const heap = this.#heap;
    if (heap.length < this.capacity) {
      this.#estimate = Number.POSITIVE_INFINITY;
      return true;
    }
    const estimate = this.#unfiltered ? Number.POSITIVE_INFINITY : countA < countB ? countA : countB;
    this.#estimate = estimate;
    // At most `floor` occurrences so far: nothing to do whether the value is kept or not. Kept,
    // its count (at least the floor) stays over its true count, and its count minus error (the
    // occurrences seen since it was taken over) under it. Not kept, the invariant holds.
    return estimate > (heap[0] as Counter<Key>).count;
  }

  /** The second step of {@link offer}: counts a kept value, or returns true when it is to take a counter over. */
  count(key: Key, check: number): boolean {
    const counter = this.#byKey.get(key);
    if (counter !== undefined) {
      if (counter.check !== check) this.#collisions += 1;
      else {
        counter.count += 1;
        this.#down(counter.slot);
      }
      return false;
    }
    // Counters still free: nothing was ever left out, so this is the value's first occurrence.
    // Otherwise its true count is at most the sketch's, and at most one more than the floor.
    const heap = this.#heap;
    if (heap.length < this.capacity) this.#offered = 1;
    else {
      const floor = (heap[0] as Counter<Key>).count;
      this.#offered = this.#estimate < floor + 1 ? this.#estimate : floor + 1;
    }
    return true;
  }

  /** Gives the value last offered (see {@link offer}) a counter. */
  take(key: Key, text: string, check: number): void {
    const count = this.#offered;
    this.#place(key, text, count, count - 1, check);
  }

  /**
   * Seeds the summary with a value counted `count` times exactly (before the summary existed);
   * add values most frequent first. `id` gives the filter its hashes.
   */
  seed(id: HeavyKey<Key>, text: string, count: number, keep: boolean): void {
    this.total += count;
    const a = id.hash & FILTER_MASK;
    const b = (1 << FILTER_BITS) + ((id.hash >>> FILTER_BITS) & FILTER_MASK);
    this.#filter[a] = (this.#filter[a] as number) + count;
    this.#filter[b] = (this.#filter[b] as number) + count;
    if (keep) this.#place(id.key, text, count, 0, id.check);
  }

  // Puts a value in a free counter, or in the least counted one's.
  #place(key: Key, text: string, count: number, error: number, check: number): void {
    const heap = this.#heap;
    if (heap.length < this.capacity) {
      const counter: Counter<Key> = { key, check, text, count, error, slot: heap.length };
      heap.push(counter);
      this.#byKey.set(key, counter);
      this.#up(counter.slot);
      return;
    }
    const least = heap[0] as Counter<Key>;
    this.#byKey.delete(least.key);
    least.key = key;
    least.check = check;
    least.text = text;
    least.count = count;
    least.error = error;
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
      filter: this.#filter.slice(),
      unfiltered: this.#unfiltered,
    };
  }

  /**
   * Adds another summary (the mergeable summaries of Agarwal et al., 2012): a value the other
   * side did not keep may have had up to its floor there, so it gains that much possible error;
   * a value only the other side kept gains this side's floor likewise. Filters add up when both
   * hashed values the same way (`sameHashing`); otherwise filtering stops. `idOf` identifies a
   * value by its text.
   */
  merge(other: HeavyHittersState, idOf: (text: string) => HeavyKey<Key>, sameHashing = true): void {
    const otherFloor = other.entries.length < other.capacity ? 0 : Math.min(...other.entries.map((entry) => entry[1]));
    const ownFloor = this.floor();
    const merged = new Map<Key, [string, number, number, number]>();
    for (const counter of this.#heap)
      merged.set(counter.key, [counter.text, counter.count + otherFloor, counter.error + otherFloor, counter.check]);
    let collisions = this.#collisions + other.collisions;
    for (const [text, count, error] of other.entries) {
      const { key, check } = idOf(text);
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
    if (other.filter && sameHashing)
      for (let index = 0; index < this.#filter.length; index += 1)
        this.#filter[index] = (this.#filter[index] as number) + (other.filter[index] as number);
    else if (other.total > 0) this.#unfiltered = true;
    if (other.unfiltered) this.#unfiltered = true;
    const kept = [...merged.entries()].sort((a, b) => b[1][1] - a[1][1]).slice(0, this.capacity);
    this.#heap.length = 0;
    this.#byKey.clear();
    for (const [key, [text, count, error, check]] of kept) this.#place(key, text, count, error, check);
    this.total += other.total;
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
