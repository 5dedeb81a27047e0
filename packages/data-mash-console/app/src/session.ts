// The caller's credential: a bearer token, kept for this browser tab only (sessionStorage), never
// in a URL the server sees. `data-mash serve` prints a link with the token in the fragment
// (`#token=...`), which is read once and removed from the address bar.

const KEY = 'data-mash-console.token';

/** Who the token says the caller is (read for display only: the server verifies every request). */
export interface SignedIn {
  token: string;
  tenantId: string;
  userId: string;
  expiresAt?: Date;
}

function base64UrlJson(part: string): Record<string, unknown> | undefined {
  try {
    const text = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(text, (char) => char.charCodeAt(0));
    const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The claims of a JWT, or a placeholder identity for an opaque token (an API key). */
export function describeToken(token: string): SignedIn {
  const claims = base64UrlJson(token.split('.')[1] ?? '') ?? {};
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  const appMetadata = (claims.app_metadata ?? {}) as Record<string, unknown>;
  // Where the Security Guard looks by default (Supabase's place), then the common flat claims.
  const tenantId = text(appMetadata.tenant_id) ?? text(claims.tenant_id) ?? text(claims.tenantId) ?? 'unknown tenant';
  const userId = text(claims.sub) ?? text(claims.user_id) ?? 'unknown user';
  const exp = typeof claims.exp === 'number' ? new Date(claims.exp * 1000) : undefined;
  return { token, tenantId, userId, ...(exp ? { expiresAt: exp } : {}) };
}

/**
 * The session of this tab, and the token of the link the console was opened with when it differs.
 * A link never replaces a session silently: a link from someone else would sign the user into
 * their tenant, and the user's uploads would land there. The console asks first.
 */
export function restoreSession(): { session?: SignedIn; fromLink?: SignedIn } {
  const fragment = new URLSearchParams(location.hash.replace(/^#\/?\??/, ''));
  const fromLink = fragment.get('token');
  if (fromLink) history.replaceState(null, '', `${location.pathname}${location.search}#/`);
  const kept = sessionStorage.getItem(KEY);
  if (fromLink && !kept) return { session: saveSession(fromLink) };
  return {
    ...(kept ? { session: describeToken(kept) } : {}),
    ...(fromLink && fromLink !== kept ? { fromLink: describeToken(fromLink) } : {}),
  };
}

export function saveSession(token: string): SignedIn {
  sessionStorage.setItem(KEY, token);
  return describeToken(token);
}

export function clearSession(): void {
  sessionStorage.removeItem(KEY);
}
