/**
 * Who may call which actor method. Two gaps of the platform are closed here, before the SDK
 * sees a call:
 * - The Dapr JS SDK invokes whatever method name a call names on the actor object: TypeScript's
 *   `private` does not exist at run time, so `persist` (which writes a snapshot it is given) or
 *   the SDK's own `unregisterActorReminder` could be called. Only the methods in the table pass
 *   (404 otherwise).
 * - Dapr 1.18 has no access-control policy for actor calls, and tells the actor host nothing
 *   trustworthy about the calling app: any app with a sidecar could call any actor. So every
 *   caller sends its own secret in the `bank-actor-caller` header (ACTOR_CALLER_TOKEN, one per
 *   app; daprd forwards request headers to the actor host), and a method answers only the apps
 *   the table names for it (403 otherwise).
 * Reminder and timer callbacks (…/method/remind/…, …/method/timer/…) are the runtime's own and
 * pass; a Transfer reminder only asks the transfer to carry on with what its log says.
 */
import crypto from 'node:crypto';
import { ACTOR_CALLER_HEADER, ApiError, sendProblem } from '@bank/service-kit';
import type { RequestHandler } from 'express';

const METHOD_CALL = /^\/actors\/([^/]+)\/([^/]+)\/method\/([^/]+)$/;

/** Actor type → method → the app ids that may call it ('*': any app with a caller token). */
export type ActorCallTable = Record<string, Record<string, readonly string[]>>;

const digest = (text: string) => crypto.createHash('sha256').update(text).digest('base64');

export function guardActorCalls(table: ActorCallTable, callerTokens: Record<string, string>): RequestHandler {
  const methods = new Map(Object.entries(table).map(([type, byMethod]) => [type, new Map(Object.entries(byMethod))]));
  // Looked up by the digest of the token given: how long the look-up takes says nothing of the secrets.
  const appOfToken = new Map(Object.entries(callerTokens).map(([app, token]) => [digest(token), app]));
  if (appOfToken.size !== Object.keys(callerTokens).length) throw new Error('two apps share an actor caller token');
  return (req, res, next) => {
    const match = METHOD_CALL.exec(req.path);
    if (!match) return next();
    const [, type, , method] = match.map((part) => decodeURIComponent(part ?? ''));
    const callers = methods.get(type!)?.get(method!);
    if (!callers) {
      return sendProblem(res, new ApiError('ROUTE_NOT_FOUND', `actor type ${type} has no public method ${method}`));
    }
    const token = req.header(ACTOR_CALLER_HEADER);
    const caller = token ? appOfToken.get(digest(token)) : undefined;
    if (caller !== undefined && (callers.includes('*') || callers.includes(caller))) return next();
    sendProblem(
      res,
      new ApiError('FORBIDDEN', `${type}.${method} answers ${callers.join(', ')} only; this caller is not one of them`),
    );
  };
}
