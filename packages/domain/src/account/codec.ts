/**
 * How account events are written to and read from the log. The log keeps every version an
 * event was ever written in; reading goes through upcasters to the current version, so old
 * events are never rewritten.
 *
 * Versions:
 *   AccountOpened, MoneyDeposited, MoneyWithdrawn
 *     v1: money as JSON numbers of minor units (the walking skeleton)
 *     v2: money as decimal strings of minor units ("1234"), because JSON numbers beyond 2^53
 *         are not exact in most JSON parsers and the log is read by audit tools in any language
 *   MoneyDeposited, MoneyWithdrawn
 *     v3: also the balance right after the movement (`balanceAfter`), so the balance at any
 *         version can be read from the log without replaying it (older events lack it)
 *   AccountFrozen, AccountUnfrozen, AccountClosed, TransferSettled
 *     v1
 *   TransferDebited, TransferCredited, TransferRefunded
 *     v1: money as strings of minor units, with `balanceAfter` (the v3 shape of movements)
 */
import { z } from 'zod';
import { IdSchema } from '../ids';
import type { AccountEvent, AccountEventType } from './events';
import { AccountTypeSchema, CurrencySchema } from '../vocabulary';

export const ACCOUNT_EVENT_VERSIONS: Record<AccountEventType, number> = {
  AccountOpened: 2,
  MoneyDeposited: 3,
  MoneyWithdrawn: 3,
  AccountFrozen: 1,
  AccountUnfrozen: 1,
  AccountClosed: 1,
  TransferDebited: 1,
  TransferCredited: 1,
  TransferRefunded: 1,
  TransferSettled: 1,
};

/** The money movements, and the first schema version of each that records `balanceAfter`. */
const BALANCE_AFTER_SINCE: Partial<Record<AccountEventType, number>> = {
  MoneyDeposited: 3,
  MoneyWithdrawn: 3,
  TransferDebited: 1,
  TransferCredited: 1,
  TransferRefunded: 1,
};

/** Minor units as written from v2 on: a string of digits, read back as a checked safe integer. */
const MinorString = z
  .string()
  .regex(/^-?(0|[1-9][0-9]*)$/, 'must be an integer string')
  .transform(Number)
  .refine(Number.isSafeInteger, 'must be a safe integer');
const Description = z.string().max(500).nullable();
const Movement = z
  .strictObject({
    transactionId: z.string().min(1).max(64),
    amount: MinorString,
    description: Description,
    // A fact about the stream (v3), not part of the domain event: dropped when decoding.
    balanceAfter: MinorString.optional(),
  })
  .transform(({ balanceAfter: _balanceAfter, ...data }) => data);
const TransferLeg = {
  transferId: IdSchema,
  transactionId: z.string().min(1).max(64),
  amount: MinorString,
  balanceAfter: MinorString,
};
const dropBalanceAfter = <T extends { balanceAfter: number }>({ balanceAfter: _b, ...data }: T) => data;

/** Current-version schemas: stored data -> domain event data. */
const CURRENT = {
  AccountOpened: z.strictObject({
    accountId: IdSchema,
    ownerId: z.string().min(1).max(128),
    ownerName: z.string().min(1).max(200),
    accountType: AccountTypeSchema,
    currency: CurrencySchema,
    overdraftLimit: MinorString,
  }),
  MoneyDeposited: Movement,
  MoneyWithdrawn: Movement,
  AccountFrozen: z.strictObject({ reason: z.string().max(500).nullable() }),
  AccountUnfrozen: z.strictObject({}),
  AccountClosed: z.strictObject({}),
  TransferDebited: z
    .strictObject({ ...TransferLeg, toAccountId: IdSchema, description: Description })
    .transform(dropBalanceAfter),
  TransferCredited: z
    .strictObject({ ...TransferLeg, fromAccountId: IdSchema, description: Description })
    .transform(dropBalanceAfter),
  TransferRefunded: z
    .strictObject({ ...TransferLeg, toAccountId: IdSchema, failureCode: z.string().min(1).max(64) })
    .transform(dropBalanceAfter),
  TransferSettled: z.strictObject({ transferId: IdSchema }),
} satisfies Record<AccountEventType, z.ZodType>;

type Data = Record<string, unknown>;
const minorToString = (field: string) => (data: Data) => ({ ...data, [field]: String(data[field]) });

/** Upcasters by "Type@fromVersion": each lifts stored data one version up. */
const UPCASTERS: Record<string, (data: Data) => Data> = {
  'AccountOpened@1': minorToString('overdraftLimit'),
  'MoneyDeposited@1': minorToString('amount'),
  'MoneyWithdrawn@1': minorToString('amount'),
  'MoneyDeposited@2': (data) => data,
  'MoneyWithdrawn@2': (data) => data,
};

export class UnknownEventError extends Error {
  override readonly name = 'UnknownEventError';
}

/**
 * Domain event -> what is stored: type, schema version, JSON-safe data. `balanceAfter` (the
 * account balance once this event applies) is recorded on money movements.
 */
export function encodeAccountEvent(
  event: AccountEvent,
  balanceAfter?: number,
): { type: AccountEventType; schemaVersion: number; data: Data } {
  const data: Data = { ...event.data };
  if (BALANCE_AFTER_SINCE[event.type] !== undefined && balanceAfter !== undefined) {
    data.balanceAfter = String(balanceAfter);
  }
  for (const field of ['amount', 'overdraftLimit']) {
    if (typeof data[field] === 'number') data[field] = String(data[field]);
  }
  return { type: event.type, schemaVersion: ACCOUNT_EVENT_VERSIONS[event.type], data };
}

/** Stored event of any known version -> domain event at the current version. */
export function decodeAccountEvent(stored: { type: string; schemaVersion: number; data: unknown }): AccountEvent {
  const type = stored.type as AccountEventType;
  const current = ACCOUNT_EVENT_VERSIONS[type];
  if (current === undefined) throw new UnknownEventError(`unknown event type ${stored.type}`);
  if (stored.schemaVersion > current) {
    throw new UnknownEventError(`${type} v${stored.schemaVersion} is newer than this code (v${current})`);
  }
  let data = stored.data as Data;
  for (let v = stored.schemaVersion; v < current; v++) {
    const up = UPCASTERS[`${type}@${v}`];
    if (!up) throw new UnknownEventError(`no upcaster for ${type} v${v}`);
    data = up(data);
  }
  return { type, data: CURRENT[type].parse(data) } as AccountEvent;
}

/** The balance a stored movement recorded (v3 on), or undefined for other events and older versions. */
export function recordedBalanceAfter(stored: {
  type: string;
  schemaVersion: number;
  data: unknown;
}): number | undefined {
  const since = BALANCE_AFTER_SINCE[stored.type as AccountEventType];
  if (since === undefined || stored.schemaVersion < since) return undefined;
  const parsed = MinorString.safeParse((stored.data as Data | null)?.balanceAfter);
  return parsed.success ? parsed.data : undefined;
}
