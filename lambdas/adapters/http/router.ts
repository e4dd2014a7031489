// Every route module starts from newRouter(): an OpenAPIHono whose schema-validation failures answer like every other
// error (a code and a message), and whose routes land in /api/openapi.json.
import { OpenAPIHono, type z } from '@hono/zod-openapi';
import { errorBody } from './errors.js';
import { DomainError } from '../../core/shared/errors.js';

function describeIssues(error: z.ZodError) {
  const issues = error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  const first = issues[0];
  return { message: first ? `${first.path || 'body'}: ${first.message}` : 'Invalid request.', issues };
}

export function newRouter() {
  return new OpenAPIHono({
    defaultHook: (result, c) => {
      if (!result.success) {
        const { message, issues } = describeIssues(result.error);
        return c.json(errorBody('request.invalid', message, issues), 400);
      }
    },
  });
}

/** A form that failed its schema: the `request.invalid` error the route would answer with (English message, details
 *  `{path, message}`), and beside them the schema's own issues (with the values typed), for the console to word in
 *  the editor's language (views/validation.ts). The issues never reach a JSON answer. */
export class RequestInvalid extends DomainError {
  constructor(
    message: string,
    details: Array<{ path: string; message: string }>,
    readonly issues: readonly z.core.$ZodIssue[],
  ) {
    super('invalid', 'request.invalid', message, { details });
  }
}

/** Checks a value against a route's schema outside a route (the editor console's forms): the same rules, and the same
 *  `request.invalid` error the route would answer with. */
export function validated<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  const { message, issues } = describeIssues(result.error);
  throw new RequestInvalid(message, issues, result.error.issues);
}
