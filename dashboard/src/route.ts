// Pages are addressed by the URL fragment (#/accounts/a1), so the query API serves one page and
// a reload or a shared link lands on the same view.
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { page: 'overview' }
  | { page: 'account'; accountId: string }
  | { page: 'transfers'; accountId?: string }
  | { page: 'ledger' }
  | { page: 'health' };

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const params = new URLSearchParams(query);
  if (parts[0] === 'accounts' && parts[1]) return { page: 'account', accountId: parts[1] };
  if (parts[0] === 'transfers') return { page: 'transfers', accountId: params.get('account') ?? undefined };
  if (parts[0] === 'ledger') return { page: 'ledger' };
  if (parts[0] === 'health') return { page: 'health' };
  return { page: 'overview' };
}

export const hrefOf = {
  overview: () => '#/',
  account: (id: string) => `#/accounts/${encodeURIComponent(id)}`,
  transfers: (accountId?: string) =>
    accountId ? `#/transfers?account=${encodeURIComponent(accountId)}` : '#/transfers',
  ledger: () => '#/ledger',
  health: () => '#/health',
};

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
