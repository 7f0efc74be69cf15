import { AccountEventsMessageSchema, eventsOf, MAX_EVENTS_PER_MESSAGE } from './event-log';

const event = (version: number) => ({
  eventId: '00000000-0000-4000-8000-00000000000' + (version % 10),
  streamId: 'acc-1',
  version,
  type: 'MoneyDeposited',
  schemaVersion: 3,
  data: { transactionId: 't', amount: '100', description: null, balanceAfter: '100' },
  metadata: { correlationId: 'c' },
  occurredAt: '2026-12-05T10:00:00.000Z',
  logTx: 7,
  logIndex: version - 1,
});

describe('messages on the account-events topic', () => {
  it('carry the relay’s events in log order', () => {
    const message = AccountEventsMessageSchema.parse({ events: [event(1), event(2)] });
    expect(eventsOf(message).map((e) => e.version)).toEqual([1, 2]);
  });

  it('still understand a single event, as earlier relays published it', () => {
    expect(eventsOf(AccountEventsMessageSchema.parse(event(3))).map((e) => e.version)).toEqual([3]);
  });

  it('refuse an empty batch, an oversized one and an event without its log position', () => {
    expect(AccountEventsMessageSchema.safeParse({ events: [] }).success).toBe(false);
    const tooMany = Array.from({ length: MAX_EVENTS_PER_MESSAGE + 1 }, (_, i) => event(i + 1));
    expect(AccountEventsMessageSchema.safeParse({ events: tooMany }).success).toBe(false);
    const { logTx: _logTx, ...unplaced } = event(1);
    expect(AccountEventsMessageSchema.safeParse({ events: [unplaced] }).success).toBe(false);
  });
});
