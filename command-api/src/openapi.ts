import { commonProblems, openApiDocument, type RouteDoc } from '@bank/service-kit';
import { AccountFields, TransferFields, MoneyText } from '@bank/contracts';
import { AccountStatusSchema } from '@bank/domain';
import { z } from 'zod';
import { COMMANDERS } from './routes';
import { AccountIdParam, EmptyBody, FreezeBody, MoneyMovementBody, OpenAccountBody, TransferBody } from './schemas';

const Money = MoneyText;
const AccountCreated = AccountFields;
const Transaction = z.object({
  transactionId: z.string(),
  accountId: z.string(),
  type: z.enum(['DEPOSIT', 'WITHDRAWAL']),
  amount: Money,
  currency: z.string(),
  balance: Money.meta({ description: 'balance right after this transaction' }),
  version: z.number().int(),
  occurredAt: z.string(),
});
const TransferAccepted = TransferFields.omit({ description: true, completedAt: true });
const StatusChanged = z.object({
  accountId: z.string(),
  status: AccountStatusSchema,
  version: z.number().int(),
});

const COMMAND_HEADERS = [
  {
    name: 'Idempotency-Key',
    description: '1-255 printable ASCII; a retry with the same key and body replays the first answer',
  },
  { name: 'If-Match', description: 'quoted account version, e.g. "3"; the command applies only at that version' },
  { name: 'X-Correlation-Id', description: 'echoed on the response and recorded in the events' },
];
const REPLAY = {
  'Idempotent-Replayed': 'true when this is the stored answer to an earlier request with the same key',
  ETag: 'the account version',
};
const accountPath = { accountId: AccountIdParam };

export const COMMAND_ROUTES: RouteDoc[] = [
  {
    method: 'post',
    path: '/api/v1/accounts',
    summary: 'Open an account',
    description:
      'A non-zero initialDeposit is recorded as its own deposit. Without accountId the server generates one (derived from the Idempotency-Key when one is given, so retries reach the same account). A customer opens accounts only in its own name (ownerId = the token subject; otherwise 403).',
    headers: COMMAND_HEADERS,
    body: OpenAccountBody,
    responses: {
      201: { description: 'opened', schema: AccountCreated, headers: { ...REPLAY, Location: 'the account URL' } },
      ...commonProblems(400, 409, 412, 413, 422, 503),
    },
  },
  ...(['deposits', 'withdrawals'] as const).map((kind): RouteDoc => ({
    method: 'post',
    path: `/api/v1/accounts/{accountId}/${kind}`,
    summary: kind === 'deposits' ? 'Deposit money' : 'Withdraw money',
    description:
      kind === 'withdrawals'
        ? 'Refused with INSUFFICIENT_FUNDS when the balance would go below -overdraftLimit.'
        : undefined,
    pathParams: accountPath,
    headers: COMMAND_HEADERS,
    body: MoneyMovementBody,
    responses: {
      201: { description: 'applied', schema: Transaction, headers: REPLAY },
      ...commonProblems(400, 404, 412, 413, 422, 503),
    },
  })),
  ...(
    [
      [
        'freeze',
        'Freeze an account (deposits, withdrawals and transfers are refused); freezing a frozen account changes nothing',
        FreezeBody,
      ],
      ['unfreeze', 'Unfreeze an account; unfreezing an active account changes nothing', EmptyBody],
      ['close', 'Close an account with a zero balance; a frozen account must be unfrozen first', EmptyBody],
    ] as const
  ).map(([action, summary, body]): RouteDoc => ({
    method: 'post',
    path: `/api/v1/accounts/{accountId}/${action}`,
    summary,
    pathParams: accountPath,
    headers: COMMAND_HEADERS,
    body,
    responses: {
      200: { description: 'the account status', schema: StatusChanged, headers: REPLAY },
      ...commonProblems(400, 404, 412, 413, 422, 503),
    },
  })),
  {
    method: 'post',
    path: '/api/v1/transfers',
    summary: 'Transfer money between two accounts of the same currency',
    description: [
      'Exactly once: the source is debited into a transit account, then the destination is credited; if the credit',
      'is refused (the destination is frozen or closed) the money returns to the source and the transfer ends FAILED',
      'with that failureCode. Unknown accounts, a currency mismatch, the same account on both sides, a frozen or',
      'closed source and insufficient funds are answered at once with their error, and nothing moves.',
      'The answer says how far the transfer got (usually COMPLETED or FAILED already); GET /api/v1/transfers/{transferId}',
      'on the query API follows it. Idempotent by transferId (the same details again answer with the transfer;',
      'other details answer 409 TRANSFER_ALREADY_EXISTS) and by Idempotency-Key (without transferId, the id is',
      'derived from the key). A customer transfers only from its own accounts (to any account).',
    ].join(' '),
    headers: COMMAND_HEADERS.filter((h) => h.name !== 'If-Match'),
    body: TransferBody,
    responses: {
      202: {
        description: 'accepted',
        schema: TransferAccepted,
        headers: {
          'Idempotent-Replayed': 'true when this answers a repeated request for the same transfer',
          Location: 'the transfer URL (query API)',
        },
      },
      ...commonProblems(400, 404, 409, 413, 422, 503),
    },
  },
];

export const commandApiDocument = () =>
  openApiDocument(
    {
      title: 'Core banking: command API',
      version: '1.0.0',
      description:
        'Writes. Each account is a Dapr virtual actor; every change is an event in an ImmuDB log. Errors are RFC 9457 problem details.',
    },
    COMMAND_ROUTES.map((route) => ({ ...route, roles: COMMANDERS })),
  );
