/**
 * `JSON.stringify(value)`, the same text, faster for answers holding `Date`s (journey records do).
 * V8 serializes a Date through `Date.prototype.toJSON` and `toISOString`, a slow call that also
 * takes the whole serialization off its fast path; here such Dates are turned into the very same
 * ISO strings first (the branches holding none are not copied), and the rest is left to
 * `JSON.stringify`: class instances, objects with their own `toJSON`, Dates with a patched
 * `toJSON`/`toISOString`/`valueOf`, and anything nested deeper than {@link MAX_DEPTH}.
 */
export function jsonText(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || enumerableOnObjectPrototype()) return JSON.stringify(value);
  return JSON.stringify(withIsoDates(value, 0));
}

// Objects are walked with for-in, V8's fastest walk of their keys. It also lists inherited
// enumerable keys, which a plain object has only when Object.prototype was given one: then the
// whole value is left to JSON.stringify.
function enumerableOnObjectPrototype(): boolean {
  for (const _ in Object.prototype) return true;
  return false;
}

// Deeper values are left as they are, so a cycle still reaches JSON.stringify (and its TypeError).
const MAX_DEPTH = 64;
const DATE_TO_JSON = Date.prototype.toJSON;
const DATE_TO_ISO = Date.prototype.toISOString;
const DATE_VALUE_OF = Date.prototype.valueOf;
const TWO_DIGITS = Array.from({ length: 100 }, (_, n) => (n < 10 ? `0${n}` : String(n)));

// What `Date.prototype.toJSON` gives: `null` for an invalid date, else `toISOString()`.
function isoText(date: Date): string | null {
  const time = date.getTime();
  if (Number.isNaN(time)) return null;
  const year = date.getUTCFullYear();
  // Years outside 1000-9999 are written with padding or a sign: toISOString knows how.
  if (year < 1000 || year > 9999) return date.toISOString();
  const ms = date.getUTCMilliseconds();
  return `${year}-${TWO_DIGITS[date.getUTCMonth() + 1]}-${TWO_DIGITS[date.getUTCDate()]}T${TWO_DIGITS[date.getUTCHours()]}:${TWO_DIGITS[date.getUTCMinutes()]}:${TWO_DIGITS[date.getUTCSeconds()]}.${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z`;
}

function isPlainDate(value: Date): boolean {
  return value.toJSON === DATE_TO_JSON && value.toISOString === DATE_TO_ISO && value.valueOf === DATE_VALUE_OF;
}

function withIsoDates(value: object, depth: number): unknown {
  if (value instanceof Date) return isPlainDate(value) ? isoText(value) : value;
  if (depth >= MAX_DEPTH || typeof (value as { toJSON?: unknown }).toJSON === 'function') return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let index = 0; index < value.length; index += 1) {
      const item: unknown = value[index];
      const done = typeof item === 'object' && item !== null ? withIsoDates(item, depth + 1) : item;
      if (done !== item && copy === undefined) copy = value.slice(0, index);
      if (copy !== undefined) copy.push(done);
    }
    return copy ?? value;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  const record = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key in record) {
    const item = record[key];
    const done = typeof item === 'object' && item !== null ? withIsoDates(item, depth + 1) : item;
    if (done !== item && copy === undefined) {
      copy = {};
      for (const before in record) {
        if (before === key) break;
        put(copy, before, record[before]);
      }
    }
    if (copy !== undefined) put(copy, key, done);
  }
  return copy ?? value;
}

// `copy.__proto__ = x` would set the prototype: that key is defined as an own property instead.
function put(target: Record<string, unknown>, key: string, item: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value: item, enumerable: true, writable: true, configurable: true });
  else target[key] = item;
}
