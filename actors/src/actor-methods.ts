/**
 * The Dapr JS SDK invokes whatever method name a call names on the actor object: TypeScript's
 * `private` does not exist at run time, so `persist` (which writes a snapshot it is given) or
 * the SDK's own `unregisterActorReminder` could be called from any app that may call actors.
 * This refuses every method call that is not in the actor type's public list, before the SDK
 * sees it. Reminder and timer callbacks (…/method/remind/…, …/method/timer/…) are the runtime's
 * own and pass.
 */
import { ApiError, sendProblem } from '@bank/service-kit';
import type { RequestHandler } from 'express';

const METHOD_CALL = /^\/actors\/([^/]+)\/([^/]+)\/method\/([^/]+)$/;

export function onlyPublicActorMethods(publicMethods: Record<string, string[]>): RequestHandler {
  const allowed = new Map(Object.entries(publicMethods).map(([type, methods]) => [type, new Set(methods)]));
  return (req, res, next) => {
    const match = METHOD_CALL.exec(req.path);
    if (!match) return next();
    const [, type, , method] = match.map((part) => decodeURIComponent(part ?? ''));
    if (allowed.get(type!)?.has(method!)) return next();
    sendProblem(res, new ApiError('ROUTE_NOT_FOUND', `actor type ${type} has no public method ${method}`));
  };
}
