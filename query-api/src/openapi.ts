import { IdSchema } from '@bank/domain';
import { LogVerificationSchema, AccountFields, TransferFields, MoneyText } from '@bank/contracts';
import { commonProblems, openApiDocument, type RouteDoc } from '@bank/service-kit';
import { z } from 'zod';
import {
  AccountListQuery,
  AccountQuery,
  AUDITORS,
  BalanceAtQuery,
  DailyBalancesQuery,
  EventsQuery,
  READERS,
  STAFF,
  TopAccountsQuery,
  TransactionsQuery,
  TrialBalanceQuery,
} from './queries';
import { StreamQuery } from './live/stream-route';
import { APPS } from './operations';

const Money = MoneyText;
const Account = AccountFields.extend({ openedAt: z.string(), updatedAt: z.string() });
const TransactionPage = z.object({
  items: z.array(
    z.object({
      transactionId: z.string(),
      accountId: z.string(),
      type: z.enum(['DEPOSIT', 'WITHDRAWAL', 'TRANSFER_IN', 'TRANSFER_OUT', 'TRANSFER_REFUND']),
      amount: Money,
      currency: z.string(),
      balanceAfter: Money,
      description: z.string().nullable(),
      occurredAt: z.string(),
      version: z.number().int(),
      transferId: z.string().optional().meta({ description: 'on transfer movements' }),
      counterpartyAccountId: z.string().optional().meta({ description: 'on transfer movements: the other account' }),
    }),
  ),
  nextCursor: z.string().nullable(),
});
const TrialBalance = z.object({
  currency: z.string(),
  accounts: z.object({
    customer: Money.meta({ description: 'sum of all customer account balances' }),
    external: Money.meta({ description: 'the external clearing account: minus deposits, plus withdrawals' }),
    transit: Money.meta({ description: 'the transit account: money of transfers in flight' }),
  }),
  total: Money,
  balanced: z.boolean(),
});
const Summary = z.object({
  accountId: z.string(),
  currency: z.string(),
  balance: Money,
  totalDeposits: Money,
  totalWithdrawals: Money,
  totalTransfersIn: Money,
  totalTransfersOut: Money,
  transactionCount: z.number().int(),
  firstTransactionAt: z.string().nullable(),
  lastTransactionAt: z.string().nullable(),
});
const DailyBalances = z.object({
  items: z.array(
    z.object({
      date: z.string(),
      openingBalance: Money,
      closingBalance: Money,
      credits: Money,
      debits: Money,
      transactionCount: z.number().int(),
    }),
  ),
});
const AccountPage = z.object({ items: z.array(Account), nextCursor: z.string().nullable() });
const TopAccounts = z.object({
  items: z.array(z.object({ accountId: z.string(), ownerName: z.string(), balance: Money, currency: z.string() })),
});
const Verification = LogVerificationSchema.describe(
  'The check made on the event-source side: every item is included in its ImmuDB transaction, that transaction is an ancestor of state, and state extends the last trusted state (kept by event-source, moved forward after each successful check, never backwards).',
);
const AuditPage = z.object({
  items: z.array(
    z.object({
      eventId: z.string(),
      version: z.number().int(),
      type: z.string(),
      schemaVersion: z
        .number()
        .int()
        .describe('the event schema version data is written in (stored as is, not upcast)'),
      data: z.unknown(),
      metadata: z.object({
        correlationId: z.string(),
        causationId: z.string().optional(),
        traceparent: z.string().optional().describe('W3C trace context of the request that decided the event'),
      }),
      occurredAt: z.string(),
    }),
  ),
  nextFromVersion: z.number().int().nullable().describe('fromVersion of the next page; null at the end of the stream'),
  verification: Verification,
});
const VerificationProblem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.literal(502),
  detail: z.string(),
  code: z.literal('LOG_VERIFICATION_FAILED'),
  verification: Verification,
});
/** The answers of both audit trails (an account's, a transfer's). */
const AUDIT_RESPONSES = {
  200: { description: 'one verified page', schema: AuditPage },
  ...commonProblems(400, 404, 503),
  502: { description: 'LOG_VERIFICATION_FAILED: the log did not verify', schema: VerificationProblem },
};
const READ_HEADERS = {
  'X-Read-Model-Version': 'with minVersion: the version the read model had',
  ETag: 'the account version',
};

const StreamEvent = z.object({
  accountId: z.string().optional().meta({ description: "an account's event: the account" }),
  transferId: z.string().optional().meta({ description: "a transfer's own event, or an account's transfer movement" }),
  type: z.string(),
  version: z.number().int().meta({ description: "the event's version in its stream" }),
  occurredAt: z.string(),
  data: z
    .unknown()
    .meta({ description: "the event's data as stored in the log (amounts in minor units, as in the audit trail)" }),
});
const Check = z.object({
  name: z.string(),
  ok: z.boolean(),
  details: z.unknown().optional(),
  error: z.string().optional(),
});
const OperationsStatus = z.object({
  checkedAt: z.string(),
  apps: z.array(
    z.object({
      appId: z.enum(APPS),
      ready: z.boolean(),
      checks: z.array(Check).optional().meta({ description: "the app's own /readyz checks" }),
      error: z.string().optional().meta({ description: 'when the app did not answer' }),
    }),
  ),
  projection: z
    .object({
      behindEvents: z.number().int(),
      behindMs: z.number(),
      appliedTx: z.number().int(),
      headTx: z.number().int(),
      generation: z.number().int(),
      measuredAt: z.string().nullable(),
    })
    .passthrough()
    .nullable()
    .meta({ description: 'how far the read model is behind the log; null when the projections app did not answer' }),
});

export const QUERY_ROUTES: RouteDoc[] = [
  {
    method: 'get',
    path: '/api/v1/stream',
    roles: READERS,
    summary: 'The live event stream (Server-Sent Events)',
    description:
      'One SSE event per event committed to the log from now on: `id:` its global log position (ImmuDB transaction × 10 000 + its index in that transaction), `event:` its type, `data:` one line of JSON (schema below). Reconnect with the `Last-Event-ID` header to resume after that position with nothing skipped or repeated (400 when it is after the end of the log). With accountId, only the events of that account and of the transfers touching it. A customer sees its own accounts only (404 for any other account). A comment line `: keep-alive` every 15 s keeps idle connections open; `retry:` suggests the reconnection delay. A client that stops reading is disconnected rather than buffered for; at most 10 open streams per caller (429).',
    query: StreamQuery,
    headers: [{ name: 'Last-Event-ID', description: 'resume after this log position (an id this stream sent)' }],
    responses: {
      200: {
        description: 'the stream; each data line is one StreamEvent',
        schema: StreamEvent,
        mediaType: 'text/event-stream',
      },
      ...commonProblems(400, 404, 429, 503),
    },
  },
  {
    method: 'get',
    path: '/api/v1/operations/status',
    roles: STAFF,
    summary: "Each app's readiness and the read model's lag behind the log",
    description:
      "Asks every app's /readyz through Dapr (at most 3 s each; an answer is reused for 1 s). projection is the projections app's own measure of its lag.",
    responses: { 200: { description: 'the status', schema: OperationsStatus } },
  },
  {
    method: 'get',
    path: '/api/v1/accounts',
    roles: READERS,
    summary: 'List accounts, filtered by owner, status and currency',
    description:
      "Ordered by accountId; pass nextCursor back as cursor for the next page. A customer's list holds its own accounts only.",
    query: AccountListQuery,
    responses: { 200: { description: 'one page', schema: AccountPage }, ...commonProblems(400) },
  },
  {
    method: 'get',
    path: '/api/v1/accounts/{accountId}/summary',
    roles: READERS,
    summary: "An account's totals",
    pathParams: { accountId: IdSchema },
    query: AccountQuery,
    responses: {
      200: { description: 'the summary', schema: Summary, headers: READ_HEADERS },
      ...commonProblems(400, 404, 504),
    },
  },
  {
    method: 'get',
    path: '/api/v1/accounts/{accountId}/daily-balances',
    roles: READERS,
    summary: 'Opening and closing balance, credits and debits for each UTC day',
    description:
      'Every day from from (default: 29 days before to) to to (default: today), at most 366, starting no earlier than the day the account was opened; days without movements carry the balance.',
    pathParams: { accountId: IdSchema },
    query: DailyBalancesQuery,
    responses: {
      200: { description: 'one item per day', schema: DailyBalances, headers: READ_HEADERS },
      ...commonProblems(400, 404, 504),
    },
  },
  {
    method: 'get',
    path: '/api/v1/accounts/{accountId}/balance-at',
    roles: READERS,
    summary: 'The balance as of an instant, read from the event log',
    description:
      'version is that of the last event at or before timestamp. Found by binary search over the log (logarithmic in the number of events), not from the read model.',
    pathParams: { accountId: IdSchema },
    query: BalanceAtQuery,
    responses: {
      200: {
        description: 'the balance then',
        schema: z.object({
          accountId: z.string(),
          currency: z.string(),
          balance: Money,
          version: z.number().int(),
          at: z.string(),
        }),
      },
      ...commonProblems(400, 404, 503),
    },
  },
  {
    method: 'get',
    path: '/api/v1/accounts/{accountId}/events',
    roles: AUDITORS,
    summary: "The account's audit trail, read from the ImmuDB log with cryptographic proofs",
    description:
      'Events in version order from fromVersion (default 1), at most limit (default 50, max 500), read from the log itself (not the read model). Every item comes with its ImmuDB inclusion proof and the state with its consistency proof, all checked by event-source before answering (see verification). If any check fails the answer is 502 LOG_VERIFICATION_FAILED with verification.verified false and the reason in verification.failure, and no items: unverified entries are never returned. A fromVersion past the end gives an empty, verified page.',
    pathParams: { accountId: IdSchema },
    query: EventsQuery,
    responses: AUDIT_RESPONSES,
  },
  {
    method: 'get',
    path: '/api/v1/transfers/{transferId}/events',
    roles: AUDITORS,
    summary: "The transfer's own audit trail: the steps that decided it, from the ImmuDB log with proofs",
    description:
      "Each step of a transfer commits the account events and one event of the transfer's own stream in one log transaction: TransferStarted (with the debit), TransferCreditRecorded or TransferCreditRefused (with the credit, or the destination's refusal), then TransferCompleted (with the settle) or TransferFailed (with the refund). Paged and verified exactly as an account's audit trail. 404 TRANSFER_NOT_FOUND when the log has no step of it (a refused transfer leaves none).",
    pathParams: { transferId: IdSchema },
    query: EventsQuery,
    responses: AUDIT_RESPONSES,
  },
  {
    method: 'get',
    path: '/api/v1/reports/top-accounts',
    roles: STAFF,
    summary: 'Accounts with the highest balance in one currency',
    description:
      'A ranking as of at most about a second before the request, read from the ranking the projections fold from the log (X-Books-Log-Position gives its log transaction); when that ranking cannot tell the first `limit` accounts, from a scan of every account of the currency, run at most once a second per currency (SCAN_MIN_INTERVAL_MS), whose result serves the requests of that second.',
    query: TopAccountsQuery,
    responses: { 200: { description: 'highest balance first', schema: TopAccounts }, ...commonProblems(400) },
  },
  {
    method: 'get',
    path: '/api/v1/accounts/{accountId}',
    roles: READERS,
    summary: 'Read an account',
    description:
      'Eventually consistent. With minVersion=N the server waits up to 5 s for the read model to reach version N.',
    pathParams: { accountId: IdSchema },
    query: AccountQuery,
    responses: {
      200: { description: 'the account', schema: Account, headers: READ_HEADERS },
      ...commonProblems(400, 404, 504),
    },
  },
  {
    method: 'get',
    path: '/api/v1/accounts/{accountId}/transactions',
    roles: READERS,
    summary: "List an account's transactions",
    description:
      "Newest first by default; pass nextCursor back as cursor for the next page, until it is null. from/to are ISO 8601 instants (inclusive); minAmount/maxAmount are decimal strings in the account currency (inclusive). With a type or amount filter, one request examines at most 1 024 transactions: a page that is not full by then ends early, possibly empty, with a nextCursor that continues where it stopped. 503 while the account's history is moved to a new read-model layout (retry).",
    pathParams: { accountId: IdSchema },
    query: TransactionsQuery,
    responses: { 200: { description: 'one page', schema: TransactionPage }, ...commonProblems(400, 404, 503, 504) },
  },
  {
    method: 'get',
    path: '/api/v1/transfers/{transferId}',
    roles: READERS,
    summary: 'Read a transfer',
    description:
      'From the read model; a transfer accepted a moment ago that it has not seen yet is read from its own stream in the event log (never from an actor). A customer sees the transfers into or out of its own accounts (404 for any other).',
    pathParams: { transferId: IdSchema },
    responses: { 200: { description: 'the transfer', schema: TransferFields }, ...commonProblems(400, 404, 503) },
  },
  {
    method: 'get',
    path: '/api/v1/ledger/trial-balance',
    roles: AUDITORS,
    summary: 'Double-entry check of the whole ledger in one currency',
    description:
      'Every movement posts equal and opposite amounts: deposits and withdrawals against the external clearing account, transfers through the transit account. total is "0" and balanced is true whenever the books are right, including while transfers are in flight; an account whose recorded balance disagrees with its own movements makes total that difference. Read from totals the projections fold from the log, so it costs the same at any number of accounts; it is as of the log transaction the read model has applied (about a second old at most when it keeps up), given in the X-Books-Log-Position header. 503 until the projections have folded the books once (just after a first start).',
    query: TrialBalanceQuery,
    responses: { 200: { description: 'the sums', schema: TrialBalance }, ...commonProblems(400, 503) },
  },
];

export const queryApiDocument = () =>
  openApiDocument(
    {
      title: 'Core banking: query API',
      version: '1.0.0',
      description: 'Reads from the MongoDB read model, which the projections keep up to date from the event log.',
    },
    QUERY_ROUTES,
  );
