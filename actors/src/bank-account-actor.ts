import { randomUUID } from 'node:crypto';
import { AbstractActor, type DaprClient, type ActorId } from '@dapr/dapr';
import {
  AccountActorRequestSchema,
  BANK_ACCOUNT_ACTOR_TYPE,
  TransferStepRequestSchema,
  type AccountActorResult,
  type TransferStepResult,
} from '@bank/contracts';
import { currentTraceContext, type DaprSidecar, type EventLogClient, type Logger } from '@bank/service-kit';
import type { z } from 'zod';
import { catchUp, emptySnapshot, execute, type Snapshot } from './execute';
import { executeTransferStep } from './transfer-step';

const SNAPSHOT_KEY = 'snapshot';

export type ActorDeps = {
  eventLog: EventLogClient;
  /** This app's own sidecar: actor state is read and written through it directly. */
  sidecar: DaprSidecar;
  log: Logger;
  /** Persist the snapshot once it is this many events ahead of the persisted one (and on deactivation). */
  snapshotEvery: number;
};

/**
 * Builds the BankAccount actor class around its dependencies. Dapr creates one instance per
 * account id and runs its methods one at a time; the class name is the actor type.
 */
export function bankAccountActor(deps: ActorDeps): new (client: DaprClient, id: ActorId) => AbstractActor {
  const executeDeps = {
    eventLog: deps.eventLog,
    now: () => new Date(),
    newId: randomUUID,
    sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
    traceparent: () => currentTraceContext()?.traceparent,
  };

  class BankAccount extends AbstractActor {
    private snapshot: Snapshot | undefined;
    /** Version of the snapshot in the actor state store. */
    private persistedVersion = 0;

    constructor(client: DaprClient, id: ActorId) {
      super(client, id);
    }

    /** The one command entry point. Returns a result; it never throws to Dapr. */
    execute(raw: unknown): Promise<AccountActorResult> {
      return this.run(raw, AccountActorRequestSchema, execute, (request) => ({
        failure: 'command failed',
        context: { correlationId: request.correlationId },
        message: 'the command could not be completed; it may be retried',
      }));
    }

    /**
     * One step of a transfer that touches this account, sent by the Transfer actor (the only
     * caller this method answers, see actor-methods.ts): decided against this account and the
     * transfer's stream in the log, committed with both.
     */
    transferStep(raw: unknown): Promise<TransferStepResult> {
      return this.run(raw, TransferStepRequestSchema, executeTransferStep, (request) => ({
        failure: 'transfer step failed',
        context: { transferId: request.transferId, step: request.step },
        message: 'the step could not be completed; retry',
      }));
    }

    /**
     * Validates a request, runs it against the account caught up with the log, keeps the
     * snapshot it leaves (persisted every `snapshotEvery` events), and turns a crash into a
     * SERVICE_UNAVAILABLE result: Dapr never sees an exception.
     */
    private async run<Request, Result>(
      raw: unknown,
      schema: z.ZodType<Request>,
      work: (
        d: typeof executeDeps,
        accountId: string,
        current: Snapshot,
        request: Request,
      ) => Promise<{ result: Result; snapshot: Snapshot }>,
      onCrash: (request: Request) => { failure: string; context: object; message: string },
    ): Promise<Result | Extract<AccountActorResult, { ok: false }>> {
      const accountId = this.getActorId().getId();
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        return {
          ok: false,
          error: { code: 'VALIDATION_FAILED', message: parsed.error.issues.map((i) => i.message).join('; ') },
        };
      }
      try {
        const { result, snapshot } = await work(executeDeps, accountId, await this.load(accountId), parsed.data);
        this.snapshot = snapshot;
        if (snapshot.version - this.persistedVersion >= deps.snapshotEvery) await this.persist(snapshot);
        return result;
      } catch (err) {
        this.snapshot = undefined; // re-read from state and log on the next call
        const { failure, context, message } = onCrash(parsed.data);
        deps.log.error({ err, accountId, ...context }, failure);
        return { ok: false, error: { code: 'SERVICE_UNAVAILABLE', message } };
      }
    }

    /** The account as its actor knows it (caught up with the log), for the Transfer actor's checks. */
    async view(): Promise<AccountActorResult> {
      const accountId = this.getActorId().getId();
      try {
        const { version, state } = await this.load(accountId);
        if (state.status === 'NONE') {
          return { ok: false, error: { code: 'ACCOUNT_NOT_FOUND', message: `account ${accountId} does not exist` } };
        }
        return { ok: true, version, account: state, appended: [] };
      } catch (err) {
        this.snapshot = undefined;
        deps.log.warn({ err, accountId }, 'account view failed');
        return { ok: false, error: { code: 'SERVICE_UNAVAILABLE', message: 'the account could not be read; retry' } };
      }
    }

    override async onDeactivate(): Promise<void> {
      if (this.snapshot && this.snapshot.version > this.persistedVersion) await this.persist(this.snapshot);
    }

    /**
     * Snapshot from the actor state store, caught up with the log: an account with a long
     * history replays at most `snapshotEvery` events on activation, never the whole stream.
     */
    private async load(accountId: string): Promise<Snapshot> {
      if (this.snapshot) return this.snapshot;
      const stored = await deps.sidecar.getActorState<Snapshot>(BANK_ACCOUNT_ACTOR_TYPE, accountId, SNAPSHOT_KEY);
      const base = isSnapshot(stored) ? stored : emptySnapshot();
      this.persistedVersion = base.version;
      this.snapshot = await catchUp(deps.eventLog, accountId, base);
      return this.snapshot;
    }

    /**
     * Saves a snapshot the log has already accepted. A failure here must not turn a committed
     * command into an error: the snapshot is only an optimisation, the log is the truth.
     */
    private async persist(snapshot: Snapshot): Promise<void> {
      // Written through the sidecar's actor state API rather than the SDK's state manager, whose
      // pending changes would be retried (and could fail the method) after it returns.
      try {
        await deps.sidecar.saveActorState(BANK_ACCOUNT_ACTOR_TYPE, this.getActorId().getId(), SNAPSHOT_KEY, snapshot);
        this.persistedVersion = snapshot.version;
      } catch (err) {
        deps.log.warn({ err, accountId: this.getActorId().getId(), version: snapshot.version }, 'snapshot not saved');
      }
    }
  }

  Object.defineProperty(BankAccount, 'name', { value: BANK_ACCOUNT_ACTOR_TYPE });
  return BankAccount;
}

function isSnapshot(value: unknown): value is Snapshot {
  const s = value as Snapshot | undefined;
  return !!s && Number.isSafeInteger(s.version) && s.version >= 0 && typeof s.state === 'object' && s.state !== null;
}
