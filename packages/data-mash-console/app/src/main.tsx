import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { Api, LiveEvents } from './api.js';
import { Console } from './context.js';
import { href, useRoute } from './router.js';
import { clearSession, restoreSession, type SignedIn, saveSession } from './session.js';
import { HomeView } from './views/home.js';
import { JourneyView } from './views/journey.js';
import { SearchView } from './views/search.js';
import { SignInView } from './views/sign-in.js';

function Shell({ session, onSignOut }: { session: SignedIn; onSignOut: () => void }) {
  const route = useRoute();
  const api = useMemo(() => new Api(session.token), [session.token]);
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
          <button type="button" class="link-button" onClick={onSignOut}>
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

function App() {
  const [session, setSession] = useState<SignedIn | undefined>(restoreSession);
  if (!session) return <SignInView onSignIn={(token) => setSession(saveSession(token))} />;
  return (
    <Shell
      key={session.token}
      session={session}
      onSignOut={() => {
        clearSession();
        setSession(undefined);
      }}
    />
  );
}

const root = document.getElementById('app');
if (root) render(<App />, root);
