import { callerOrigin, isVerifiedUserContext } from '@platform/smart-city';
import { describe, expect, it } from 'vitest';
import { cliUser } from './session.js';

describe('cliUser', () => {
  it('is a verified service identity of the CLI (internal track), acting for --user in --tenant', () => {
    const user = cliUser({ tenant: 'acme', user: 'ada' });
    expect(isVerifiedUserContext(user)).toBe(true);
    expect(callerOrigin(user)).toEqual({ track: 'internal', verifiedBy: 'service:data-mash-cli' });
    expect(user).toEqual({ userId: 'ada', tenantId: 'acme', roles: ['service'], permissions: ['*'] });
  });

  it('acts for the OS user when no --user is given, and refuses a bad tenant', () => {
    expect(cliUser({ tenant: 'acme' }).userId.length).toBeGreaterThan(0);
    expect(() => cliUser({ tenant: '../other' })).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });
});
