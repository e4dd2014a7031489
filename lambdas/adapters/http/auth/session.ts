// Editor sessions for the console pages. How an editor proves who they are is a port (`EditorSessions`): locally the
// editor token typed into a form; in AWS the Cognito hosted sign-in (authorization code + PKCE, the ID token verified
// against the pool's JWKS; ./cognito.ts). Either way the app then sets the same session cookie: a small value signed
// with HMAC-SHA256. The raw editor token is only compared at sign-in, never stored in the cookie nor written into a page.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie, setCookie, deleteCookie } from 'hono/cookie';
import type { Clock } from '../../../core/shared/ports.js';
import { tokenMatches } from './editor-token.js';
import type { EditorAccessStore } from '../../dynamo/editor-access.js';

export interface EditorIdentity {
  /** Who signed in: "editor" for the shared local token, the Cognito user's `sub` in AWS. */
  subject: string;
  /** Per-session random id that CSRF tokens are derived from. */
  sessionId: string;
}

export interface EditorSessions {
  /** 'token': the sign-in page shows a token field and POSTs it to signIn(); 'redirect': it links to begin(). */
  readonly kind: 'token' | 'redirect';
  /** The signed-in editor, or undefined. */
  verify(c: Context): Promise<EditorIdentity | undefined>;
  /** kind 'token': checks the credential and, when it is good, sets the session cookie. */
  signIn(c: Context, credential: string): Promise<boolean>;
  /** kind 'redirect': starts the identity provider's sign-in (a redirect). */
  begin?(c: Context, options: { lang: string; next?: string }): Promise<Response>;
  /** kind 'redirect': the provider's callback; sets the session cookie and says where to go, or why it failed (a reason
   *  the console words for the editor, and a detail for the log only; `lang` unknown when the flow's cookie is gone). */
  complete?(c: Context): Promise<{ ok: true; lang: string; subject: string; next?: string } | { ok: false; lang?: string; reason: SignInFailure; detail: string }>;
  /** Ends the session on the server too: the old cookie stops working at once. */
  signOut(c: Context): Promise<void>;
  /** Where to send the browser after sign-out, when the provider keeps a session of its own (Cognito's hosted UI). */
  endSessionUrl?(): string;
}

/** Why a sign-in through the identity provider failed, as the editor is told it: it took too long, it did not start in
 *  this browser, they cancelled it, the provider failed, or the account may not use the console. */
export type SignInFailure = 'expired' | 'mismatch' | 'cancelled' | 'failed' | 'notAllowed';

export const sessionCookieName = 'editor_session';
export const sessionLifetimeMs = 8 * 3600 * 1000;

const b64 = (buf: Buffer) => buf.toString('base64url');

/** Whether the request reached us over https (directly, or through API Gateway/CloudFront). */
export function isHttps(c: Context): boolean {
  return new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https';
}

/** Where sessions are recorded so that sign-out ends them for good (DynamoDB in the app; see ../../dynamo/editor-access.ts). */
export type SessionRegistry = Pick<EditorAccessStore, 'startSession' | 'sessionActive' | 'endSession'>;

/** The signed session cookie: `v1.<expiresAtMs>.<sessionId>.<subject b64>.<hmac>`. The key is derived from the signing
 *  secret and the editor token, so rotating either signs everyone out. With a registry, a session is also recorded
 *  server-side: a cookie whose session ended (sign-out) is refused however well it is signed. */
export function createSessionCookies(options: { editorToken?: string; signingSecret: string; clock: Clock; lifetimeMs?: number; registry?: SessionRegistry }) {
  if (!options.signingSecret) throw new Error('Editor sessions need the signing secret; there is no fallback key.');
  const key = createHash('sha256')
    .update(`editor-session\0${options.signingSecret}\0${options.editorToken ?? ''}`)
    .digest();
  const lifetime = options.lifetimeMs ?? sessionLifetimeMs;
  const mac = (payload: string) => b64(createHmac('sha256', key).update(payload).digest());
  const macMatches = (payload: string, given: string) => {
    const a = Buffer.from(given);
    const b = Buffer.from(mac(payload));
    return a.length === b.length && timingSafeEqual(a, b);
  };
  return {
    mac,
    macMatches,
    async issue(c: Context, subject: string) {
      const expiresAt = options.clock.now().getTime() + lifetime;
      const sessionId = b64(randomBytes(18));
      await options.registry?.startSession(sessionId, new Date(expiresAt));
      const payload = `v1.${expiresAt}.${sessionId}.${b64(Buffer.from(subject))}`;
      setCookie(c, sessionCookieName, `${payload}.${mac(payload)}`, {
        httpOnly: true,
        sameSite: 'Strict',
        secure: isHttps(c),
        path: '/',
        maxAge: Math.floor(lifetime / 1000),
      });
    },
    async read(c: Context): Promise<EditorIdentity | undefined> {
      const signed = signedSession(c);
      if (!signed || (options.registry && !(await options.registry.sessionActive(signed.sessionId, options.clock.now())))) return undefined;
      return signed;
    },
    async clear(c: Context) {
      const signed = signedSession(c);
      if (signed) await options.registry?.endSession(signed.sessionId);
      deleteCookie(c, sessionCookieName, { path: '/', secure: isHttps(c), httpOnly: true, sameSite: 'Strict' });
    },
  };
  /** The identity a well-signed, unexpired cookie names (whether its session is still open is the registry's say). */
  function signedSession(c: Context): EditorIdentity | undefined {
    const value = getCookie(c, sessionCookieName);
    if (!value || value.length > 1024) return undefined;
    const parts = value.split('.');
    if (parts.length !== 5 || parts[0] !== 'v1') return undefined;
    if (!macMatches(parts.slice(0, 4).join('.'), parts[4]!)) return undefined;
    const expires = Number(parts[1]);
    if (!Number.isFinite(expires) || expires <= options.clock.now().getTime()) return undefined;
    return { subject: Buffer.from(parts[3]!, 'base64url').toString(), sessionId: parts[2]! };
  }
}

export type SessionCookies = ReturnType<typeof createSessionCookies>;

/** Local sessions: sign in with the editor token. */
export function createLocalEditorSessions(options: { editorToken?: string; signingSecret: string; clock: Clock; registry?: SessionRegistry }): EditorSessions {
  const cookies = createSessionCookies(options);
  return {
    kind: 'token',
    async verify(c) {
      return options.editorToken ? cookies.read(c) : undefined;
    },
    async signIn(c, credential) {
      if (!tokenMatches(credential.trim(), options.editorToken)) return false;
      await cookies.issue(c, 'editor');
      return true;
    },
    signOut(c) {
      return cookies.clear(c);
    },
  };
}

/** A CSRF token bound to the session (double protection beside SameSite=Strict and the same-origin check). */
export function csrfToken(identity: EditorIdentity, secret: string): string {
  if (!secret) throw new Error('csrfToken needs the signing secret; there is no fallback key.');
  return b64(createHmac('sha256', `${secret}\0csrf`).update(identity.sessionId).digest()).slice(0, 32);
}

export function csrfMatches(given: unknown, identity: EditorIdentity, secret: string): boolean {
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
