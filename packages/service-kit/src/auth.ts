/**
 * Who is calling a public route (docs/security.md, "People: bearer tokens and roles"): a JWT
 * bearer token, verified against the issuer's key set (JWKS), carrying a `roles` claim.
 *
 *   authenticate(verify)   every /api/v1 request: 401 UNAUTHENTICATED without a valid token
 *   allow(...roles)        one route: 403 FORBIDDEN for a principal with none of the roles; for
 *                          a customer, the route is scoped to the accounts it owns (req.access)
 *
 * Only asymmetric algorithms are accepted: `none` and HMAC (which would let anyone holding the
 * public key sign) are refused before any key is looked at.
 */
import fs from 'node:fs';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { createLocalJWKSet, createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { ApiError } from './problem';

export const ROLES = ['customer', 'teller', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** The caller of a request, from its verified token. */
export type Principal = { sub: string; roles: ReadonlySet<Role> };

/**
 * What the route lets this principal reach: every account (`ownerId` undefined: teller,
 * auditor, admin) or only the accounts of one owner (a customer: its own `sub`).
 */
export type Access = { principal: Principal; ownerId: string | undefined };

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
    access?: Access;
  }
}

export const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];

export type TokenVerifier = (token: string) => Promise<Principal>;

/** Why a token was refused; its message is safe to show the caller. */
export class TokenRejected extends Error {
  override readonly name = 'TokenRejected';
}

const SUBJECT = /^[\x21-\x7e]{1,128}$/;

/**
 * Verifies tokens, and remembers the ones it accepted (by their exact text) for at most
 * `cacheSeconds` and never past their expiry (with the same clock skew): a token is sent with
 * every request, and an ES256 signature check costs about 0.23 ms of CPU (docs/performance.md).
 * A token signed by a key the issuer has since withdrawn is accepted at most that much longer.
 */
export function createTokenVerifier(opts: {
  issuer: string;
  audience: string;
  keys: JWTVerifyGetKey;
  clockToleranceSeconds?: number;
  cacheSeconds?: number;
  cacheSize?: number;
  now?: () => number;
}): TokenVerifier {
  const now = opts.now ?? Date.now;
  const tolerance = opts.clockToleranceSeconds ?? 30;
  const cacheMs = (opts.cacheSeconds ?? 60) * 1000;
  const cacheSize = opts.cacheSize ?? 10_000;
  const accepted = new Map<string, { principal: Principal; until: number }>();

  const verify = async (token: string): Promise<{ principal: Principal; exp: number }> => {
    let payload;
    try {
      ({ payload } = await jwtVerify(token, opts.keys, {
        issuer: opts.issuer,
        audience: opts.audience,
        algorithms: ASYMMETRIC_ALGORITHMS,
        requiredClaims: ['sub', 'exp'],
        clockTolerance: tolerance,
        currentDate: new Date(now()),
      }));
    } catch (err) {
      throw new TokenRejected(reasonOf(err));
    }
    if (typeof payload.sub !== 'string' || !SUBJECT.test(payload.sub)) {
      throw new TokenRejected('the token has no usable subject');
    }
    const claimed = Array.isArray(payload.roles) ? payload.roles : [];
    const roles = new Set(ROLES.filter((r) => claimed.includes(r)));
    return { principal: { sub: payload.sub, roles }, exp: payload.exp! };
  };

  return async (token) => {
    const t = now();
    const hit = accepted.get(token);
    if (hit && t < hit.until) return hit.principal;
    if (hit) accepted.delete(token);
    const { principal, exp } = await verify(token);
    if (accepted.size >= cacheSize) accepted.delete(accepted.keys().next().value!); // the oldest
    accepted.set(token, { principal, until: Math.min(t + cacheMs, (exp + tolerance) * 1000) });
    return principal;
  };
}

function reasonOf(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return 'the token has expired';
  if (err instanceof joseErrors.JWTClaimValidationFailed) return `the token's ${err.claim} claim is not accepted`;
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return "the token's algorithm is not accepted";
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return "the token's signature does not verify";
  if (err instanceof joseErrors.JWKSNoMatchingKey) return 'the token was not signed by a key of the issuer';
  if (err instanceof joseErrors.JWKSTimeout) return "the issuer's keys could not be fetched";
  return 'the token is malformed or not verifiable';
}

/**
 * The verifier this process uses: AUTH_ISSUER and AUTH_AUDIENCE, and the issuer's keys from
 * AUTH_JWKS_URL (an OIDC issuer's jwks_uri; fetched and cached) or AUTH_JWKS_FILE (a JWKS
 * document on disk: the development issuer that `npm start` runs).
 */
export function tokenVerifierFromEnv(env: NodeJS.ProcessEnv = process.env): TokenVerifier {
  const issuer = env.AUTH_ISSUER;
  const audience = env.AUTH_AUDIENCE;
  if (!issuer || !audience) throw new Error('AUTH_ISSUER and AUTH_AUDIENCE are required');
  let keys: JWTVerifyGetKey;
  if (env.AUTH_JWKS_URL) {
    keys = createRemoteJWKSet(new URL(env.AUTH_JWKS_URL));
  } else if (env.AUTH_JWKS_FILE) {
    keys = createLocalJWKSet(JSON.parse(fs.readFileSync(env.AUTH_JWKS_FILE, 'utf8')));
  } else {
    throw new Error('AUTH_JWKS_URL or AUTH_JWKS_FILE is required');
  }
  return createTokenVerifier({ issuer, audience, keys });
}

const BEARER = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/i;
const MAX_HEADER = 8192;

/** Every request it sees must carry a valid bearer token; sets `req.principal`. */
export function authenticate(verify: TokenVerifier): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.header('authorization');
    const refuse = (detail: string, invalidToken: boolean) => {
      res.setHeader('WWW-Authenticate', invalidToken ? 'Bearer error="invalid_token"' : 'Bearer');
      next(new ApiError('UNAUTHENTICATED', detail));
    };
    if (header === undefined || header.trim() === '') return refuse('a bearer token is required', false);
    const match = header.length <= MAX_HEADER ? BEARER.exec(header.trim()) : null;
    if (!match) return refuse('the Authorization header must be "Bearer <JWT>"', true);
    verify(match[1]!).then(
      (principal) => {
        req.principal = principal;
        next();
      },
      (err: unknown) => refuse(err instanceof TokenRejected ? err.message : 'the token could not be verified', true),
    );
  };
}

/**
 * Lets through a principal holding one of `roles`. One that holds a role other than `customer`
 * reaches every account; one allowed only as a customer reaches the accounts it owns.
 */
export function allow(...roles: Role[]): RequestHandler {
  const allowed = new Set(roles);
  return (req, _res, next) => {
    const principal = req.principal;
    if (!principal) return next(new ApiError('UNAUTHENTICATED', 'a bearer token is required'));
    const granted = [...principal.roles].filter((r) => allowed.has(r));
    if (granted.length === 0) {
      return next(new ApiError('FORBIDDEN', `this route needs one of the roles: ${roles.join(', ')}`));
    }
    const everyAccount = granted.some((r) => r !== 'customer');
    req.access = { principal, ownerId: everyAccount ? undefined : principal.sub };
    next();
  };
}

/** The access `allow` granted this request (a route without `allow` is a programming error). */
export function accessOf(req: Request): Access {
  if (!req.access) throw new Error(`route ${req.method} ${req.path} has no allow(...)`);
  return req.access;
}
