// The wire shapes the dashboard reads and sends: the public HTTP contract (each API's
// /openapi.json). Money is a decimal string everywhere, as the APIs send it.

export type AccountStatus = 'ACTIVE' | 'FROZEN' | 'CLOSED';
export const CURRENCIES = ['USD', 'EUR', 'GBP', 'CHF', 'JPY', 'KWD'] as const;
export type Currency = (typeof CURRENCIES)[number];

/** GET /api/v1/accounts/{id} */
export type Account = {
  accountId: string;
  ownerId: string;
  ownerName: string;
  type: 'CHECKING' | 'SAVINGS';
  currency: string;
  status: AccountStatus;
  balance: string;
  overdraftLimit: string;
  version: number;
  openedAt: string;
  updatedAt: string;
};

export type Page<T> = { items: T[]; nextCursor: string | null };

export const TRANSACTION_TYPES = ['DEPOSIT', 'WITHDRAWAL', 'TRANSFER_IN', 'TRANSFER_OUT', 'TRANSFER_REFUND'] as const;
export type TransactionType = (typeof TRANSACTION_TYPES)[number];

/** One entry of GET /api/v1/accounts/{id}/transactions */
export type Transaction = {
  transactionId: string;
  accountId: string;
  type: TransactionType;
  amount: string;
  currency: string;
  balanceAfter: string;
  description: string | null;
  occurredAt: string;
  version: number;
  transferId?: string;
  counterpartyAccountId?: string;
};

/** GET /api/v1/accounts/{id}/summary */
export type Summary = {
  accountId: string;
  currency: string;
  balance: string;
  totalDeposits: string;
  totalWithdrawals: string;
  totalTransfersIn: string;
  totalTransfersOut: string;
  transactionCount: number;
  firstTransactionAt: string | null;
  lastTransactionAt: string | null;
};

/** One day of GET /api/v1/accounts/{id}/daily-balances (UTC days) */
export type DailyBalance = {
  date: string;
  openingBalance: string;
  closingBalance: string;
  credits: string;
  debits: string;
  transactionCount: number;
};

/** The check event-source made of an audit trail page against ImmuDB's proofs. */
export type Verification = {
  verified: boolean;
  checks?: { consistency?: string; inclusion?: string };
  entriesVerified?: number;
  failure?: string | null;
  state?: { txId?: number } | null;
};

/** GET /api/v1/accounts/{id}/events */
export type AuditTrail = {
  items: { eventId: string; version: number; type: string; occurredAt: string; data: unknown }[];
  verification: Verification;
};

export type TransferStatus = 'PENDING' | 'COMPLETED' | 'FAILED';

/** GET /api/v1/transfers/{id} (and the 202 of POST /api/v1/transfers) */
export type Transfer = {
  transferId: string;
  fromAccountId: string;
  toAccountId: string;
  amount: string;
  currency: string;
  status: TransferStatus;
  failureCode?: string;
  description?: string | null;
  createdAt: string;
  completedAt?: string;
};

/** GET /api/v1/ledger/trial-balance?currency= */
export type TrialBalance = {
  currency: string;
  accounts: { customer: string; external: string; transit: string };
  total: string;
  balanced: boolean;
};

/** GET /api/v1/operations/status */
export type OperationsStatus = {
  checkedAt: string;
  apps: { appId: string; ready: boolean; checks?: { name: string; ok: boolean; error?: string }[]; error?: string }[];
  projection: {
    behindEvents: number;
    behindMs: number;
    appliedTx: number;
    headTx: number;
    generation: number;
    measuredAt: string;
    error?: string;
  } | null;
};

/** The answer of POST /api/v1/accounts/{id}/deposits and /withdrawals */
export type Movement = {
  transactionId: string;
  accountId: string;
  type: 'DEPOSIT' | 'WITHDRAWAL';
  amount: string;
  currency: string;
  balance: string;
  version: number;
  occurredAt: string;
};

/** The body of POST /api/v1/accounts */
export type OpenAccount = {
  accountId?: string;
  ownerId: string;
  ownerName: string;
  type: 'CHECKING' | 'SAVINGS';
  currency: string;
  initialDeposit?: string;
  overdraftLimit?: string;
};

/** One event of the live stream (GET /api/v1/stream): `id:` is its global log position. */
export type StreamEvent = {
  position: string;
  type: string;
  accountId?: string;
  transferId?: string;
  version: number;
  occurredAt: string;
  data: unknown;
};

/** GET /dashboard/config.json: where the command API answers, as the browser reaches it. */
export type DashboardConfig = { commandApiUrl: string };
