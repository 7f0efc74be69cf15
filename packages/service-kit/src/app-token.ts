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

/** Paths the platform probes or scrapes directly, without the sidecar. */
const OPEN_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

const digest = (text: string) => crypto.createHash('sha256').update(text).digest();

/** Compares a secret given by a caller with the expected one, in constant time. */
export const sameSecret = (given: string, expected: string) => crypto.timingSafeEqual(digest(given), digest(expected));

export function requireAppToken(log: Logger, token = process.env.APP_API_TOKEN): RequestHandler {
  if (!token) {
    if (process.env.APP_API_TOKEN_OPTIONAL !== 'true') {
      throw new Error('APP_API_TOKEN is required (set APP_API_TOKEN_OPTIONAL=true to run without one)');
    }
    log.warn('APP_API_TOKEN is not set: anyone who reaches this app port can call it');
    return (_req, _res, next) => next();
  }
  return (req, res, next) => {
    if (OPEN_PATHS.has(req.path)) return next();
    const given = req.header('dapr-api-token');
    if (given !== undefined && sameSecret(given, token)) return next();
    res.status(401).type('application/problem+json').json({
      type: '/problems/unauthenticated',
      title: 'Unauthenticated',
      status: 401,
      detail: 'this app answers its own Dapr sidecar only',
      code: 'UNAUTHENTICATED',
    });
  };
}
