/**
 * `GET /api/v1/stream?accountId=`: the log's events as Server-Sent Events, live.
 *
 *   id:    the event's global log position (resume with `Last-Event-ID`: nothing skipped or repeated)
 *   event: its type
 *   data:  { accountId?, transferId?, type, version, occurredAt, data }
 *
 * A customer sees the events of its own accounts (and of transfers touching them); staff see
 * all. Without `Last-Event-ID` the stream starts at the log's head. A comment line every
 * `heartbeatMs` keeps idle connections open. A connection holds no queue (log-tail.ts): a
 * client that does not read is dropped once its socket has `maxBufferedBytes` waiting for
 * longer than `slowClientMs`, and may resume where it was.
 */
import { IdSchema, logPosition, type PublishedEvent } from '@bank/domain';
import { accessOf, allow, ApiError, parseInput, type Logger } from '@bank/service-kit';
import { Router, type Response } from 'express';
import { z } from 'zod';
import { READERS } from '../queries';
import type { LogTail } from './log-tail';
import { streamEventData, type StreamFilter, type StreamScope } from './stream-scope';

export const StreamQuery = z.strictObject({ accountId: IdSchema.optional() });
const LAST_EVENT_ID = /^\d{1,16}$/;

export type StreamLimits = {
  /** Open streams on this process. */
  maxConnections: number;
  /** Open streams of one principal. */
  maxPerPrincipal: number;
  heartbeatMs: number;
  maxBufferedBytes: number;
  slowClientMs: number;
  /** Reconnection delay suggested to clients (`retry:`). */
  retryMs: number;
};
export const DEFAULT_STREAM_LIMITS: StreamLimits = {
  maxConnections: 1_000,
  maxPerPrincipal: 10,
  heartbeatMs: 15_000,
  maxBufferedBytes: 256 * 1024,
  slowClientMs: 10_000,
  retryMs: 2_000,
};

export type LiveStream = { tail: LogTail; scope: StreamScope; limits: StreamLimits; log: Logger };

/** One event as an SSE frame (JSON has no raw line breaks, so `data:` is one line). */
export const sseFrame = (event: PublishedEvent): string =>
  `id: ${logPosition(event)}\nevent: ${event.type}\ndata: ${JSON.stringify(streamEventData(event))}\n\n`;

export function streamRoutes({ tail, scope, limits, log }: LiveStream): Router {
  const router = Router();
  const open = new Map<string, number>();
  let total = 0;

  router.get('/api/v1/stream', allow(...READERS), async (req, res) => {
    const { accountId } = parseInput(StreamQuery, req.query, 'query');
    const resumeAfter = lastEventIdOf(req.header('last-event-id'));
    const { principal, ownerId } = accessOf(req);
    if (accountId !== undefined) {
      const owner = await scope.ownerOf(accountId).catch(() => {
        throw new ApiError('SERVICE_UNAVAILABLE', 'the read model and the event log did not answer; retry shortly');
      });
      if (owner === undefined || (ownerId !== undefined && owner !== ownerId)) {
        throw new ApiError('ACCOUNT_NOT_FOUND', `account ${accountId} not found`);
      }
    }
    const mine = open.get(principal.sub) ?? 0;
    if (total >= limits.maxConnections) {
      throw new ApiError('SERVICE_UNAVAILABLE', 'too many live streams on this server; retry shortly');
    }
    if (mine >= limits.maxPerPrincipal) {
      throw new ApiError('RATE_LIMITED', `at most ${limits.maxPerPrincipal} live streams per caller; close one first`);
    }
    const head = await tail.acquire().catch(() => {
      throw new ApiError('SERVICE_UNAVAILABLE', 'the event log did not answer; retry shortly');
    });
    if (resumeAfter !== undefined && resumeAfter > head) {
      tail.release();
      throw new ApiError('VALIDATION_FAILED', 'Last-Event-ID is after the end of the log (was the log reset?)', [
        { path: 'Last-Event-ID', message: `must be at most ${head}` },
      ]);
    }
    open.set(principal.sub, mine + 1);
    total++;

    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    res.write(`retry: ${limits.retryMs}\n\n`);
    const gone = new AbortController();
    res.on('close', () => gone.abort());
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), limits.heartbeatMs);
    const filter: StreamFilter = { accountId, ownerId };
    try {
      await deliver(res, resumeAfter ?? head, filter, gone.signal);
    } catch (err) {
      req.log.error({ err }, 'live stream ended by an error');
      res.destroy();
    } finally {
      clearInterval(heartbeat);
      tail.release();
      total--;
      const left = (open.get(principal.sub) ?? 1) - 1;
      if (left > 0) open.set(principal.sub, left);
      else open.delete(principal.sub);
    }
  });

  /** Writes what the connection may see, in log order, until it closes. */
  async function deliver(res: Response, from: number, filter: StreamFilter, signal: AbortSignal): Promise<void> {
    let after = from;
    while (!signal.aborted) {
      try {
        const batch = await tail.eventsAfter(after, signal);
        for (const event of batch.events) {
          if (await scope.visible(event, filter)) res.write(sseFrame(event));
          after = logPosition(event);
        }
        after = batch.after;
      } catch (err) {
        // The log or the read model did not answer: the connection stays, and carries on from
        // the last event it was given once they do.
        log.warn({ err, after }, 'live stream: could not read; retrying');
        await pause(1_000, signal);
        continue;
      }
      if (res.writableLength > limits.maxBufferedBytes && !(await drained(res, limits.slowClientMs, signal))) {
        log.warn({ buffered: res.writableLength, after }, 'live stream: dropping a client that does not read');
        res.destroy();
        return;
      }
    }
  }

  return router;
}

/** The position to resume after, from the `Last-Event-ID` header (absent or empty: none). */
function lastEventIdOf(header: string | undefined): number | undefined {
  if (header === undefined || header === '') return undefined;
  if (!LAST_EVENT_ID.test(header)) {
    throw new ApiError('VALIDATION_FAILED', 'Last-Event-ID must be an id this stream sent', [
      { path: 'Last-Event-ID', message: 'must be a log position (digits)' },
    ]);
  }
  return Number(header);
}

/** Resolves true once the socket's buffer drained, false after `ms` or when the client left. */
function drained(res: Response, ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      res.off('drain', onDrain);
      signal.removeEventListener('abort', onAbort);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(false), ms);
    res.on('drain', onDrain);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}
