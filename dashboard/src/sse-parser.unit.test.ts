import { SseParser } from './sse-parser';
import { toStreamEvent } from './stream';

describe('the event-stream parser', () => {
  it('dispatches on a blank line, with the id, type and data of the message', () => {
    const p = new SseParser();
    expect(p.push('id: 42\nevent: MoneyDeposited\ndata: {"a":1}\n\n')).toEqual([
      { id: '42', event: 'MoneyDeposited', data: '{"a":1}' },
    ]);
  });

  it('joins messages split anywhere across chunks, CRLF included, and skips keep-alive comments', () => {
    const p = new SseParser();
    const text = ': keep-alive\r\n\r\nid: 7\r\nevent: AccountOpened\r\ndata: {"x":\r\ndata: 2}\r\n\r\n';
    const out = [...text].flatMap((ch) => p.push(ch));
    expect(out).toEqual([{ id: '7', event: 'AccountOpened', data: '{"x":\n2}' }]);
  });

  it('keeps the last id for messages that carry none, and names untyped messages "message"', () => {
    const p = new SseParser();
    expect(p.push('id: 9\ndata: a\n\ndata: b\n\n')).toEqual([
      { id: '9', event: 'message', data: 'a' },
      { id: '9', event: 'message', data: 'b' },
    ]);
  });

  it('turns a message into a stream event, and ignores one whose data is not JSON', () => {
    const data = JSON.stringify({ accountId: 'a1', type: 'MoneyDeposited', version: 3, occurredAt: 't', data: {} });
    expect(toStreamEvent('12', 'MoneyDeposited', data)).toEqual({
      position: '12',
      type: 'MoneyDeposited',
      accountId: 'a1',
      transferId: undefined,
      version: 3,
      occurredAt: 't',
      data: {},
    });
    expect(toStreamEvent('13', 'x', 'not json')).toBeUndefined();
  });
});
