import { formatMinor } from '@bank/domain';
import { AccountDocSchema, type AccountDoc } from '@bank/contracts';
import { ApiError, Gate, GateFull } from '@bank/service-kit';
import type { Response } from 'express';
import type { ReadCollections } from './read-model';

const MIN_VERSION_WAIT_MS = 5_000;
/**
 * Reads waiting for the read model (minVersion) hold a request open for up to 5 s each: at most
 * 64 wait at a time in this process; one more is answered 503 at once (retry).
 */
const waits = new Gate(64, 0);

/**
 * Reads an account document, waiting up to 5 s for the read model to reach `minVersion`
 * (read-your-writes). Every answer about one account carries X-Read-Model-Version and ETag.
 * With `ownerId` (a customer), another owner's account is treated exactly as one that does not
 * exist: same answers, same headers, same wait.
 */
export async function accountAtLeast(
  read: ReadCollections,
  accountId: string,
  { minVersion, ownerId }: { minVersion: number | undefined; ownerId: string | undefined },
  res: Response,
): Promise<AccountDoc> {
  const readOnce = async () => {
    const raw = await read.accounts.findOne({ _id: accountId });
    const found = raw ? AccountDocSchema.parse(raw) : undefined;
    const doc = found && (ownerId === undefined || found.ownerId === ownerId) ? found : undefined;
    res.setHeader('X-Read-Model-Version', String(doc?.version ?? 0));
    return doc;
  };
  const answer = (doc: AccountDoc | undefined) => {
    if (!doc) throw new ApiError('ACCOUNT_NOT_FOUND', `account ${accountId} not found`);
    res.setHeader('ETag', `"${doc.version}"`);
    return doc;
  };
  const reached = (doc: AccountDoc | undefined) => minVersion === undefined || (doc?.version ?? 0) >= minVersion;

  const first = await readOnce();
  if (reached(first)) return answer(first);
  const deadline = Date.now() + MIN_VERSION_WAIT_MS;
  const waited = await waits
    .run(async () => {
      // Every 5 ms for the first 20 (a projection usually lands within that), then every 10, then 25.
      for (let attempt = 0; ; attempt++) {
        await new Promise((r) => setTimeout(r, attempt < 4 ? 5 : attempt < 8 ? 10 : 25));
        const doc = await readOnce();
        if (reached(doc)) return doc;
        if (Date.now() > deadline) {
          throw new ApiError(
            'READ_MODEL_LAGGING',
            `the read model is at version ${doc?.version ?? 0}, not yet ${minVersion}; retry shortly`,
          );
        }
      }
    })
    .catch((err) => {
      throw err instanceof GateFull
        ? new ApiError('SERVICE_UNAVAILABLE', 'too many reads are waiting for the read model; retry shortly')
        : err;
    });
  return answer(waited);
}

export function accountView(doc: AccountDoc) {
  return {
    accountId: doc.accountId,
    ownerId: doc.ownerId,
    ownerName: doc.ownerName,
    type: doc.type,
    currency: doc.currency,
    status: doc.status,
    balance: formatMinor(doc.balance, doc.currency),
    overdraftLimit: formatMinor(doc.overdraftLimit, doc.currency),
    version: doc.version,
    openedAt: doc.openedAt,
    updatedAt: doc.updatedAt,
  };
}

/** Opaque cursors: base64url JSON of the position after which the next page starts. */
export function encodeCursor(position: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

export function decodeCursor(cursor: string, key: string, kind: 'number'): number;
export function decodeCursor(cursor: string, key: string, kind: 'string'): string;
export function decodeCursor(cursor: string, key: string, kind: 'number' | 'string'): number | string {
  try {
    const value = (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>)[key];
    if (typeof value === 'number' && kind === 'number' && Number.isSafeInteger(value)) return value;
    if (typeof value === 'string' && kind === 'string') return value;
  } catch {
    /* fall through */
  }
  throw new ApiError('VALIDATION_FAILED', 'cursor is not one this API issued', [
    { path: 'query.cursor', message: 'invalid cursor' },
  ]);
}

/** Whether the read model knows `accountId` as an account of `ownerId`. */
export async function ownsAccount(read: ReadCollections, accountId: string, ownerId: string): Promise<boolean> {
  const doc = await read.accounts.findOne({ _id: accountId }, { projection: { _id: 0, ownerId: 1 } });
  return doc?.ownerId === ownerId;
}
