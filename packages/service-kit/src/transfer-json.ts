import { formatMinor, type Currency } from '@bank/domain';

/** A transfer in minor units, from the Transfer actor or the read model. */
export type TransferLike = {
  transferId: string;
  fromAccountId: string;
  toAccountId: string;
  amount: number;
  currency: Currency;
  status: 'PENDING' | 'COMPLETED' | 'FAILED';
  failureCode?: string;
  description: string | null;
  createdAt: string;
  completedAt?: string;
};

/** The public JSON of a transfer (GET /api/v1/transfers/{id} in the query API's OpenAPI document); money as a decimal string. */
export function transferJson(t: TransferLike) {
  return {
    transferId: t.transferId,
    fromAccountId: t.fromAccountId,
    toAccountId: t.toAccountId,
    amount: formatMinor(t.amount, t.currency),
    currency: t.currency,
    status: t.status,
    ...(t.failureCode ? { failureCode: t.failureCode } : {}),
    description: t.description,
    createdAt: t.createdAt,
    ...(t.completedAt ? { completedAt: t.completedAt } : {}),
  };
}
