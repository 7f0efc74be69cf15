import { useMemo, useState } from 'preact/hooks';
import { createApi } from '../api';
import { claimsOf, storedToken, storeToken } from '../auth';
import { SessionContext, type Session } from '../context';
import { hrefOf, useRoute, type Route } from '../route';
import type { DashboardConfig } from '../types';
import { AccountPage } from './AccountPage';
import { HealthPage } from './HealthPage';
import { LedgerPage } from './LedgerPage';
import { Overview } from './Overview';
import { SignIn } from './SignIn';
import { TransfersPage } from './TransfersPage';

export function App({ config }: { config: DashboardConfig }) {
  const [token, setToken] = useState(storedToken);
  const route = useRoute();
  const claims = token ? claimsOf(token) : null;
  const session = useMemo<Session | null>(() => {
    if (!token || !claims) return null;
    const getToken = () => token;
    return {
      api: createApi({ queryUrl: '', commandUrl: config.commandApiUrl, token: getToken }),
      streamUrl: '/api/v1/stream',
      token: getToken,
      claims,
    };
    // claims derive from token
  }, [token, config.commandApiUrl]);

  const signIn = (t: string | null) => {
    storeToken(t);
    setToken(t);
  };

  return (
    <div class="layout">
      <header class="top">
        <a class="brand" href={hrefOf.overview()}>
          Core bank <span>operations</span>
        </a>
        {session ? (
          <nav>
            <NavLink route={route} page="overview" href={hrefOf.overview()} label="Accounts" />
            <NavLink route={route} page="transfers" href={hrefOf.transfers()} label="Transfers" />
            <NavLink route={route} page="ledger" href={hrefOf.ledger()} label="Trial balance" />
            <NavLink route={route} page="health" href={hrefOf.health()} label="System health" />
          </nav>
        ) : null}
        {session ? (
          <div class="who" data-testid="who">
            <span class="who-sub">{session.claims.sub}</span>
            {session.claims.roles.map((r) => (
              <span key={r} class="role">
                {r}
              </span>
            ))}
            {session.claims.exp ? (
              <span class="who-exp">until {new Date(session.claims.exp * 1000).toISOString().slice(11, 16)} UTC</span>
            ) : null}
            <button type="button" class="link" onClick={() => signIn(null)}>
              Sign out
            </button>
          </div>
        ) : null}
      </header>
      <main>
        {session ? (
          <SessionContext.Provider value={session}>
            <Page route={route} />
          </SessionContext.Provider>
        ) : (
          <SignIn onToken={signIn} rejected={token !== null && claims === null} />
        )}
      </main>
    </div>
  );
}

function NavLink({ route, page, href, label }: { route: Route; page: Route['page']; href: string; label: string }) {
  const active = route.page === page || (page === 'overview' && route.page === 'account');
  return (
    <a href={href} class={active ? 'active' : undefined}>
      {label}
    </a>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'overview':
      return <Overview />;
    case 'account':
      return <AccountPage key={route.accountId} accountId={route.accountId} />;
    case 'transfers':
      return <TransfersPage accountId={route.accountId} />;
    case 'ledger':
      return <LedgerPage />;
    case 'health':
      return <HealthPage />;
    default: {
      const never: never = route;
      return never;
    }
  }
}
