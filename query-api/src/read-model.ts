import { READ_MODEL_COLLECTIONS, type AccountDoc, type TransactionDoc } from '@bank/domain';
import type { Collection, Db } from 'mongodb';

export type ReadCollections = { accounts: Collection<AccountDoc>; transactions: Collection<TransactionDoc> };

export function readCollections(db: Db): ReadCollections {
  return {
    accounts: db.collection<AccountDoc>(READ_MODEL_COLLECTIONS.accounts),
    transactions: db.collection<TransactionDoc>(READ_MODEL_COLLECTIONS.transactions),
  };
}
