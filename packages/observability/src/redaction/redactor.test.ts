import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRedactor, defaultRedactor } from './redactor.js';

describe('redaction of keys', () => {
  it('redacts default sensitive keys in any spelling, at any depth', () => {
    const input = {
      user: { email: 'jo@example.com', name: 'Jo', accessToken: 'abc', 'api-key': 'k', Password: 'p' },
      headers: { Authorization: 'Bearer x', Cookie: 'c' },
      list: [{ refresh_token: 't', client_secret: 's' }],
      maxTokens: 1000,
      tokenCount: 3,
      idempotencyKey: 'sha',
    };
    expect(defaultRedactor.redact(input)).toEqual({
      user: {
        email: '[REDACTED]',
        name: 'Jo',
        accessToken: '[REDACTED]',
        'api-key': '[REDACTED]',
        Password: '[REDACTED]',
      },
      headers: { Authorization: '[REDACTED]', Cookie: '[REDACTED]' },
      list: [{ refresh_token: '[REDACTED]', client_secret: '[REDACTED]' }],
      maxTokens: 1000,
      tokenCount: 3,
      idempotencyKey: 'sha',
    });
  });

  it('takes extra keys, patterns and a censor, and can replace the defaults', () => {
    const redactor = createRedactor({
      keys: ['tenant-name', /^x-internal-/i],
      censor: '***',
      replaceDefaultKeys: true,
    });
    expect(redactor.redact({ tenantName: 'Acme', 'X-Internal-Route': 'r', password: 'kept' })).toEqual({
      tenantName: '***',
      'X-Internal-Route': '***',
      password: 'kept',
    });
  });

  it('never mutates its input', () => {
    const input = { password: 'p', nested: { email: 'a@b.co' } };
    const before = structuredClone(input);
    defaultRedactor.redact(input);
    expect(input).toEqual(before);
  });
});

describe('redaction of values', () => {
  it('replaces e-mails, JWTs and bearer credentials inside strings', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl';
    expect(defaultRedactor.redactString(`from jo.doe+x@mail.example.org: use ${jwt} or Bearer abcdef123456`)).toBe(
      'from [REDACTED]: use [REDACTED] or Bearer [REDACTED]',
    );
  });

  it('can keep e-mail values when told to', () => {
    expect(createRedactor({ redactEmailValues: false }).redactString('jo@example.com')).toBe('jo@example.com');
  });

  it('cuts long strings and arrays, deep nesting and cycles', () => {
    const redactor = createRedactor({ maxStringLength: 10, maxArrayLength: 2, maxDepth: 3 });
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    expect(
      redactor.redact({ text: 'x'.repeat(25), items: [1, 2, 3, 4], deep: { a: { b: { c: 1 } } }, cyclic }),
    ).toEqual({
      text: `${'x'.repeat(10)}…[15 more characters]`,
      items: [1, 2, '…[2 more items]'],
      deep: { a: { b: '[Truncated]' } },
      cyclic: { name: 'loop', self: '[Circular]' },
    });
  });

  it('turns odd values into JSON-safe ones', () => {
    const error = Object.assign(new Error('failed for jo@example.com', { cause: new Error('inner') }), { code: 'E_X' });
    expect(
      defaultRedactor.redact({
        big: 10n,
        nan: Number.NaN,
        when: new Date('2026-01-02T03:04:05Z'),
        bytes: new Uint8Array(12),
        fn: () => 1,
        set: new Set(['a']),
        map: new Map([
          ['password', 'p'],
          ['k', 'v'],
        ]),
        url: new URL('https://example.com/a'),
        error,
      }),
    ).toEqual({
      big: '10',
      nan: 'NaN',
      when: '2026-01-02T03:04:05.000Z',
      bytes: '[Binary 12 bytes]',
      set: ['a'],
      map: { password: '[REDACTED]', k: 'v' },
      url: 'https://example.com/a',
      error: {
        name: 'Error',
        message: 'failed for [REDACTED]',
        code: 'E_X',
        cause: { name: 'Error', message: 'inner' },
      },
    });
  });

  it('never throws on values that resist conversion (regressions found by fast-check)', () => {
    const hostile = {
      map: new Map([[{ toString: '' }, 1]]),
      getter: Object.defineProperty({}, 'boom', {
        enumerable: true,
        get() {
          throw new Error('getter');
        },
      }),
      badJson: {
        toJSON() {
          throw new Error('toJSON');
        },
      },
    };
    expect(defaultRedactor.redact(hostile)).toEqual({
      map: { '[object Object]': 1 },
      getter: '[Unreadable]',
      badJson: '[Unreadable]',
    });
  });

  it('always yields something JSON.stringify accepts, and never leaks a planted e-mail (property)', () => {
    const planted = 'leak.me@example.com';
    fc.assert(
      fc.property(
        fc.anything({ maxDepth: 4, withBigInt: true, withDate: true, withMap: true, withSet: true }),
        (value) => {
          const output = JSON.stringify(defaultRedactor.redact({ value, note: `contact ${planted}` }));
          expect(output).not.toContain(planted);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('handles strings built to make e-mail matching backtrack (the test timeout guards against a hang)', () => {
    const hostile = `${'a'.repeat(4000)}@${'b-'.repeat(40)}`;
    expect(defaultRedactor.redactString(hostile)).toBe(hostile);
  });
});
