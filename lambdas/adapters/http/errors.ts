// Maps errors to JSON answers: `{"error":{"code","message","details"?}}`, never a stack trace or a raw SDK error.
import type { Context } from 'hono';
import { z } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import { DomainError, type ErrorKind } from '../../core/shared/errors.js';
import { logger } from '../observability.js';

/** The HTTP status of each kind of domain error (shared by the JSON API and the pages). */
export const statusOfKind: Record<ErrorKind, 301 | 400 | 401 | 403 | 404 | 409 | 410 | 413 | 429 | 503> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  notFound: 404,
  conflict: 409,
  tooLarge: 413,
  rateLimited: 429,
  unavailable: 503,
  moved: 301,
  gone: 410,
};

/** The one OpenAPI schema of every error answer (the shape errorBody builds). */
export const ErrorSchema = z
  .object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) })
  .openapi('Error');

export function errorBody(code: string, message: string, details?: unknown) {
  return { error: { code, message, ...(details === undefined ? {} : { details }) } };
}

export function handleError(error: Error, c: Context): Response {
  if (error instanceof DomainError) {
    const location = error.kind === 'moved' ? (error.details as { location?: string } | undefined)?.location : undefined;
    if (location) c.header('location', location);
    return c.json(errorBody(error.code, error.message, error.details), statusOfKind[error.kind]);
  }
  if (error instanceof HTTPException) {
    const status = error.status;
    const code = status === 413 ? 'request.tooLarge' : status === 401 ? 'auth.required' : 'request.invalid';
    return c.json(errorBody(code, error.message || 'The request could not be handled.'), status);
  }
  logger.error('unhandled error', { errorName: error.name, error: error.message });
  return c.json(errorBody('internal', 'Something went wrong on our side; try again in a moment.'), 500);
}
