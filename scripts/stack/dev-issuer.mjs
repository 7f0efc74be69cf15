// The development token issuer of a local stack (docs/security.md, "People: bearer tokens and
// roles"): one ES256 key pair in the data directory, made at first use. The apps verify
// tokens against its public key set (AUTH_JWKS_FILE); `npm run token` signs with its private key.
// Production points the apps at a real OIDC issuer instead (AUTH_JWKS_URL, AUTH_ISSUER,
// AUTH_AUDIENCE; see docs/security.md).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { importJWK, SignJWT } from 'jose';

export const DEV_ISSUER = 'urn:dapr-core-banking:dev-issuer';
export const DEV_AUDIENCE = 'dapr-core-banking';
export const ROLES = ['customer', 'teller', 'auditor', 'admin'];

const files = (dataDir) => {
  const dir = path.join(dataDir, 'auth');
  return {
    dir,
    privateJwk: path.join(dir, 'dev-issuer.private.jwk.json'),
    jwks: path.join(dir, 'dev-issuer.jwks.json'),
  };
};

/** Makes the issuer's key pair if the data directory has none; returns where its files are. */
export function ensureDevIssuer(dataDir) {
  const f = files(dataDir);
  if (!fs.existsSync(f.privateJwk) || !fs.existsSync(f.jwks)) {
    fs.mkdirSync(f.dir, { recursive: true, mode: 0o700 });
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const kid = crypto.randomUUID();
    const common = { kid, alg: 'ES256', use: 'sig' };
    const priv = { ...privateKey.export({ format: 'jwk' }), ...common };
    const pub = { ...publicKey.export({ format: 'jwk' }), ...common };
    fs.writeFileSync(f.privateJwk, JSON.stringify(priv), { mode: 0o600 });
    fs.writeFileSync(f.jwks, JSON.stringify({ keys: [pub] }, null, 2), { mode: 0o644 });
  }
  return f;
}

/**
 * The apps' environment for verifying tokens: a real issuer's if one is configured, else this one.
 * @param {string} dataDir
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {Record<string, string>}
 */
export function authEnv(dataDir, env = process.env) {
  if (env.AUTH_JWKS_URL) {
    return {
      AUTH_JWKS_URL: env.AUTH_JWKS_URL,
      AUTH_ISSUER: env.AUTH_ISSUER ?? '',
      AUTH_AUDIENCE: env.AUTH_AUDIENCE ?? '',
    };
  }
  return { AUTH_JWKS_FILE: ensureDevIssuer(dataDir).jwks, AUTH_ISSUER: DEV_ISSUER, AUTH_AUDIENCE: DEV_AUDIENCE };
}

/** A token of the development issuer for `sub` with `roles`, valid `ttlSeconds`. */
export async function mintToken(dataDir, { sub, roles, ttlSeconds = 3600 }) {
  const jwk = JSON.parse(fs.readFileSync(ensureDevIssuer(dataDir).privateJwk, 'utf8'));
  const key = await importJWK(jwk, 'ES256');
  return new SignJWT({ roles })
    .setProtectedHeader({ alg: 'ES256', kid: jwk.kid, typ: 'JWT' })
    .setSubject(sub)
    .setIssuer(DEV_ISSUER)
    .setAudience(DEV_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .setJti(crypto.randomUUID())
    .sign(key);
}
