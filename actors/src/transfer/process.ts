/**
 * What the Transfer actor does, without the Dapr plumbing. The transfer's own stream in the log
 * decides where it stands (see `decideTransferStep` in the domain); this process only asks the
 * accounts for the next step the log calls for:
 *
 *   (none)          debit the source         -> DEBITED, or refused: nothing happened at all
 *   DEBITED         credit the destination   -> CREDITED, or CREDIT_REFUSED (recorded in the log)
 *   CREDITED        finish on the source     -> COMPLETED (settled)
 *   CREDIT_REFUSED  finish on the source     -> FAILED (refunded)
 *
 * Each step commits the account's events and the transfer's event in one log transaction,
 * conditional on both streams, so a step asked twice (a crash, a lost answer, a second
 * activation, a reminder) happens once, and credit and refund exclude each other. The actor's
 * record is a cache: with it lost, the reminder reads the log and finishes the transfer.
 */
import { type ErrorCode, type TransferProgress, parseAmountField, parseMajor, DomainError } from '@bank/domain';
import {
  transferFailureCodeOf,
  transferStatusOf,
  type AccountActorResult,
  type TransferResult,
  type TransferStartRequest,
  type TransferStepRequest,
  type TransferStepResult,
  type TransferView,
} from '@bank/contracts';
import type { Logger } from '@bank/service-kit';
import type { TransferMetrics } from '../metrics';
import { viewOf, type TransferRecord } from './record';

export type TransferDeps = {
  /** Calls to BankAccount actors. They never throw: an unknown outcome is SERVICE_UNAVAILABLE. */
  accounts: {
    step(accountId: string, request: TransferStepRequest): Promise<TransferStepResult>;
    view(accountId: string): Promise<AccountActorResult>;
  };
  /** This transfer's stream in the log, folded (undefined when it has no event: never debited). */
  stream: { read(): Promise<TransferProgress | undefined> };
  /** This transfer's record (actor state, a cache of the request and the first answer). */
  store: { save(record: TransferRecord): Promise<void> };
  /** The reminder that resumes the transfer until it ends. */
  retries: { arm(): Promise<void>; disarm(): Promise<void> };
  now: () => Date;
  log: Logger;
  metrics?: TransferMetrics;
};

type Failure = Extract<TransferResult, { ok: false }>;
const fail = (code: ErrorCode, message: string, path?: string): Failure => ({
  ok: false,
  error: { code, message, ...(path ? { path } : {}) },
});

/**
 * Starts a transfer (or answers a repeated request for it), then carries it as far as it gets
 * within `budgetMs`; the reminder does the rest.
 */
export async function startTransfer(
  deps: TransferDeps,
  transferId: string,
  request: TransferStartRequest,
  existing: TransferRecord | undefined,
  budgetMs: number,
): Promise<TransferResult> {
  const deadline = Date.now() + budgetMs;
  const owned = await checkOwner(deps, request);
  if (!owned.ok) return owned;
  if (existing) return repeat(deps, existing, request, deadline);
  if (request.fromAccountId === request.toAccountId) {
    return fail('SAME_ACCOUNT_TRANSFER', 'a transfer needs two different accounts');
  }
  const checked = await checkUpFront(deps, request);
  if (!checked.ok) return checked;

  let record: TransferRecord = {
    transferId,
    fromAccountId: request.fromAccountId,
    toAccountId: request.toAccountId,
    amount: checked.amount,
    currency: checked.currency,
    status: 'PENDING',
    description: request.description ?? null,
    createdAt: deps.now().toISOString(),
    correlationId: request.correlationId,
    ...(request.idempotency ? { idempotency: request.idempotency } : {}),
    started: false,
  };
  try {
    // Armed before any money moves: whatever happens to this process, the transfer is resumed.
    await deps.retries.arm();
  } catch (err) {
    deps.log.warn({ err, transferId }, 'transfer reminder not armed; nothing moved');
    return fail('SERVICE_UNAVAILABLE', 'the transfer could not be started; retry');
  }

  const debit = await deps.accounts.step(record.fromAccountId, debitOf(record));
  if (!debit.ok && debit.error.code === 'SERVICE_UNAVAILABLE') {
    // Not known to be in the log: the caller hears 503 (retry with the same key) and no record
    // is kept, so a transfer exists only once the log has it (a status read for an id the log
    // does not know is a plain 404, asked of nobody but the log). If the debit was made and
    // only its answer lost, the reminder left armed finds it in the log and finishes it, and a
    // retry joins it; if it was not, the reminder finds nothing and disarms.
    return { ok: false, error: debit.error };
  }
  if (!debit.ok) {
    // Refused by the source (funds, frozen, unknown, another currency, a transfer id already
    // used for other details): nothing happened, and the caller hears why now. A reminder left
    // armed finds nothing in the log and no record, and disarms.
    await deps.retries.disarm().catch(() => undefined);
    return { ok: false, error: debit.error };
  }
  record = merged(record, debit.transfer);
  const current = await drive(deps, record, debit.transfer, deadline);
  // The answer given now is saved with the record, so that a repeat with the same
  // Idempotency-Key gets it again.
  const answered = { ...current, firstAnswer: viewOf(current) };
  await saveQuietly(deps, answered);
  if (answered.status !== 'PENDING') await deps.retries.disarm().catch(() => undefined);
  return { ok: true, transfer: viewOf(answered) };
}

/**
 * Resumes a transfer (the reminder): from its stream in the log, with or without its record.
 * Returns the record as it now stands, undefined when there is nothing to resume.
 */
export async function resume(
  deps: TransferDeps,
  record: TransferRecord | undefined,
  deadline: number,
): Promise<{ record: TransferRecord | undefined; ended: boolean }> {
  const progress = await deps.stream.read();
  if (progress) {
    const base = record ? merged(record, progress) : fromProgress(progress);
    const current = await drive(deps, base, progress, deadline);
    if (current.status !== 'PENDING' || !record || record.status !== current.status) await saveQuietly(deps, current);
    return { record: current, ended: current.status !== 'PENDING' };
  }
  // Nothing in the log: the debit was never made. Only a record written before 2026-12-06 can
  // still be PENDING here (a transfer was then accepted before its debit was in the log): its
  // debit is made now.
  if (!record || record.status !== 'PENDING') return { record, ended: true };
  const debit = await deps.accounts.step(record.fromAccountId, debitOf(record));
  if (!debit.ok) {
    if (debit.error.code === 'SERVICE_UNAVAILABLE') return { record, ended: false };
    // Refused after the caller was told PENDING: the transfer fails, and nothing moved.
    const failed: TransferRecord = {
      ...record,
      status: 'FAILED',
      failureCode: debit.error.code,
      completedAt: deps.now().toISOString(),
    };
    await saveQuietly(deps, failed);
    return { record: failed, ended: true };
  }
  const current = await drive(deps, merged(record, debit.transfer), debit.transfer, deadline);
  await saveQuietly(deps, current);
  return { record: current, ended: current.status !== 'PENDING' };
}

/**
 * Asks for the steps the log calls for until the transfer ends, a step cannot be completed now
 * (the reminder tries again later), or the deadline passes.
 */
async function drive(
  deps: TransferDeps,
  record: TransferRecord,
  start: TransferProgress,
  deadline: number,
): Promise<TransferRecord> {
  let progress = start;
  while (progress.phase !== 'COMPLETED' && progress.phase !== 'FAILED' && Date.now() < deadline) {
    const step = progress.phase === 'DEBITED' ? 'credit' : 'finish';
    const accountId = step === 'credit' ? progress.toAccountId : progress.fromAccountId;
    const result = await deps.accounts.step(accountId, {
      step,
      transferId: progress.transferId,
      correlationId: record.correlationId,
    });
    if (!result.ok) {
      const details = { transferId: progress.transferId, step, phase: progress.phase, error: result.error };
      // A credit's refusal is itself a step (recorded in the log); a step refused outright
      // means the books disagree with the transfer: keep its money in transit (the trial
      // balance shows it) and say so loudly; the reminder tries again.
      if (result.error.code === 'SERVICE_UNAVAILABLE')
        deps.log.warn(details, 'transfer step not completed; will retry');
      else deps.log.error(details, 'transfer step refused; the transfer stays in flight and will be retried');
      break;
    }
    progress = result.transfer;
  }
  return merged(record, progress);
}

/** A request for a transfer id that already has a record. */
async function repeat(
  deps: TransferDeps,
  existing: TransferRecord,
  request: TransferStartRequest,
  deadline: number,
): Promise<TransferResult> {
  const key = request.idempotency;
  if (key && existing.idempotency?.keyHash === key.keyHash) {
    if (existing.idempotency.requestHash !== key.requestHash) {
      return fail('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used with a different request');
    }
    return { ok: true, transfer: existing.firstAnswer ?? viewOf(existing), replayed: true };
  }
  if (!sameRequest(existing, request)) {
    return fail('TRANSFER_ALREADY_EXISTS', `transfer ${existing.transferId} exists with different details`);
  }
  // The same transfer asked for again (a retry without a key): say where it is, and push it on.
  if (existing.status !== 'PENDING') return { ok: true, transfer: viewOf(existing), replayed: true };
  const { record } = await resume(deps, existing, deadline);
  return { ok: true, transfer: viewOf(record ?? existing), replayed: true };
}

/**
 * A customer's transfer (it names its owner) leaves only from an account of that owner; any other
 * source answers ACCOUNT_NOT_FOUND, as if it did not exist, before anything about the transfer is
 * told. An account's owner never changes, so the check cannot go stale before the debit.
 */
async function checkOwner(deps: TransferDeps, request: TransferStartRequest): Promise<Failure | { ok: true }> {
  if (request.onlyOwner === undefined) return { ok: true };
  const from = await deps.accounts.view(request.fromAccountId);
  if (!from.ok && from.error.code === 'SERVICE_UNAVAILABLE') return { ok: false, error: from.error };
  if (!from.ok || from.account.ownerId !== request.onlyOwner) {
    return fail('ACCOUNT_NOT_FOUND', `account ${request.fromAccountId} does not exist`);
  }
  return { ok: true };
}

/**
 * Checks that need no money to move on the destination: it exists, and the amount fits its
 * currency. The source needs no look of its own: the debit is refused by the source's own rules
 * (no such account, another currency, frozen, closed, funds) before anything moves, and that
 * refusal is answered at once and leaves no trace either.
 */
async function checkUpFront(
  deps: TransferDeps,
  request: TransferStartRequest,
): Promise<Failure | { ok: true; amount: number; currency: TransferView['currency'] }> {
  const to = await deps.accounts.view(request.toAccountId);
  if (!to.ok) return { ok: false, error: to.error };
  try {
    const amount = parseAmountField(request.amount, to.account.currency, 'body.amount');
    return { ok: true, amount, currency: to.account.currency };
  } catch (err) {
    if (err instanceof DomainError) return fail(err.code, err.message, err.path);
    throw err;
  }
}

function debitOf(record: TransferRecord): TransferStepRequest {
  return {
    step: 'debit',
    correlationId: record.correlationId,
    transferId: record.transferId,
    toAccountId: record.toAccountId,
    amountMinor: record.amount,
    currency: record.currency,
    description: record.description,
  };
}

/** The record brought up to what the log says. */
function merged(record: TransferRecord, progress: TransferProgress): TransferRecord {
  const status = transferStatusOf(progress);
  const failureCode = status === 'FAILED' ? transferFailureCodeOf(progress.failureCode) : undefined;
  const { failureCode: _stale, completedAt: _end, ...rest } = record;
  return {
    ...rest,
    status,
    started: true,
    ...(failureCode ? { failureCode } : {}),
    ...(progress.completedAt && status !== 'PENDING' ? { completedAt: progress.completedAt } : {}),
  };
}

/** A record rebuilt from the log alone (the state store lost it). */
function fromProgress(progress: TransferProgress): TransferRecord {
  return merged(
    {
      transferId: progress.transferId,
      fromAccountId: progress.fromAccountId,
      toAccountId: progress.toAccountId,
      amount: progress.amount,
      currency: progress.currency,
      status: 'PENDING',
      description: progress.description,
      createdAt: progress.createdAt,
      correlationId: `transfer-${progress.transferId}`,
      started: true,
    },
    progress,
  );
}

/** Whether a request asks for this transfer (by transfer id): "10.50" and "10.5" are the same. */
function sameRequest(record: TransferRecord, request: TransferStartRequest): boolean {
  let amount: number;
  try {
    amount = parseMajor(request.amount, record.currency);
  } catch {
    return false;
  }
  return (
    request.fromAccountId === record.fromAccountId &&
    request.toAccountId === record.toAccountId &&
    amount === record.amount &&
    (request.description ?? null) === record.description
  );
}

async function saveQuietly(deps: TransferDeps, record: TransferRecord): Promise<boolean> {
  try {
    await deps.store.save(record);
    return true;
  } catch (err) {
    deps.log.warn({ err, transferId: record.transferId }, 'transfer record not saved; the log still has the transfer');
    return false;
  }
}
