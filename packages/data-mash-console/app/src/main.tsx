import { render } from 'preact';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { Api, LiveEvents } from './api.js';
import { Console } from './context.js';
import { href, useRoute } from './router.js';
import { clearSession, restoreSession, type SignedIn, saveSession } from './session.js';
import { HomeView } from './views/home.js';
import { JourneyView } from './views/journey.js';
import { SearchView } from './views/search.js';
import { SignInView } from './views/sign-in.js';

function Shell({ session, onSignOut }: { session: SignedIn; onSignOut: (reason?: string) => void }) {
  const route = useRoute();
  const api = useMemo(
    () => new Api(session.token, () => onSignOut('The server refused your token (expired or revoked): sign in again.')),
    [session.token, onSignOut],
  );
  const live = useMemo(() => new LiveEvents(session.token), [session.token]);
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    const off = live.onConnection(setConnected);
    return () => {
      off();
      live.close();
    };
  }, [live]);
  const [section = 'journeys', id] = route.parts;
  let view = <HomeView />;
  if (section === 'journeys' && id) view = <JourneyView journeyId={id} tab={route.parts[2] ?? 'overview'} />;
  else if (section === 'search') view = <SearchView initial={route.query.get('q') ?? ''} />;
  useEffect(() => {
    document.querySelector<HTMLElement>('main h1')?.focus({ preventScroll: true });
  }, [section, id]);
  return (
    <Console.Provider value={{ session, api, live }}>
      <button type="button" class="skip-link" onClick={() => document.getElementById('main')?.focus()}>
        Skip to content
      </button>
      <header class="topbar">
        <a class="brand" href={href('journeys')}>
          data-mash <span class="brand-sub">console</span>
        </a>
        <nav aria-label="Sections">
          <a href={href('journeys')} aria-current={section === 'journeys' ? 'page' : undefined}>
            Journeys
          </a>
          <a href={href('search')} aria-current={section === 'search' ? 'page' : undefined}>
            Search
          </a>
        </nav>
        <div class="identity">
          <span
            class={`live-dot ${connected ? 'on' : 'off'}`}
            title={connected ? 'Live updates on' : 'Live updates off'}
          >
            <span class="visually-hidden">{connected ? 'Live updates on' : 'Live updates off'}</span>
          </span>
          <span data-testid="tenant">
            <span class="muted">tenant</span> {session.tenantId}
          </span>
          <span class="muted user">{session.userId}</span>
          <button type="button" class="link-button" onClick={() => onSignOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {view}
      </main>
    </Console.Provider>
  );
}

const restored = restoreSession();

/** A link that would sign in as someone else than this tab's session: switch only when asked. */
function SwitchPrompt({ to, from, onAnswer }: { to: SignedIn; from: SignedIn; onAnswer: (switchTo: boolean) => void }) {
  return (
    <div class="switch-prompt" role="alertdialog" aria-labelledby="switch-title" aria-describedby="switch-text">
      <h2 id="switch-title">Sign in as someone else?</h2>
      <p id="switch-text">
        The link you opened signs in as <strong>{to.userId}</strong> in tenant <strong>{to.tenantId}</strong>. You are
        signed in as <strong>{from.userId}</strong> in tenant <strong>{from.tenantId}</strong>. Uploads go to the tenant
        you are signed in to.
      </p>
      <div class="switch-actions">
        <button type="button" class="primary" onClick={() => onAnswer(false)}>
          Stay as {from.userId} ({from.tenantId})
        </button>
        <button type="button" onClick={() => onAnswer(true)}>
          Switch to {to.userId} ({to.tenantId})
        </button>
      </div>
    </div>
  );
}

function App() {
  const [session, setSession] = useState<SignedIn | undefined>(restored.session);
  const [fromLink, setFromLink] = useState<SignedIn | undefined>(restored.fromLink);
  const [notice, setNotice] = useState<string | undefined>();
  // A sign-in link opened in this tab while the console is open changes only the fragment.
  useEffect(() => {
    const onHash = () => {
      if (!/[#&/?]token=/.test(location.hash)) return;
      const again = restoreSession();
      if (again.session) setSession(again.session);
      setFromLink(again.fromLink);
    };
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  const signOut = useCallback((reason?: string) => {
    clearSession();
    setSession(undefined);
    setNotice(reason);
  }, []);
  if (session && fromLink) {
    return (
      <main id="main" class="sign-in">
        <SwitchPrompt
          to={fromLink}
          from={session}
          onAnswer={(switchTo) => {
            if (switchTo) setSession(saveSession(fromLink.token));
            setFromLink(undefined);
          }}
        />
      </main>
    );
  }
  if (!session) {
    return (
      <SignInView
        notice={notice}
        onSignIn={(token) => {
          setFromLink(undefined);
          setSession(saveSession(token));
        }}
      />
    );
  }
  return <Shell key={session.token} session={session} onSignOut={signOut} />;
}

const root = document.getElementById('app');
if (root) render(<App />, root);
