// Every request of the benchmark carries a real token of the stack's development issuer, for a
// principal of the bank's staff (teller, auditor and admin), so every route answers it and the
// token verification is part of what is measured. A call straight to a sidecar (the baselines)
// carries that sidecar's API token and its app's actor caller token, as the apps do.
import { mintToken } from '../../scripts/stack/dev-issuer.mjs';
import { installationSecrets } from '../../scripts/stack/secrets.mjs';

let authorization;
let sidecarTokens = new Map();

/** Signs the benchmark's token and makes fetch send the right credentials by default. */
export async function useBenchToken(dataDir, layout) {
  authorization = `Bearer ${await mintToken(dataDir, {
    sub: 'bench-staff',
    roles: ['teller', 'auditor', 'admin'],
    ttlSeconds: 6 * 3600,
  })}`;
  const { daprApiTokens, actorCallerTokens } = installationSecrets(dataDir);
  sidecarTokens = new Map(
    Object.entries(layout.apps).map(([app, ports]) => [
      String(ports.daprHTTPPort),
      {
        'dapr-api-token': daprApiTokens[app],
        ...(actorCallerTokens[app] ? { 'bank-actor-caller': actorCallerTokens[app] } : {}),
      },
    ]),
  );
  const plainFetch = globalThis.fetch;
  globalThis.fetch = (url, init = {}) =>
    plainFetch(url, { ...init, headers: { ...credentialsFor(url), ...init.headers } });
}

/** The credentials a request to `url` needs: a sidecar's tokens, or the bearer token. */
export function credentialsFor(url) {
  return sidecarTokens.get(new URL(url).port) ?? { authorization };
}
