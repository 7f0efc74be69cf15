/** The stable error codes of the public API (docs/api.md), each with its HTTP status. */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  ACCOUNT_NOT_FOUND: 404,
  TRANSFER_NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  ACCOUNT_ALREADY_EXISTS: 409,
  TRANSFER_ALREADY_EXISTS: 409,
  VERSION_CONFLICT: 412,
  PAYLOAD_TOO_LARGE: 413,
  INSUFFICIENT_FUNDS: 422,
  ACCOUNT_FROZEN: 422,
  ACCOUNT_CLOSED: 422,
  ACCOUNT_BALANCE_NOT_ZERO: 422,
  CURRENCY_MISMATCH: 422,
  SAME_ACCOUNT_TRANSFER: 422,
  IDEMPOTENCY_KEY_REUSED: 422,
  RATE_LIMITED: 429,
  INTERNAL_ERROR: 500,
  LOG_VERIFICATION_FAILED: 502,
  SERVICE_UNAVAILABLE: 503,
  READ_MODEL_LAGGING: 504,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** A business rule said no. Carries a contract code; never a crash. */
export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** For VALIDATION_FAILED: the request field at fault, e.g. "body.amount". */
    readonly path?: string,
  ) {
    super(message);
  }
}
