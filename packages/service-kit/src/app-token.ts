/**
 * The app side of Dapr's app API token: the sidecar sends APP_API_TOKEN in the `dapr-api-token`
 * header on every call it makes to the app (service invocation, actor methods, reminders,
 * pub/sub deliveries, /dapr/config, /dapr/subscribe), and the Dapr JS SDK does not check it. The
 * internal apps (actors, event-source, projections) are reached only through their sidecar, so
 * any request without the token did not come from it: 401.
 */
import crypto from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from './logger';
import { ApiError, sendProblem } from './problem';

/** Paths the platform probes or scrapes directly, without the sidecar. */
const OPEN_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

const digest = (text: string) => crypto.createHash('sha256').update(text).digest();

/** Compares secrets callers give with the expected one, in constant time (its digest made once). */
export function secretMatcher(expected: string): (given: string) => boolean {
  const want = digest(expected);
  return (given) => crypto.timingSafeEqual(digest(given), want);
}

export function requireAppToken(log: Logger, token = process.env.APP_API_TOKEN): RequestHandler {
  if (!token) {
    if (process.env.APP_API_TOKEN_OPTIONAL !== 'true') {
      throw new Error('APP_API_TOKEN is required (set APP_API_TOKEN_OPTIONAL=true to run without one)');
    }
    log.warn('APP_API_TOKEN is not set: anyone who reaches this app port can call it');
    return (_req, _res, next) => next();
  }
  const fromSidecar = secretMatcher(token);
  return (req, res, next) => {
    if (OPEN_PATHS.has(req.path)) return next();
    const given = req.header('dapr-api-token');
    if (given !== undefined && fromSidecar(given)) return next();
    sendProblem(res, new ApiError('UNAUTHENTICATED', 'this app answers its own Dapr sidecar only'));
  };
}
