/**
 * Exact money. Amounts are integer numbers of minor units (cents, fils, yen) held in
 * a JavaScript number that is always a safe integer; every arithmetic step is checked.
 * Decimal strings in the currency's major unit exist only at the edges (HTTP).
 */

import { DomainError } from './errors';

/** ISO 4217 minor-unit exponents of the supported currencies. */
export const CURRENCY_EXPONENTS = {
  USD: 2,
  EUR: 2,
  GBP: 2,
  CHF: 2,
  JPY: 0,
  KWD: 3,
} as const;

export type Currency = keyof typeof CURRENCY_EXPONENTS;
export const CURRENCIES = Object.keys(CURRENCY_EXPONENTS) as Currency[];

/** Integer number of minor units. */
export type Minor = number;

/** Largest amount of a single operation, in major units (contract: <= 1 000 000 000). */
export const MAX_OPERATION_MAJOR = 1_000_000_000;

export function isCurrency(value: string): value is Currency {
  return Object.prototype.hasOwnProperty.call(CURRENCY_EXPONENTS, value);
}

export function exponentOf(currency: Currency): number {
  return CURRENCY_EXPONENTS[currency];
}

export class MoneyFormatError extends Error {
  override readonly name = 'MoneyFormatError';
}

export class MoneyOverflowError extends Error {
  override readonly name = 'MoneyOverflowError';
}

const DECIMAL = /^(0|[1-9][0-9]*)(?:\.([0-9]+))?$/;

/**
 * Parses a non-negative decimal string in major units into minor units. Rejects
 * signs, exponents, whitespace, a bare trailing dot, and more fraction digits than
 * the currency has.
 */
export function parseMajor(text: string, currency: Currency): Minor {
  const match = DECIMAL.exec(text);
  if (!match) throw new MoneyFormatError(`"${text}" is not a plain decimal number`);
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  const exponent = exponentOf(currency);
  if (fraction.length > exponent) {
    throw new MoneyFormatError(
      exponent === 0 ? `${currency} has no fraction digits` : `${currency} allows at most ${exponent} fraction digits`,
    );
  }
  if (whole.length > 16) throw new MoneyOverflowError(`"${text}" is too large`);
  const minor = Number(whole + fraction.padEnd(exponent, '0'));
  if (!Number.isSafeInteger(minor)) throw new MoneyOverflowError(`"${text}" is too large`);
  return minor;
}

/**
 * An amount a caller sent in a request field: a malformed or too large one is the caller's
 * VALIDATION_FAILED at `path` (such as "body.amount" or "query.minAmount").
 */
export function parseAmountField(text: string, currency: Currency, path: string): Minor {
  try {
    return parseMajor(text, currency);
  } catch (err) {
    if (err instanceof MoneyFormatError || err instanceof MoneyOverflowError) {
      throw new DomainError('VALIDATION_FAILED', `${path.slice(path.indexOf('.') + 1)}: ${err.message}`, path);
    }
    throw err;
  }
}

/** Formats minor units as a decimal string in major units with all minor digits. */
export function formatMinor(minor: Minor | bigint, currency: Currency): string {
  // bigint: sums over many accounts (the trial balance), which may go beyond 2^53.
  if (typeof minor === 'number') assertSafe(minor);
  const exponent = exponentOf(currency);
  const negative = minor < 0;
  const sign = negative ? '-' : '';
  const digits = String(negative ? -minor : minor);
  if (exponent === 0) return sign + digits;
  const padded = digits.padStart(exponent + 1, '0');
  return `${sign}${padded.slice(0, -exponent)}.${padded.slice(-exponent)}`;
}

/** The per-operation limit in minor units for a currency. */
export function maxOperationMinor(currency: Currency): Minor {
  return MAX_OPERATION_MAJOR * 10 ** exponentOf(currency);
}

export function addMinor(a: Minor, b: Minor): Minor {
  return assertSafe(a + b);
}

export function subtractMinor(a: Minor, b: Minor): Minor {
  return assertSafe(a - b);
}

function assertSafe(value: number): Minor {
  if (!Number.isSafeInteger(value)) {
    throw new MoneyOverflowError(`${value} is outside the exact integer range`);
  }
  return value;
}
