// Editor authentication for the JSON API: `Authorization: Bearer <editor token>`, compared in constant time. A token
// that is presented but wrong counts towards the limit on guessing it (./sign-in-limit.ts), as a console sign-in does.
import type { MiddlewareHandler } from 'hono';
import { timingSafeEqual, createHash } from 'node:crypto';
import { errorBody } from '../errors.js';
import { clientIp } from '../client-ip.js';
import type { SignInLimit } from './sign-in-limit.js';

const digest = (value: string) => createHash('sha256').update(value).digest();

export function tokenMatches(given: string | undefined, expected: string | undefined): boolean {
  if (!given || !expected) return false;
  return timingSafeEqual(digest(given), digest(expected));
}

export function requireEditor(editorToken: string | undefined, limit?: SignInLimit): MiddlewareHandler {
  const refused = { body: errorBody('auth.required', 'This needs the editor token: send "Authorization: Bearer <token>".'), status: 401 as const };
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    if (!token || !editorToken) return c.json(refused.body, refused.status);
    const ip = clientIp(c);
    // Checked before the token: while the limit holds, a right guess is refused like a wrong one.
    const wait = await limit?.blockedFor(ip);
    if (wait !== undefined) {
      c.header('Retry-After', String(wait));
      return c.json(errorBody('auth.tooManyAttempts', `Too many wrong editor tokens; try again in ${wait} s.`), 429);
    }
    if (!tokenMatches(token, editorToken)) {
      await limit?.failed(ip, 'api');
      return c.json(refused.body, refused.status);
    }
    await next();
  };
}
