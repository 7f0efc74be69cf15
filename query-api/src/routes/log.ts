/**
 * Reads answered from the event log itself (ImmuDB, through event-source), not from the read
 * model: the audit trail of an account or of a transfer, with the proofs event-source checked,
 * and an account's balance at any past instant.
 */
import { formatMinor, IdSchema, transferStreamId } from '@bank/domain';
import {
  accessOf,
  allow,
  ApiError,
  parseInput,
  SidecarError,
  sendProblem,
  type EventLogClient,
} from '@bank/service-kit';
import { Router, type Request, type Response } from 'express';
import { AUDITORS, BalanceAtQuery, CurrencyParam, EventsQuery, READERS } from '../queries';
import type { ReadCollections } from '../read-model';
import { ownsAccount } from '../reads';

/** An event log that does not answer is a 503 (retry), not a 500. */
export const logUnavailable = (err: unknown): never => {
  throw err instanceof SidecarError
    ? new ApiError('SERVICE_UNAVAILABLE', 'the event log did not answer; retry shortly')
    : err;
};

export function logRoutes(read: ReadCollections, eventLog: Pick<EventLogClient, 'balanceAt' | 'audit'>): Router {
  const router = Router();
  const readers = allow(...READERS);
  const auditors = allow(...AUDITORS);

  // The audit trail, read from the ImmuDB log through event-source, which checks the proofs: an
  // account's stream, and a transfer's own (the steps that decided it).
  const auditTrail = async (req: Request, res: Response, streamId: string, notFound: ApiError) => {
    const { fromVersion, limit } = parseInput(EventsQuery, req.query, 'query');
    const page = await eventLog.audit(streamId, fromVersion, limit).catch(logUnavailable);
    if (!page) throw notFound;
    const { verification } = page;
    if (!verification.verified) {
      // Never hand out entries that failed verification: a problem with the verification report.
      const failed = `the event log failed verification: ${verification.failure}`;
      sendProblem(res, new ApiError('LOG_VERIFICATION_FAILED', failed), { verification });
      return;
    }
    res.json({
      items: page.events.map((e) => ({
        eventId: e.eventId,
        version: e.version,
        type: e.type,
        schemaVersion: e.schemaVersion,
        data: e.data,
        metadata: e.metadata,
        occurredAt: e.occurredAt,
      })),
      nextFromVersion: page.nextFromVersion,
      verification,
    });
  };
  router.get('/api/v1/accounts/:accountId/events', auditors, async (req, res) => {
    const accountId = parseInput(IdSchema, req.params.accountId, 'path');
    await auditTrail(req, res, accountId, new ApiError('ACCOUNT_NOT_FOUND', `account ${accountId} not found`));
  });
  router.get('/api/v1/transfers/:transferId/events', auditors, async (req, res) => {
    const transferId = parseInput(IdSchema, req.params.transferId, 'path');
    const notFound = new ApiError('TRANSFER_NOT_FOUND', `transfer ${transferId} not found in the log`);
    await auditTrail(req, res, transferStreamId(transferId), notFound);
  });

  // Answered from the event log itself (through event-source), not from the read model.
  router.get('/api/v1/accounts/:accountId/balance-at', readers, async (req, res) => {
    const accountId = parseInput(IdSchema, req.params.accountId, 'path');
    const { timestamp } = parseInput(BalanceAtQuery, req.query, 'query');
    // A customer's: the owner is checked in the read model first (an account opened a moment
    // ago may not be there yet: ACCOUNT_NOT_FOUND until it is).
    const { ownerId } = accessOf(req);
    const visible = ownerId === undefined || (await ownsAccount(read, accountId, ownerId));
    const found = visible ? await eventLog.balanceAt(accountId, timestamp).catch(logUnavailable) : undefined;
    if (!found) throw new ApiError('ACCOUNT_NOT_FOUND', `account ${accountId} did not exist at ${timestamp}`);
    const currency = CurrencyParam.parse(found.currency);
    res.json({
      accountId,
      currency,
      balance: formatMinor(found.balance, currency),
      version: found.version,
      at: timestamp,
    });
  });

  return router;
}
