import { ErrorCode, PlatformError } from '../../errors/platform-error.js';

/** What a token verifier needs to accept a Supabase project's access tokens. */
export interface SupabaseAuthSettings {
  /** The project's published signing keys (asymmetric JWT signing keys). */
  jwksUrl: string;
  /** The `iss` of the project's tokens. */
  issuer: string;
  /** The `aud` of signed-in users' tokens. */
  audience: string;
}

/**
 * The Supabase Auth settings of a project, from its URL: spread them into the Security Guard's
 * options (`securityGuard({ ...supabaseAuth(url), rolePermissions })`), whose default claims
 * mapping is Supabase's (`sub`, `app_metadata.tenant_id`, `role` and `app_metadata.roles`,
 * `app_metadata.permissions`). Tokens must be signed with the project's asymmetric signing keys;
 * the legacy shared JWT secret is refused by the Security Guard by design.
 *
 * @param projectUrl `https://<project>.supabase.co`, a custom domain, or a local stack's
 *   `http://127.0.0.1:54321` (plain http only on a loopback address).
 * @throws `CONFIG_INVALID` for anything else.
 */
export function supabaseAuth(projectUrl: string | URL): SupabaseAuthSettings {
  let url: URL;
  try {
    url = new URL(String(projectUrl));
  } catch {
    throw invalid('the Supabase project URL cannot be parsed');
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw invalid('the Supabase project URL must be https (http only on a loopback address)');
  }
  if (url.username || url.password || url.search || url.hash || url.pathname.replace(/\/+$/, '') !== '') {
    throw invalid('the Supabase project URL is the origin only, like https://<project>.supabase.co');
  }
  const issuer = `${url.origin}/auth/v1`;
  return { jwksUrl: `${issuer}/.well-known/jwks.json`, issuer, audience: 'authenticated' };
}

function invalid(message: string): PlatformError {
  return new PlatformError(ErrorCode.CONFIG_INVALID, `supabase: ${message}`, {
    details: { adapter: 'supabase', field: 'projectUrl' },
  });
}
