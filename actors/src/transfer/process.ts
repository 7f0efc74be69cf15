/**
 * What the Transfer actor does, without the Dapr plumbing. A transfer is a small durable
 * process over two BankAccount actors:
 *
 *   DEBIT  the source: the money leaves it for the transit account
 *   CREDIT the destination from transit            -- rejected? --> REFUND the source
 *   SETTLE the source: the transfer is no longer in flight there (no money moves)
 *
 * Every step is an account command with an idempotency key derived from the transfer id and
 * the step, committed in the same log append as its events: a step that is run again (after a
 * crash, a timeout, a reminder) answers with its first outcome and never moves money twice.
 * The record is saved, and a reminder armed, before the first step; the reminder runs
 * `advance` until the transfer ends, so a crash of any process at any point only delays it.
 * The decision to refund is saved before the refund, so a later retry cannot credit as well.
 */
import { createHash } from 'node:crypto';
import {
  MoneyFormatError,
  MoneyOverflowError,
  parseMajor,
  type AccountActorRequest,
  type AccountActorResult,
  type ErrorCode,
  type TransferResult,
  type TransferStartRequest,
  type TransferView,
} from '@bank/domain';
import type { Logger } from '@bank/service-kit';
import { viewOf, type Step, type TransferRecord } from './record';

export type TransferDeps = {
  /** Calls to BankAccount actors. They never throw: an unknown outcome is SERVICE_UNAVAILABLE. */
  accounts: {
    execute(accountId: string, request: AccountActorRequest): Promise<AccountActorResult>;
    view(accountId: string): Promise<AccountActorResult>;
  };
  /** This transfer's durable record (actor state, written at once). */
  store: { save(record: TransferRecord): Promise<void>; remove(): Promise<void> };
  /** The reminder that resumes the transfer until it ends. */
  retries: { arm(): Promise<void>; disarm(): Promise<void> };
  now: () => Date;
  log: Logger;
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
  if (existing) return repeat(deps, existing, request, deadline);
  if (request.fromAccountId === request.toAccountId) {
    return fail('SAME_ACCOUNT_TRANSFER', 'a transfer needs two different accounts');
  }

  const checked = await checkUpFront(deps, request);
  if (!checked.ok) return checked;

  const record: TransferRecord = {
    transferId,
    fromAccountId: request.fromAccountId,
    toAccountId: request.toAccountId,
    amount: checked.amount,
    currency: checked.currency,
    status: 'PENDING',
    description: request.description ?? null,
    createdAt: deps.now().toISOString(),
    step: 'DEBIT',
    correlationId: request.correlationId,
    fingerprint: fingerprintOf(request),
    ...(request.idempotency ? { idempotency: request.idempotency } : {}),
  };
  try {
    await deps.retries.arm();
    await deps.store.save(record);
  } catch (err) {
    deps.log.warn({ err, transferId }, 'transfer not recorded; nothing moved');
    return fail('SERVICE_UNAVAILABLE', 'the transfer could not be recorded; retry');
  }

  const debit = await runStep(deps, record, 'DEBIT');
  if (debit.outcome === 'rejected') {
    // Nothing moved and the caller hears why now: the transfer leaves no trace, like any
    // rejected command, and its id may be used again.
    await Promise.allSettled([deps.store.remove(), deps.retries.disarm()]);
    return fail(debit.code, debit.message);
  }
  let current = debit.outcome === 'done' ? { ...record, step: 'CREDIT' as const } : record;
  // The answer given now is saved with the record, in the save that ends the transfer if it
  // ended, so that a repeat with the same Idempotency-Key gets it again.
  const withAnswer = (r: TransferRecord) => ({ ...r, firstAnswer: viewOf(r) });
  current = await advance(deps, current, deadline, withAnswer);
  if (current.step !== 'DONE') {
    current = withAnswer(current);
    await saveQuietly(deps, current);
  }
  return { ok: true, transfer: viewOf(current) };
}

/**
 * Runs the remaining steps until the transfer ends, a step cannot be completed now (the
 * reminder tries again later), or the deadline passes. Only two decisions are saved: a refund
 * (before refunding) and the end (passed through `atEnd` first). The steps between need no
 * save: each is idempotent by its key, so a resumed transfer that runs one again gets its
 * first outcome.
 */
export async function advance(
  deps: TransferDeps,
  start: TransferRecord,
  deadline: number,
  atEnd: (finished: TransferRecord) => TransferRecord = (r) => r,
): Promise<TransferRecord> {
  let record = start;
  while (record.step !== 'DONE' && Date.now() < deadline) {
    const step = record.step;
    const outcome = await runStep(deps, record, step);
    if (outcome.outcome === 'unavailable') return record;
    if (outcome.outcome === 'rejected') {
      if (step === 'DEBIT') {
        record = finish(deps, record, 'FAILED', outcome.code); // nothing moved
      } else if (step === 'CREDIT') {
        record = { ...record, step: 'REFUND', failureCode: outcome.code };
        // Saved before refunding: once refunded, the credit must never be tried again.
        if (!(await saveQuietly(deps, record))) return record;
        continue;
      } else {
        // A settle or refund is never refused by a sound account; keep the money in transit
        // (the trial balance shows it) and let the reminder try again.
        deps.log.error({ transferId: record.transferId, step, outcome }, 'transfer step refused; will retry');
        return record;
      }
    } else {
      switch (step) {
        case 'DEBIT':
          record = { ...record, step: 'CREDIT' };
          continue;
        case 'CREDIT':
          record = { ...record, step: 'SETTLE' };
          continue;
        case 'SETTLE':
          record = finish(deps, record, 'COMPLETED');
          break;
        case 'REFUND':
          record = finish(deps, record, 'FAILED', record.failureCode);
          break;
      }
    }
    record = atEnd(record);
    await saveQuietly(deps, record);
    await deps.retries.disarm().catch(() => undefined); // if it fires again, it finds DONE
  }
  return record;
}

function finish(
  deps: TransferDeps,
  record: TransferRecord,
  status: 'COMPLETED' | 'FAILED',
  failureCode?: ErrorCode,
): TransferRecord {
  return {
    ...record,
    status,
    step: 'DONE',
    completedAt: deps.now().toISOString(),
    ...(failureCode ? { failureCode } : {}),
  };
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
  if (existing.fingerprint !== fingerprintOf(request)) {
    return fail('TRANSFER_ALREADY_EXISTS', `transfer ${existing.transferId} exists with different details`);
  }
  // The same transfer asked for again (a retry without a key): say where it is, and push it on.
  const current = existing.step === 'DONE' ? existing : await advance(deps, existing, deadline);
  return { ok: true, transfer: viewOf(current), replayed: true };
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
    return { ok: true, amount: parseMajor(request.amount, to.account.currency), currency: to.account.currency };
  } catch (err) {
    if (err instanceof MoneyFormatError || err instanceof MoneyOverflowError) {
      return fail('VALIDATION_FAILED', `amount: ${err.message}`, 'body.amount');
    }
    throw err;
  }
}

type StepOutcome =
  { outcome: 'done' } | { outcome: 'unavailable' } | { outcome: 'rejected'; code: ErrorCode; message: string };

async function runStep(deps: TransferDeps, record: TransferRecord, step: Exclude<Step, 'DONE'>): Promise<StepOutcome> {
  const { accountId, request } = stepCommand(record, step);
  const result = await deps.accounts.execute(accountId, request);
  if (result.ok) return { outcome: 'done' };
  if (result.error.code === 'SERVICE_UNAVAILABLE') {
    deps.log.warn(
      { transferId: record.transferId, step, error: result.error },
      'transfer step not completed; will retry',
    );
    return { outcome: 'unavailable' };
  }
  return { outcome: 'rejected', code: result.error.code, message: result.error.message };
}

/** The account command of a step, with its idempotency key: the same for every attempt. */
export function stepCommand(
  record: TransferRecord,
  step: Exclude<Step, 'DONE'>,
): { accountId: string; request: AccountActorRequest } {
  const leg = {
    transferId: record.transferId,
    amountMinor: record.amount,
    currency: record.currency,
  };
  const description = record.description ?? undefined;
  const body = (() => {
    switch (step) {
      case 'DEBIT':
        return {
          accountId: record.fromAccountId,
          command: { type: 'DebitTransfer', ...leg, counterpartyAccountId: record.toAccountId, description } as const,
        };
      case 'CREDIT':
        return {
          accountId: record.toAccountId,
          command: {
            type: 'CreditTransfer',
            ...leg,
            counterpartyAccountId: record.fromAccountId,
            description,
          } as const,
        };
      case 'REFUND':
        return {
          accountId: record.fromAccountId,
          command: {
            type: 'RefundTransfer',
            ...leg,
            counterpartyAccountId: record.toAccountId,
            failureCode: record.failureCode ?? 'SERVICE_UNAVAILABLE',
          } as const,
        };
      case 'SETTLE':
        return {
          accountId: record.fromAccountId,
          command: { type: 'SettleTransfer', transferId: record.transferId } as const,
        };
    }
  })();
  return {
    accountId: body.accountId,
    request: {
      ...body.command,
      correlationId: record.correlationId,
      idempotency: {
        keyHash: sha256(`transfer/${record.transferId}/${step}`),
        requestHash: sha256(JSON.stringify(body)),
      },
    },
  };
}

/** What identifies a transfer request, for repeats by transfer id: "10.50" and "10.5" are the same. */
function fingerprintOf(request: TransferStartRequest): string {
  const amount = request.amount.includes('.') ? request.amount.replace(/\.?0+$/, '') : request.amount;
  return sha256(JSON.stringify([request.fromAccountId, request.toAccountId, amount, request.description ?? null]));
}

async function saveQuietly(deps: TransferDeps, record: TransferRecord): Promise<boolean> {
  try {
    await deps.store.save(record);
    return true;
  } catch (err) {
    deps.log.warn({ err, transferId: record.transferId, step: record.step }, 'transfer record not saved; will retry');
    return false;
  }
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
