// Editor authentication for the JSON API: `Authorization: Bearer <editor token>`, compared in constant time.
import type { MiddlewareHandler } from 'hono';
import { timingSafeEqual, createHash } from 'node:crypto';
import { errorBody } from '../errors.js';

const digest = (value: string) => createHash('sha256').update(value).digest();

export function tokenMatches(given: string | undefined, expected: string | undefined): boolean {
  if (!given || !expected) return false;
  return timingSafeEqual(digest(given), digest(expected));
}

export function requireEditor(editorToken: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    if (!tokenMatches(token, editorToken)) {
      return c.json(errorBody('auth.required', 'This needs the editor token: send "Authorization: Bearer <token>".'), 401);
    }
    await next();
  };
}
