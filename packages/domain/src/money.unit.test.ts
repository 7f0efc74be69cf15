import fc from 'fast-check';
import { DomainError } from './errors';
import {
  parseAmountField,
  addMinor,
  CURRENCIES,
  exponentOf,
  formatMinor,
  MoneyFormatError,
  MoneyOverflowError,
  parseMajor,
  subtractMinor,
  type Currency,
} from './money';

describe('parseMajor', () => {
  it.each([
    ['12.34', 'USD', 1234],
    ['12.3', 'USD', 1230],
    ['12', 'USD', 1200],
    ['0.01', 'EUR', 1],
    ['1500', 'JPY', 1500],
    ['1.250', 'KWD', 1250],
    ['0', 'GBP', 0],
    ['1000000000', 'CHF', 100_000_000_000],
  ] as const)('reads %s %s as %d minor units', (text, currency, minor) => {
    expect(parseMajor(text, currency)).toBe(minor);
  });

  it.each(['1e3', '-5', ' 5', '5 ', '5.', '.5', '+5', '05', '1,00', '', '0x10', 'NaN', 'Infinity', '1_000'])(
    'rejects %j',
    (text) => {
      expect(() => parseMajor(text, 'USD')).toThrow(MoneyFormatError);
    },
  );

  it('rejects more fraction digits than the currency has', () => {
    expect(() => parseMajor('0.001', 'USD')).toThrow(MoneyFormatError);
    expect(() => parseMajor('1.5', 'JPY')).toThrow(MoneyFormatError);
    expect(() => parseMajor('1.0001', 'KWD')).toThrow(MoneyFormatError);
  });

  it('rejects amounts beyond exact integer range', () => {
    expect(() => parseMajor('99999999999999999999', 'USD')).toThrow(MoneyOverflowError);
  });
});

describe('formatMinor', () => {
  it.each([
    [1230, 'USD', '12.30'],
    [5, 'USD', '0.05'],
    [-5, 'USD', '-0.05'],
    [0, 'KWD', '0.000'],
    [1500, 'JPY', '1500'],
    [-123456, 'KWD', '-123.456'],
  ] as const)('prints %d %s as %s', (minor, currency, text) => {
    expect(formatMinor(minor, currency)).toBe(text);
  });
});

const currency = fc.constantFrom(...CURRENCIES);

describe('money properties', () => {
  it('format then parse gives back the same minor units', () => {
    fc.assert(
      fc.property(currency, fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (c: Currency, minor) => {
        expect(parseMajor(formatMinor(minor, c), c)).toBe(minor);
      }),
    );
  });

  it('formatted amounts always carry exactly the currency exponent of fraction digits', () => {
    fc.assert(
      fc.property(currency, fc.integer({ min: -1e12, max: 1e12 }), (c: Currency, minor) => {
        const fraction = formatMinor(minor, c).split('.')[1] ?? '';
        expect(fraction.length).toBe(exponentOf(c));
      }),
    );
  });

  it('addition and subtraction are exact or refuse, never silently rounded', () => {
    const big = fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });
    fc.assert(
      fc.property(big, big, (a, b) => {
        const exact = BigInt(a) + BigInt(b);
        const safe = exact <= BigInt(Number.MAX_SAFE_INTEGER) && exact >= BigInt(-Number.MAX_SAFE_INTEGER);
        if (safe) expect(BigInt(addMinor(a, b))).toBe(exact);
        else expect(() => addMinor(a, b)).toThrow(MoneyOverflowError);
        const diff = BigInt(a) - BigInt(b);
        const safeDiff = diff <= BigInt(Number.MAX_SAFE_INTEGER) && diff >= BigInt(-Number.MAX_SAFE_INTEGER);
        if (safeDiff) expect(BigInt(subtractMinor(a, b))).toBe(diff);
        else expect(() => subtractMinor(a, b)).toThrow(MoneyOverflowError);
      }),
    );
  });
});

describe('parseAmountField', () => {
  it("parses a request's amount in its currency", () => {
    expect(parseAmountField('10.5', 'USD', 'body.amount')).toBe(1050);
  });

  it('refuses a malformed or too large amount as VALIDATION_FAILED at its path', () => {
    for (const [text, path] of [
      ['0.001', 'body.amount'],
      ['1e3', 'query.minAmount'],
      ['99999999999999999999', 'body.initialDeposit'],
    ] as const) {
      let err: unknown;
      try {
        parseAmountField(text, 'USD', path);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(DomainError);
      expect(err).toMatchObject({ code: 'VALIDATION_FAILED', path });
      expect((err as DomainError).message.startsWith(`${path.split('.')[1]}: `)).toBe(true);
    }
  });
});
