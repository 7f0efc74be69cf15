import { AbstractActor, type ActorId, type DaprClient } from '@dapr/dapr';
import {
  AccountActorResultSchema,
  BANK_ACCOUNT_ACTOR_TYPE,
  TRANSFER_ACTOR_TYPE,
  TransferStartRequestSchema,
  type AccountActorResult,
  type TransferResult,
} from '@bank/domain';
import { invokeActorWhenPlaced, type DaprSidecar, type Logger } from '@bank/service-kit';
import { advance, startTransfer, type TransferDeps } from './process';
import { TransferRecordSchema, viewOf, type TransferRecord } from './record';

const RECORD_KEY = 'transfer';
const REMINDER = 'advance';
/** How long `start` carries a transfer itself before leaving the rest to the reminder. */
const START_BUDGET_MS = 10_000;
/** How long one reminder tick may work on a transfer. */
const TICK_BUDGET_MS = 30_000;

export type TransferActorDeps = {
  /** This app's sidecar: actor state, reminders, and calls to the BankAccount actors. */
  sidecar: DaprSidecar;
  log: Logger;
  /** Reminder period: how soon an interrupted transfer is resumed (seconds). */
  retrySeconds: number;
};

/**
 * Builds the Transfer actor class: one per transfer id, driving it from debit to credit (or
 * refund) with a reminder until it ends. It calls BankAccount actors, which never call back.
 */
export function transferActor(deps: TransferActorDeps): new (client: DaprClient, id: ActorId) => AbstractActor {
  const unavailable = (message: string): AccountActorResult => ({
    ok: false,
    error: { code: 'SERVICE_UNAVAILABLE', message },
  });
  const callAccount = async (accountId: string, method: string, body: unknown): Promise<AccountActorResult> => {
    try {
      const raw = await invokeActorWhenPlaced(deps.sidecar, BANK_ACCOUNT_ACTOR_TYPE, accountId, method, body);
      const parsed = AccountActorResultSchema.safeParse(raw);
      return parsed.success ? parsed.data : unavailable('unreadable answer from the account actor');
    } catch (err) {
      return unavailable(`account ${accountId} did not answer: ${(err as Error).message}`);
    }
  };

  class Transfer extends AbstractActor {
    private record: TransferRecord | undefined;
    private loaded = false;

    constructor(client: DaprClient, id: ActorId) {
      super(client, id);
    }

    /** Starts the transfer, or answers a repeated request for it. Never throws to Dapr. */
    async start(raw: unknown): Promise<TransferResult> {
      const transferId = this.getActorId().getId();
      const parsed = TransferStartRequestSchema.safeParse(raw);
      if (!parsed.success) {
        return {
          ok: false,
          error: { code: 'VALIDATION_FAILED', message: parsed.error.issues.map((i) => i.message).join('; ') },
        };
      }
      try {
        const existing = await this.load();
        // The record in memory follows what is saved (see `store` below), never ahead of it.
        return await startTransfer(this.deps(), transferId, parsed.data, existing, START_BUDGET_MS);
      } catch (err) {
        this.loaded = false;
        deps.log.error({ err, transferId, correlationId: parsed.data.correlationId }, 'transfer start failed');
        return {
          ok: false,
          error: { code: 'SERVICE_UNAVAILABLE', message: 'the transfer could not be started; retry' },
        };
      }
    }

    /** Where the transfer is, from its own record (the read model may not have caught up yet). */
    async status(): Promise<TransferResult> {
      try {
        const record = await this.load();
        if (!record) return { ok: false, error: { code: 'TRANSFER_NOT_FOUND', message: 'no such transfer' } };
        return { ok: true, transfer: viewOf(record) };
      } catch (err) {
        this.loaded = false;
        deps.log.warn({ err, transferId: this.getActorId().getId() }, 'transfer status unreadable');
        return { ok: false, error: { code: 'SERVICE_UNAVAILABLE', message: 'the transfer could not be read; retry' } };
      }
    }

    /** Dapr calls this on every reminder tick until the transfer ends and disarms it. */
    override async receiveReminder(): Promise<void> {
      const transferId = this.getActorId().getId();
      try {
        const record = await this.load();
        if (!record || record.step === 'DONE') {
          await this.deps().retries.disarm();
          return;
        }
        deps.log.info({ transferId, step: record.step }, 'resuming transfer');
        await advance(this.deps(), record, Date.now() + TICK_BUDGET_MS);
      } catch (err) {
        this.loaded = false;
        deps.log.warn({ err, transferId }, 'transfer not advanced; the reminder will try again');
      }
    }

    private async load(): Promise<TransferRecord | undefined> {
      if (this.loaded) return this.record;
      const stored = await deps.sidecar.getActorState(TRANSFER_ACTOR_TYPE, this.getActorId().getId(), RECORD_KEY);
      this.record = stored === undefined ? undefined : TransferRecordSchema.parse(stored);
      this.loaded = true;
      return this.record;
    }

    private deps(): TransferDeps {
      const id = this.getActorId().getId();
      const every = `${deps.retrySeconds}s`;
      return {
        accounts: {
          execute: (accountId, request) => callAccount(accountId, 'execute', request),
          view: (accountId) => callAccount(accountId, 'view', {}),
        },
        store: {
          save: async (record) => {
            await deps.sidecar.saveActorState(TRANSFER_ACTOR_TYPE, id, RECORD_KEY, record);
            this.record = record;
          },
          remove: async () => {
            await deps.sidecar.deleteActorState(TRANSFER_ACTOR_TYPE, id, RECORD_KEY);
            this.record = undefined;
          },
        },
        retries: {
          arm: () => deps.sidecar.registerReminder(TRANSFER_ACTOR_TYPE, id, REMINDER, every, every),
          disarm: () => deps.sidecar.unregisterReminder(TRANSFER_ACTOR_TYPE, id, REMINDER),
        },
        now: () => new Date(),
        log: deps.log,
      };
    }
  }

  Object.defineProperty(Transfer, 'name', { value: TRANSFER_ACTOR_TYPE });
  return Transfer;
}
