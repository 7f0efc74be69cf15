/**
 * W3C trace context (`traceparent`, `tracestate`) carried through every hop without an
 * OpenTelemetry SDK: each app takes it from the request its sidecar (or a client) sent, keeps it
 * for the rest of that request's work, and passes it on every call to its sidecar (dapr.ts), so
 * Dapr's spans and the events the actors write (their metadata) belong to the caller's trace.
 * With the SDK on (tracing.ts), its HTTP instrumentation writes the outgoing headers itself.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestHandler } from 'express';

export type TraceContext = { traceparent: string; tracestate?: string };

/** version 00, a 16-byte trace id and an 8-byte parent id (neither all zeros), flags. */
const TRACEPARENT = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;
const TRACESTATE = /^[\x20-\x7e]{1,512}$/;

export const isTraceparent = (value: unknown): value is string => typeof value === 'string' && TRACEPARENT.test(value);

const current = new AsyncLocalStorage<TraceContext>();

/** The trace context of the request being handled, if it came with a valid one. */
export function currentTraceContext(): TraceContext | undefined {
  return current.getStore();
}

/** Runs the rest of the request (its handlers and everything they await) in its trace context. */
export function traceContextMiddleware(): RequestHandler {
  return (req, _res, next) => {
    const traceparent = req.header('traceparent')?.trim().toLowerCase();
    if (!isTraceparent(traceparent)) return next();
    const tracestate = req.header('tracestate');
    current.run(tracestate && TRACESTATE.test(tracestate) ? { traceparent, tracestate } : { traceparent }, next);
  };
}

/** The headers that pass the current trace context on (none outside a traced request). */
export function traceHeaders(): Record<string, string> {
  const ctx = current.getStore();
  if (!ctx) return {};
  return ctx.tracestate
    ? { traceparent: ctx.traceparent, tracestate: ctx.tracestate }
    : { traceparent: ctx.traceparent };
}
