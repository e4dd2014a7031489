// Editor sessions for the console pages. The check is a port (`EditorSessions`) so the app can verify a different
// proof in AWS (a Cognito ID token in a cookie, checked against the user pool's JWKS; see docs/pages.md) without
// touching the pages. The local implementation signs a small session value with HMAC-SHA256; the raw editor token is
// only ever compared at sign-in and never stored in the cookie or written into a page.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie, setCookie, deleteCookie } from 'hono/cookie';
import type { Clock } from '../../../core/ports.js';
import { tokenMatches } from '../auth.js';

export interface EditorIdentity {
  /** Who signed in: "editor" for the shared local token, the user's id with Cognito. */
  subject: string;
  /** Per-session secret that CSRF tokens are derived from. */
  sessionId: string;
}

export interface EditorSessions {
  /** The signed-in editor, or undefined. */
  verify(c: Context): Promise<EditorIdentity | undefined>;
  /** Checks a sign-in attempt and, when it is good, sets the session cookie. */
  signIn(c: Context, credential: string): Promise<boolean>;
  signOut(c: Context): void;
}

export const sessionCookieName = 'editor_session';
export const sessionLifetimeMs = 8 * 3600 * 1000;

const b64 = (buf: Buffer) => buf.toString('base64url');

/** Whether the request reached us over https (directly, or through API Gateway/CloudFront). */
export function isHttps(c: Context): boolean {
  return new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https';
}

/** Local sessions: `v1.<expiresAtMs>.<sessionId>.<hmac>`; the key is derived from the signing secret and the editor
 *  token, so rotating either signs everyone out. */
export function createLocalEditorSessions(options: { editorToken?: string; signingSecret?: string; clock: Clock }): EditorSessions {
  const key = createHash('sha256')
    .update(`editor-session\0${options.signingSecret ?? ''}\0${options.editorToken ?? ''}`)
    .digest();
  const mac = (payload: string) => b64(createHmac('sha256', key).update(payload).digest());

  const issue = (now: Date) => {
    const payload = `v1.${now.getTime() + sessionLifetimeMs}.${b64(randomBytes(18))}`;
    return `${payload}.${mac(payload)}`;
  };

  const check = (value: string | undefined, now: Date): EditorIdentity | undefined => {
    if (!value || !options.editorToken) return undefined;
    const parts = value.split('.');
    if (parts.length !== 4 || parts[0] !== 'v1') return undefined;
    const payload = parts.slice(0, 3).join('.');
    const given = Buffer.from(parts[3]!);
    const wanted = Buffer.from(mac(payload));
    if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) return undefined;
    const expires = Number(parts[1]);
    if (!Number.isFinite(expires) || expires <= now.getTime()) return undefined;
    return { subject: 'editor', sessionId: parts[2]! };
  };

  return {
    async verify(c) {
      return check(getCookie(c, sessionCookieName), options.clock.now());
    },
    async signIn(c, credential) {
      if (!tokenMatches(credential.trim(), options.editorToken)) return false;
      setCookie(c, sessionCookieName, issue(options.clock.now()), {
        httpOnly: true,
        sameSite: 'Strict',
        secure: isHttps(c),
        path: '/',
        maxAge: Math.floor(sessionLifetimeMs / 1000),
      });
      return true;
    },
    signOut(c) {
      deleteCookie(c, sessionCookieName, { path: '/', secure: isHttps(c), httpOnly: true, sameSite: 'Strict' });
    },
  };
}

/** A CSRF token bound to the session (double protection beside SameSite=Strict and the Origin check). */
export function csrfToken(identity: EditorIdentity, secret: string | undefined): string {
  return b64(createHmac('sha256', `${secret ?? ''}\0csrf`).update(identity.sessionId).digest()).slice(0, 32);
}

export function csrfMatches(given: unknown, identity: EditorIdentity, secret: string | undefined): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(csrfToken(identity, secret));
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A POST from another site is refused. Browsers send Sec-Fetch-Site (which no page can forge) on every request;
 *  older ones send Origin (which is "null" under Referrer-Policy: no-referrer, so it only counts when it is a real
 *  origin). A request with neither comes from no browser, and the CSRF token still guards editor forms. */
export function sameOrigin(c: Context): boolean {
  const site = c.req.header('sec-fetch-site');
  if (site) return site === 'same-origin' || site === 'none';
  const origin = c.req.header('origin');
  if (!origin || origin === 'null') return true;
  const host = c.req.header('x-forwarded-host') ?? c.req.header('host') ?? new URL(c.req.url).host;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
