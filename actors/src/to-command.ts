import { DomainError, type AccountCommand, type AccountState, type Currency, parseAmountField } from '@bank/domain';
import { type AccountActorRequest } from '@bank/contracts';

/**
 * Turns the actor's wire request into a domain command. Amounts are parsed here because only
 * the account knows its currency, and so its number of fraction digits.
 */
export function toCommand(
  request: AccountActorRequest,
  accountId: string,
  state: AccountState,
  newId: () => string,
): AccountCommand {
  switch (request.type) {
    case 'OpenAccount':
      return {
        type: 'OpenAccount',
        data: {
          accountId,
          ownerId: request.ownerId,
          ownerName: request.ownerName,
          accountType: request.accountType,
          currency: request.currency,
          initialDeposit: amount(request.initialDeposit, request.currency, 'initialDeposit'),
          overdraftLimit: amount(request.overdraftLimit, request.currency, 'overdraftLimit'),
          initialTransactionId: newId(),
        },
      };
    case 'Deposit':
    case 'Withdraw': {
      if (state.status === 'NONE') throw new DomainError('ACCOUNT_NOT_FOUND', `account ${accountId} does not exist`);
      const data = {
        transactionId: request.transactionId,
        amount: amount(request.amount, state.currency, 'amount'),
        description: request.description ?? null,
      };
      return request.type === 'Deposit' ? { type: 'DepositMoney', data } : { type: 'WithdrawMoney', data };
    }
    case 'Freeze':
      return { type: 'FreezeAccount', data: { reason: request.reason ?? null } };
    case 'Unfreeze':
      return { type: 'UnfreezeAccount', data: {} };
    case 'Close':
      return { type: 'CloseAccount', data: {} };
  }
}

const amount = (text: string, currency: Currency, field: string): number =>
  parseAmountField(text, currency, `body.${field}`);
