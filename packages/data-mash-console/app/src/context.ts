import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Api, LiveEvents } from './api.js';
import type { SignedIn } from './session.js';

/** What every view needs: who is signed in, the API and the live events. */
export interface ConsoleContext {
  session: SignedIn;
  api: Api;
  live: LiveEvents;
}

export const Console = createContext<ConsoleContext | undefined>(undefined);

export function useConsole(): ConsoleContext {
  const value = useContext(Console);
  if (!value) throw new Error('useConsole outside a signed-in console');
  return value;
}
