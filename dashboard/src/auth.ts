// The signed-in person: a bearer token kept in sessionStorage (gone with the tab, never in
// localStorage), taken from the sign-in panel or from `#token=<jwt>` in the address, which is
// then removed from the address bar and the history.

const KEY = 'bank.dashboard.token';

export type Claims = { sub: string; roles: string[]; exp?: number };

export function storedToken(): string | null {
  return sessionStorage.getItem(KEY);
}

export function storeToken(token: string | null): void {
  if (token) sessionStorage.setItem(KEY, token);
  else sessionStorage.removeItem(KEY);
}

/** Takes a token from `#token=…` into the session, and leaves the address without it. */
export function takeTokenFromFragment(): void {
  const match = /^#token=([^&]+)/.exec(location.hash);
  if (!match?.[1]) return;
  storeToken(decodeURIComponent(match[1]).trim());
  history.replaceState(null, '', `${location.pathname}${location.search}#/`);
}

/**
 * What the token says about its holder, for display only: the APIs verify it, the page does
 * not (it cannot, and needs not: a forged token only earns 401s).
 */
export function claimsOf(token: string): Claims | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const claims = JSON.parse(json) as { sub?: unknown; roles?: unknown; exp?: unknown };
    if (typeof claims.sub !== 'string') return null;
    return {
      sub: claims.sub,
      roles: Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : [],
      exp: typeof claims.exp === 'number' ? claims.exp : undefined,
    };
  } catch {
    return null;
  }
}
