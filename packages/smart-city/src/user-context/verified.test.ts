import { describe, expect, it } from 'vitest';
import type { UserContext } from './user-context.js';
import {
  callerOrigin,
  isVerifiedUserContext,
  requireVerifiedUserContext,
  serviceIdentity,
  trustUserContext,
} from './verified.js';

const ada: UserContext = { userId: 'ada', tenantId: 'acme', roles: ['analyst'], permissions: ['files:write'] };

describe('verified user contexts', () => {
  it('are made only by vouching: a plain object, however well-shaped, is refused', () => {
    expect(isVerifiedUserContext(ada)).toBe(false);
    expect(() => requireVerifiedUserContext(ada)).toThrow(
      expect.objectContaining({ code: 'AUTHENTICATION_FAILED', details: { reason: 'unverified_user_context' } }),
    );
    for (const value of [undefined, null, 'ada', 42, []]) {
      expect(() => requireVerifiedUserContext(value)).toThrow(
        expect.objectContaining({ code: 'AUTHENTICATION_FAILED' }),
      );
    }
    const vouched = trustUserContext(ada, { verifiedBy: 'host-session' });
    expect(requireVerifiedUserContext(vouched)).toBe(vouched);
    expect(callerOrigin(vouched)).toEqual({ track: 'client', verifiedBy: 'host-session' });
    expect(callerOrigin(ada)).toBeUndefined();
    // Vouching again for a verified context keeps it (and who verified it).
    expect(trustUserContext(vouched, { verifiedBy: 'someone-else' })).toBe(vouched);
  });

  it('are frozen, and a copy (spread, structuredClone, JSON) is not verified', () => {
    const vouched = trustUserContext(
      { ...ada, roles: [...ada.roles], permissions: [...ada.permissions] },
      {
        verifiedBy: 'test',
      },
    );
    expect(Object.isFrozen(vouched) && Object.isFrozen(vouched.roles) && Object.isFrozen(vouched.permissions)).toBe(
      true,
    );
    expect(() => {
      (vouched.permissions as string[]).push('*');
    }).toThrow(TypeError);
    for (const copy of [{ ...vouched }, structuredClone(vouched), JSON.parse(JSON.stringify(vouched))]) {
      expect(copy).toEqual(vouched);
      expect(isVerifiedUserContext(copy)).toBe(false);
    }
  });

  it('are refused when malformed, and trustUserContext must name what verified the user', () => {
    expect(() => trustUserContext({ ...ada, tenantId: '../x' }, { verifiedBy: 'test' })).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
    expect(() => trustUserContext({ ...ada, extra: true } as never, { verifiedBy: 'test' })).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
    for (const verifiedBy of ['', '   ', undefined as never]) {
      expect(() => trustUserContext(ada, { verifiedBy })).toThrow(
        expect.objectContaining({ code: 'VALIDATION_FAILED', details: { field: 'verifiedBy' } }),
      );
    }
  });

  it('serviceIdentity: the internal track, service:<name>, every permission of its tenant unless narrowed', () => {
    const worker = serviceIdentity({ service: 'data-mash-worker', tenantId: 'acme' });
    expect(worker).toEqual({
      userId: 'service:data-mash-worker',
      tenantId: 'acme',
      roles: ['service'],
      permissions: ['*'],
    });
    expect(callerOrigin(worker)).toEqual({ track: 'internal', verifiedBy: 'service:data-mash-worker' });
    const narrow = serviceIdentity({
      service: 'nightly',
      tenantId: 'acme',
      permissions: ['files:write'],
      actingFor: 'ada',
    });
    expect(narrow).toMatchObject({ userId: 'ada', permissions: ['files:write'] });
    for (const options of [
      { service: 'Bad Name', tenantId: 'acme' },
      { service: 'ok', tenantId: '../x' },
      { service: 'ok', tenantId: 'acme', extra: 1 },
      { service: 'ok', tenantId: 'acme', actingFor: '' },
    ]) {
      expect(() => serviceIdentity(options as never), JSON.stringify(options)).toThrow(
        expect.objectContaining({ code: 'VALIDATION_FAILED' }),
      );
    }
  });
});
