import { DomainError, ERROR_STATUS, type ErrorCode } from '@bank/domain';
import type { Response } from 'express';

export type FieldError = { path: string; message: string };

/** An error that becomes an RFC 9457 problem details response with a contract code. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly errors?: FieldError[],
  ) {
    super(message);
    this.status = ERROR_STATUS[code];
  }

  static from(err: unknown): ApiError {
    if (err instanceof ApiError) return err;
    if (err instanceof DomainError) {
      return new ApiError(err.code, err.message, err.path ? [{ path: err.path, message: err.message }] : undefined);
    }
    return new ApiError('INTERNAL_ERROR', 'internal error');
  }
}

export type Problem = {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  errors?: FieldError[];
};

export function toProblem(err: ApiError): Problem {
  return {
    type: `/problems/${err.code.toLowerCase().replaceAll('_', '-')}`,
    title: titleOf(err.code),
    status: err.status,
    detail: err.message,
    code: err.code,
    ...(err.errors ? { errors: err.errors } : {}),
  };
}

/** Answers with the error as a problem document; `extra` members are added to it. */
export function sendProblem(res: Response, err: ApiError, extra: Record<string, unknown> = {}): void {
  const problem = toProblem(err);
  res
    .status(problem.status)
    .type('application/problem+json')
    .json({ ...problem, ...extra });
}

function titleOf(code: ErrorCode): string {
  const words = code.toLowerCase().split('_');
  return words.map((w, i) => (i === 0 ? w[0]!.toUpperCase() + w.slice(1) : w)).join(' ');
}
