import { describe, expect, it } from 'vitest';
import { expectPlatformError } from '../testing/assertions.js';
import { loadOptionalPeer } from './optional-peer.js';

describe('loadOptionalPeer', () => {
  it('names the adapter and the packages to install when one is missing', async () => {
    const missing = 'platform-test-package-that-is-not-installed';
    const error = await expectPlatformError(
      loadOptionalPeer('example://', [missing], () => import(missing)),
      'ADAPTER_UNAVAILABLE',
    );
    expect(error.message).toBe(
      `example:// stores need the optional peer dependency ${missing}: install it (e.g. npm install ${missing})`,
    );
    expect(error.details).toEqual({ adapter: 'example://', packages: [missing] });
  });

  it('lets other failures through unchanged, a missing module it was not told about included', async () => {
    const broken = new SyntaxError('Unexpected token');
    await expect(loadOptionalPeer('example://', ['pg'], () => Promise.reject(broken))).rejects.toBe(broken);
    const other = 'platform-some-other-missing-module';
    await expect(loadOptionalPeer('example://', ['pg'], () => import(other))).rejects.toMatchObject({
      code: 'ERR_MODULE_NOT_FOUND',
    });
  });
});
