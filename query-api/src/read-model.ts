import {
  READ_MODEL_COLLECTIONS,
  type AccountDoc,
  type DailyBalanceDoc,
  type TransactionDoc,
  type TransferDoc,
} from '@bank/domain';
import type { Collection, Db } from 'mongodb';

export type ReadCollections = {
  accounts: Collection<AccountDoc>;
  transactions: Collection<TransactionDoc>;
  dailyBalances: Collection<DailyBalanceDoc>;
  transfers: Collection<TransferDoc>;
};

export function readCollections(db: Db): ReadCollections {
  return {
    accounts: db.collection<AccountDoc>(READ_MODEL_COLLECTIONS.accounts),
    transactions: db.collection<TransactionDoc>(READ_MODEL_COLLECTIONS.transactions),
    dailyBalances: db.collection<DailyBalanceDoc>(READ_MODEL_COLLECTIONS.dailyBalances),
    transfers: db.collection<TransferDoc>(READ_MODEL_COLLECTIONS.transfers),
  };
}
