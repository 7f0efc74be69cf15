import { StreamIdSchema } from '@bank/domain';
import { AppendRequestSchema, MultiAppendRequestSchema, type ReadLogResult } from '@bank/contracts';
import { ApiError, Gate, GateFull, parseInput } from '@bank/service-kit';
import { Router } from 'express';
import { z } from 'zod';
import type { AuditLog } from './audit/audit-log';
import type { EventStore } from './event-store';
import type { LogWatch } from './log-watch';

const BalanceAtQuery = z.strictObject({
  timestamp: z.iso.datetime({ offset: true }).transform((t) => new Date(t).toISOString()),
});
const KeyHash = z.string().regex(/^[0-9a-f]{64}$/);
const ReadQuery = z.strictObject({
  fromVersion: z.coerce.number().int().positive().default(1),
  limit: z.coerce.number().int().min(1).max(1000).default(1000),
});

/**
 * An audit page checks one inclusion proof per event (about 8 ms each here) on the process that
 * also serves every append: pages are at most 100 events, and at most 2 pages are verified at a
 * time with 16 more waiting; beyond that the caller is told to retry (503).
 */
export const AUDIT_PAGE_MAX = 100;
const AuditQuery = z.strictObject({
  fromVersion: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).default(1),
  limit: z.coerce.number().int().min(1).max(AUDIT_PAGE_MAX).default(50),
});
/** A reader that is at the head may wait up to 10 s for the next commit (below Dapr callers' 15 s timeout). */
export const LOG_WAIT_MAX_MS = 10_000;
const LogQuery = z.strictObject({
  afterTx: z.coerce.number().int().nonnegative().default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  waitMs: z.coerce.number().int().min(0).max(LOG_WAIT_MAX_MS).default(0),
});

/** The event log's internal API, called by the other apps through Dapr service invocation. */
export function eventLogRoutes(store: EventStore, audit: AuditLog, watch: LogWatch): Router {
  const onAppended = (tx: number) => watch.notify(tx);
  const router = Router();
  const audits = new Gate(2, 16);

  router.post('/streams/:streamId/events', async (req, res) => {
    const streamId = parseInput(StreamIdSchema, req.params.streamId, 'path');
    const body = parseInput(AppendRequestSchema, req.body, 'body');
    const result = await store.append(streamId, body.expectedVersion, body.events, body.idempotency);
    if (result.ok) {
      if (!result.duplicate) onAppended(result.logTx);
      req.log.debug({ streamId, version: result.version, logTx: result.logTx }, 'appended');
    }
    res.status(result.ok ? 200 : 409).json(result);
  });

  router.post('/appends', async (req, res) => {
    const body = parseInput(MultiAppendRequestSchema, req.body, 'body');
    const result = await store.appendAll(body.streams, body.idempotency);
    if (result.ok) {
      if (!result.duplicate) onAppended(result.logTx);
      req.log.debug({ streams: body.streams.map((s) => s.streamId), logTx: result.logTx }, 'appended');
    }
    res.status(result.ok ? 200 : 409).json(result);
  });

  router.get('/idempotency/:keyHash', async (req, res) => {
    const keyHash = parseInput(KeyHash, req.params.keyHash, 'path');
    const record = await store.idempotencyRecord(keyHash);
    if (record) res.json(record);
    else res.status(404).json({ found: false });
  });

  router.get('/streams/:streamId/balance-at', async (req, res) => {
    const streamId = parseInput(StreamIdSchema, req.params.streamId, 'path');
    const { timestamp } = parseInput(BalanceAtQuery, req.query, 'query');
    const found = await store.balanceAt(streamId, timestamp);
    if (found) res.json(found);
    else res.status(404).json({ found: false });
  });

  // Whether a stream has any event: command-api asks it before it sends a command to an
  // account's actor, so that an id nobody opened activates none.
  router.get('/streams/:streamId/exists', async (req, res) => {
    const streamId = parseInput(StreamIdSchema, req.params.streamId, 'path');
    res.json({ exists: (await store.version(streamId)) > 0 });
  });

  router.get('/streams/:streamId/events', async (req, res) => {
    const streamId = parseInput(StreamIdSchema, req.params.streamId, 'path');
    const query = parseInput(ReadQuery, req.query, 'query');
    res.json(await store.read(streamId, query.fromVersion, query.limit));
  });

  // Events with ImmuDB proofs checked here; a failed check is a 200 with verified:false and no events.
  router.get('/streams/:streamId/audit', async (req, res) => {
    const streamId = parseInput(StreamIdSchema, req.params.streamId, 'path');
    const query = parseInput(AuditQuery, req.query, 'query');
    const page = await audits
      .run(() => audit.read(streamId, query.fromVersion, query.limit))
      .catch((err) => {
        throw err instanceof GateFull
          ? new ApiError('SERVICE_UNAVAILABLE', 'too many audit reads in progress; retry')
          : err;
      });
    if (!page) {
      res.status(404).json({ found: false });
      return;
    }
    if (!page.verification.verified)
      req.log.error({ streamId, verification: page.verification }, 'log verification failed');
    else if (page.verification.checks.consistency === 'REESTABLISHED')
      req.log.error(
        { streamId, verification: page.verification },
        'the trusted log state was lost (its store was wiped): trusted anew from this read',
      );
    res.json(page);
  });

  // The global log in transaction order, for read-model rebuilds, lag measurement and the live
  // stream. A reader already at the head may ask to wait (waitMs) for the next commit.
  router.get('/log', async (req, res) => {
    const { afterTx, limit, waitMs } = parseInput(LogQuery, req.query, 'query');
    let headTx = await store.headTx();
    if (waitMs > 0 && headTx <= afterTx) {
      const gone = new AbortController();
      res.on('close', () => gone.abort());
      await watch.waitBeyond(afterTx, waitMs, gone.signal);
      if (gone.signal.aborted) return;
      headTx = await store.headTx();
    }
    const page = headTx > afterTx ? await store.readLog(afterTx, limit) : { events: [], lastTx: afterTx };
    const result: ReadLogResult = { ...page, headTx: Math.max(headTx, page.lastTx) };
    res.json(result);
  });

  return router;
}
