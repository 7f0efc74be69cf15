import type { RequestHandler } from 'express';

/** Headers a browser script on an allowed origin may read from a response (the contract's own). */
const EXPOSED = ['X-Correlation-Id', 'ETag', 'X-Read-Model-Version', 'Location', 'Idempotent-Replayed', 'Retry-After'];
/** Request headers a browser may send (the contract's, and Last-Event-ID for the live stream). */
const ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'Idempotency-Key',
  'If-Match',
  'X-Correlation-Id',
  'Last-Event-ID',
];

/**
 * Cross-origin requests from an allow-list of browser origins (the dashboard, served by the query
 * API, sends commands to the command API). A preflight from an allowed origin is answered here,
 * before the bearer-token guard: browsers send it without the Authorization header. Any other
 * origin gets no CORS header, so its browser withholds the answer; no cookie is ever honoured
 * (the APIs take bearer tokens only), hence no Allow-Credentials.
 */
export function cors(allowedOrigins: readonly string[]): RequestHandler {
  const allowed = new Set(allowedOrigins);
  return (req, res, next) => {
    const origin = req.header('origin');
    res.vary('Origin');
    if (!origin || !allowed.has(origin)) {
      next();
      return;
    }
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Expose-Headers', EXPOSED.join(', '));
    if (req.method === 'OPTIONS' && req.header('access-control-request-method')) {
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST');
      res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS.join(', '));
      res.setHeader('Access-Control-Max-Age', '600');
      res.status(204).end();
      return;
    }
    next();
  };
}

/** CORS_ALLOWED_ORIGINS: comma-separated origins (`http://127.0.0.1:3001`); none when unset. */
export function corsOriginsFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  const origins = (env.CORS_ALLOWED_ORIGINS ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const origin of origins) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (!parsed || parsed.origin !== origin) {
      throw new Error(`CORS_ALLOWED_ORIGINS: ${origin} is not an origin (scheme://host[:port], no path)`);
    }
  }
  return origins;
}
