import { AbstractActor, type ActorId, type DaprClient } from '@dapr/dapr';
import { progressOf, transferStreamId } from '@bank/domain';
import {
  AccountActorResultSchema,
  BANK_ACCOUNT_ACTOR_TYPE,
  TRANSFER_ACTOR_TYPE,
  TransferStartRequestSchema,
  TransferStepResultSchema,
  type AccountActorResult,
  type TransferResult,
  type TransferStepResult,
} from '@bank/contracts';
import { invokeActorWhenPlaced, type DaprSidecar, type EventLogClient, type Logger } from '@bank/service-kit';
import type { TransferMetrics } from '../metrics';
import { readTransfer } from '../transfer-step';
import { resume, startTransfer, type TransferDeps } from './process';
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
  /** The log, where each transfer's own stream says where it stands. */
  eventLog: Pick<EventLogClient, 'readAll'>;
  log: Logger;
  /** Reminder period: how soon an interrupted transfer is resumed (seconds). */
  retrySeconds: number;
  /** Counts what needs an operator: steps refused outright, steps not completed (see metrics.ts). */
  metrics: TransferMetrics;
};

/**
 * Builds the Transfer actor class: one per transfer id, asking the BankAccount actors for the
 * steps its stream in the log calls for, with a reminder until it ends. It calls BankAccount
 * actors, which never call back.
 */
export function transferActor(deps: TransferActorDeps): new (client: DaprClient, id: ActorId) => AbstractActor {
  const call = async <T>(
    accountId: string,
    method: string,
    body: unknown,
    parse: (raw: unknown) => { success: true; data: T } | { success: false },
  ): Promise<T | { ok: false; error: { code: 'SERVICE_UNAVAILABLE'; message: string } }> => {
    const unavailable = (message: string) => ({
      ok: false as const,
      error: { code: 'SERVICE_UNAVAILABLE' as const, message },
    });
    try {
      const parsed = parse(await invokeActorWhenPlaced(deps.sidecar, BANK_ACCOUNT_ACTOR_TYPE, accountId, method, body));
      return parsed.success ? parsed.data : unavailable('unreadable answer from the account actor');
    } catch (err) {
      // The Dapr error stays in this log; the caller hears a plain 503.
      deps.log.warn({ err, accountId, method }, 'account actor did not answer');
      return unavailable(`account ${accountId} did not answer; retry`);
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

    /**
     * Drives the transfer from the log now (the projections' sweep of unfinished transfers
     * calls this), and makes sure its reminder is armed while it has not ended: a transfer
     * whose record, reminder or both were lost is still finished.
     */
    async resume(): Promise<TransferResult> {
      const transferId = this.getActorId().getId();
      try {
        const { record, ended } = await resume(this.deps(), await this.load(), Date.now() + TICK_BUDGET_MS);
        if (!record) return { ok: false, error: { code: 'TRANSFER_NOT_FOUND', message: 'no such transfer' } };
        if (ended)
          await this.deps()
            .retries.disarm()
            .catch(() => undefined);
        else await this.deps().retries.arm();
        return { ok: true, transfer: viewOf(record) };
      } catch (err) {
        this.loaded = false;
        deps.log.warn({ err, transferId }, 'transfer not resumed');
        return {
          ok: false,
          error: { code: 'SERVICE_UNAVAILABLE', message: 'the transfer could not be resumed; retry' },
        };
      }
    }

    /** Dapr calls this on every reminder tick until the transfer ends and disarms it. */
    override async receiveReminder(): Promise<void> {
      const transferId = this.getActorId().getId();
      try {
        const record = await this.load();
        if (record && record.status !== 'PENDING') {
          await this.deps().retries.disarm();
          return;
        }
        deps.log.info({ transferId, recorded: record !== undefined }, 'resuming transfer');
        const { ended } = await resume(this.deps(), record, Date.now() + TICK_BUDGET_MS);
        if (ended) await this.deps().retries.disarm();
      } catch (err) {
        this.loaded = false;
        deps.log.warn({ err, transferId }, 'transfer not advanced; the reminder will try again');
      }
    }

    private async load(): Promise<TransferRecord | undefined> {
      if (this.loaded) return this.record;
      const stored = await deps.sidecar.getActorState(TRANSFER_ACTOR_TYPE, this.getActorId().getId(), RECORD_KEY);
      const parsed = stored === undefined ? undefined : TransferRecordSchema.safeParse(stored);
      if (parsed && !parsed.success) {
        // A record of an earlier version (before the log decided transfers): not resumable here.
        deps.log.error(
          { transferId: this.getActorId().getId() },
          'transfer record of an earlier version; let transfers finish before upgrading',
        );
      }
      this.record = parsed?.success ? parsed.data : undefined;
      this.loaded = true;
      return this.record;
    }

    private deps(): TransferDeps {
      const id = this.getActorId().getId();
      const every = `${deps.retrySeconds}s`;
      return {
        accounts: {
          step: (accountId, request) =>
            call<TransferStepResult>(accountId, 'transferStep', request, (raw) =>
              TransferStepResultSchema.safeParse(raw),
            ),
          view: (accountId) =>
            call<AccountActorResult>(accountId, 'view', {}, (raw) => AccountActorResultSchema.safeParse(raw)),
        },
        stream: {
          read: async () => progressOf(await readTransfer(deps.eventLog, transferStreamId(id))),
        },
        store: {
          save: async (record) => {
            await deps.sidecar.saveActorState(TRANSFER_ACTOR_TYPE, id, RECORD_KEY, record);
            this.record = record;
          },
        },
        retries: {
          arm: () => deps.sidecar.registerReminder(TRANSFER_ACTOR_TYPE, id, REMINDER, every, every),
          disarm: () => deps.sidecar.unregisterReminder(TRANSFER_ACTOR_TYPE, id, REMINDER),
        },
        now: () => new Date(),
        log: deps.log,
        metrics: deps.metrics,
      };
    }
  }

  Object.defineProperty(Transfer, 'name', { value: TRANSFER_ACTOR_TYPE });
  return Transfer;
}
