import { createHash } from 'node:crypto';
import { ApiError } from '@bank/service-kit';
import type { Request } from 'express';

const IDEMPOTENCY_KEY = /^[\x20-\x7e]{1,255}$/;
const IF_MATCH = /^"(0|[1-9][0-9]{0,15})"$/;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The Idempotency-Key header, as hashes: the key's (it is never stored in clear) and the
 * request's (method, route, path parameters and validated body), so a reuse with another request
 * is detected. The key is scoped to the caller's token subject: two principals using the same key
 * never meet. The system itself keeps no keys in this space (transfer steps are decided by the
 * log, not by keys), and a client key is hashed under its own `client` prefix.
 */
export function idempotencyOf(req: Request, body: unknown): { keyHash: string; requestHash: string } | undefined {
  const key = req.header('idempotency-key');
  if (key === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw new ApiError('VALIDATION_FAILED', 'Idempotency-Key must be 1-255 printable ASCII characters', [
      { path: 'header.Idempotency-Key', message: 'invalid' },
    ]);
  }
  // The route and its decoded parameters, not the raw path: %2D or a trailing slash is the same request.
  const route = `${req.baseUrl}${(req.route as { path?: string } | undefined)?.path ?? req.path}`;
  const sub = req.principal?.sub;
  if (sub === undefined) throw new Error('idempotencyOf needs an authenticated request');
  return {
    keyHash: sha256(JSON.stringify(['client', sub, key])),
    requestHash: sha256(JSON.stringify({ method: req.method, route, params: req.params, body })),
  };
}

/** If-Match: "<version>" -> the version the client expects; `*` or no header: no condition. */
export function expectedVersionOf(req: Request): number | undefined {
  const header = req.header('if-match');
  if (header === undefined || header.trim() === '*') return undefined;
  const match = IF_MATCH.exec(header.trim());
  if (!match) {
    throw new ApiError('VALIDATION_FAILED', 'If-Match must be a quoted account version, e.g. "3"', [
      { path: 'header.If-Match', message: 'invalid' },
    ]);
  }
  return Number(match[1]);
}

/**
 * The id for a new account or transfer whose request names none. With an Idempotency-Key it is
 * derived from the key, so a retry reaches the same actor and finds the key's record there.
 */
export function newIdFromKey(idempotency: { keyHash: string } | undefined, random: () => string): string {
  if (!idempotency) return random();
  const h = idempotency.keyHash;
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
