import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Api } from './api';
import type { Claims } from './auth';

/** What every page needs: the API client, the stream's address and the signed-in person. */
export type Session = { api: Api; streamUrl: string; token: () => string | null; claims: Claims };

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in session');
  return session;
}
