import { useState } from 'preact/hooks';

/** Sign in with a bearer token: the one `data-mash serve` prints, or any the deployment's identity provider issues. */
export function SignInView({ onSignIn, notice }: { onSignIn: (token: string) => void; notice?: string | undefined }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | undefined>();
  const submit = async (event: Event) => {
    event.preventDefault();
    const value = token.trim().replace(/^bearer\s+/i, '');
    if (value === '') {
      setError('Paste a token first.');
      return;
    }
    // Checked against the API before it is kept: a wrong token says so here, not on every page.
    const response = await fetch(new URL('journeys?limit=1', new URL('./', location.href)), {
      headers: { authorization: `Bearer ${value}` },
    }).catch(() => undefined);
    if (!response) {
      setError('The server could not be reached.');
      return;
    }
    if (response.status === 401) {
      setError('This token was refused (expired, or not issued for this server).');
      return;
    }
    onSignIn(value);
  };
  return (
    <main id="main" class="sign-in">
      <h1>data-mash console</h1>
      {notice && (
        <p class="error-text" role="alert">
          {notice}
        </p>
      )}
      <p>
        Sign in with a bearer token. On your machine, <code>data-mash serve</code> prints a link that signs you in;
        against a deployment, use a token from its identity provider.
      </p>
      <form onSubmit={submit} noValidate>
        <label for="token">Bearer token</label>
        <textarea
          id="token"
          rows={4}
          spellcheck={false}
          autocomplete="off"
          value={token}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={error ? 'token-error' : undefined}
          onInput={(event) => setToken((event.target as HTMLTextAreaElement).value)}
        />
        {error && (
          <p id="token-error" class="error-text" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary">
          Sign in
        </button>
      </form>
    </main>
  );
}
