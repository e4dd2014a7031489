// Editor sign-in through Cognito's hosted sign-in (AWS): authorization code with PKCE, then the ID token verified
// here (RS256 against the pool's JWKS, issuer, audience, token_use, expiry, the `editors` group). A good token sets the
// same signed session cookie as the local sign-in (./session.ts), so every editor page keeps one check.
import { createHash, createPublicKey, randomBytes, verify as verifySignature, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie, setCookie, deleteCookie } from 'hono/cookie';
import type { Clock } from '../../../core/shared/ports.js';
import { createSessionCookies, isHttps, type EditorSessions, type SessionRegistry } from './session.js';

export interface CognitoSessionOptions {
  userPoolId: string;
  clientId: string;
  /** Base URL of the hosted sign-in (EDITOR_SIGN_IN_URL), e.g. https://<prefix>.auth.<region>.amazoncognito.com */
  signInUrl: string;
  /** PUBLIC_BASE_URL: the callback is `${baseUrl}/editor/callback`. */
  baseUrl: string;
  signingSecret: string;
  editorToken?: string;
  clock: Clock;
  /** Token issuer; defaults to https://cognito-idp.<region>.amazonaws.com/<userPoolId> (tests point it elsewhere). */
  issuer?: string;
  /** Group an editor must be in. */
  group?: string;
  fetch?: typeof fetch;
  registry?: SessionRegistry;
}

export const callbackPath = '/editor/callback';
const flowCookie = 'editor_oauth';
const flowLifetimeS = 600;

const b64 = (buf: Buffer) => buf.toString('base64url');

export class TokenRejected extends Error {
  override name = 'TokenRejected';
}

/** Verifies a Cognito ID token; returns its claims or throws TokenRejected naming the reason. */
export function createIdTokenVerifier(options: { issuer: string; clientId: string; group: string; clock: Clock; fetch: typeof fetch }) {
  let keys = new Map<string, KeyObject>();
  let fetchedAt = 0;
  const loadKeys = async () => {
    const res = await options.fetch(`${options.issuer}/.well-known/jwks.json`);
    if (!res.ok) throw new TokenRejected(`the JWKS answered ${res.status}`);
    const body = (await res.json()) as { keys?: Array<JsonWebKey & { kid?: string }> };
    keys = new Map((body.keys ?? []).filter((k) => k.kid && k.kty === 'RSA').map((k) => [k.kid!, createPublicKey({ key: k, format: 'jwk' })]));
    fetchedAt = Date.now();
  };
  return async (token: string): Promise<Record<string, unknown>> => {
    const parts = token.split('.');
    if (parts.length !== 3) throw new TokenRejected('not a JWT');
    const [h, p, s] = parts as [string, string, string];
    let header: { alg?: string; kid?: string };
    let claims: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(h, 'base64url').toString());
      claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    } catch {
      throw new TokenRejected('unreadable JWT');
    }
    if (header.alg !== 'RS256' || !header.kid) throw new TokenRejected('unexpected algorithm');
    // Unknown key id: the pool may have rotated its keys; look again, at most once a minute.
    if (!keys.has(header.kid) && Date.now() - fetchedAt > 60_000) await loadKeys();
    const key = keys.get(header.kid);
    if (!key) throw new TokenRejected('unknown signing key');
    if (!verifySignature('RSA-SHA256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'))) throw new TokenRejected('bad signature');
    if (claims.iss !== options.issuer) throw new TokenRejected('wrong issuer');
    if (claims.aud !== options.clientId) throw new TokenRejected('wrong audience');
    if (claims.token_use !== 'id') throw new TokenRejected('not an ID token');
    const now = options.clock.now().getTime() / 1000;
    if (typeof claims.exp !== 'number' || claims.exp < now) throw new TokenRejected('expired');
    if (typeof claims.iat === 'number' && claims.iat > now + 300) throw new TokenRejected('issued in the future');
    const groups = claims['cognito:groups'];
    if (!Array.isArray(groups) || !groups.includes(options.group)) throw new TokenRejected(`not in the "${options.group}" group`);
    return claims;
  };
}

export function createCognitoEditorSessions(options: CognitoSessionOptions): EditorSessions {
  const cookies = createSessionCookies({ editorToken: options.editorToken, signingSecret: options.signingSecret, clock: options.clock, lifetimeMs: 3600 * 1000, ...(options.registry ? { registry: options.registry } : {}) });
  const region = options.userPoolId.split('_')[0];
  const issuer = options.issuer ?? `https://cognito-idp.${region}.amazonaws.com/${options.userPoolId}`;
  const http = options.fetch ?? fetch;
  const signIn = options.signInUrl.replace(/\/+$/, '');
  const redirectUri = `${options.baseUrl.replace(/\/+$/, '')}${callbackPath}`;
  const verifyIdToken = createIdTokenVerifier({ issuer, clientId: options.clientId, group: options.group ?? 'editors', clock: options.clock, fetch: http });

  return {
    kind: 'redirect',
    async verify(c) {
      return cookies.read(c);
    },
    async signIn() {
      return false; // no token sign-in where Cognito is configured
    },
    async begin(c, { lang, next }) {
      const state = b64(randomBytes(24));
      const verifier = b64(randomBytes(32));
      const challenge = b64(createHash('sha256').update(verifier).digest());
      const payload = [state, verifier, lang, b64(Buffer.from(next ?? ''))].join('.');
      // Lax: the callback is a top-level navigation from Cognito's domain, which a Strict cookie would miss.
      setCookie(c, flowCookie, `${payload}.${cookies.mac(payload)}`, { httpOnly: true, secure: isHttps(c), sameSite: 'Lax', path: callbackPath, maxAge: flowLifetimeS });
      const url = new URL(`${signIn}/oauth2/authorize`);
      url.search = new URLSearchParams({
        response_type: 'code',
        client_id: options.clientId,
        redirect_uri: redirectUri,
        scope: 'openid email',
        state,
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }).toString();
      return c.redirect(url.toString(), 302);
    },
    async complete(c) {
      const raw = getCookie(c, flowCookie) ?? '';
      deleteCookie(c, flowCookie, { path: callbackPath, secure: isHttps(c), httpOnly: true, sameSite: 'Lax' });
      const parts = raw.split('.');
      if (parts.length !== 5 || !cookies.macMatches(parts.slice(0, 4).join('.'), parts[4]!)) {
        return { ok: false, reason: 'expired', detail: raw ? 'flow cookie with a bad signature' : 'no flow cookie (expired, or another browser)' };
      }
      const [state, verifier, lang, nextB64] = parts as [string, string, string, string];
      if (c.req.query('state') !== state) return { ok: false, lang, reason: 'mismatch', detail: 'state does not match the flow cookie' };
      const code = c.req.query('code');
      if (!code) {
        const error = c.req.query('error');
        return { ok: false, lang, reason: error === 'access_denied' ? 'cancelled' : 'failed', detail: `${error ?? 'no code'}: ${c.req.query('error_description') ?? ''}`.slice(0, 300) };
      }
      const res = await http(`${signIn}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'authorization_code', client_id: options.clientId, code, redirect_uri: redirectUri, code_verifier: verifier }).toString(),
      });
      if (!res.ok) return { ok: false, lang, reason: 'failed', detail: `token endpoint answered ${res.status}` };
      const tokens = (await res.json()) as { id_token?: string };
      let subject: string;
      try {
        const claims = await verifyIdToken(tokens.id_token ?? '');
        subject = String(claims.sub ?? 'editor');
        await cookies.issue(c, subject);
      } catch (error) {
        if (error instanceof TokenRejected) return { ok: false, lang, reason: 'notAllowed', detail: `ID token refused: ${error.message}` };
        throw error;
      }
      const next = Buffer.from(nextB64, 'base64url').toString();
      return { ok: true, lang, subject, ...(next ? { next } : {}) };
    },
    signOut(c) {
      return cookies.clear(c);
    },
    endSessionUrl() {
      // Ends the hosted UI's own session too; Cognito then returns to the app's logout URL (`/editor`).
      return `${signIn}/logout?${new URLSearchParams({ client_id: options.clientId, logout_uri: `${options.baseUrl.replace(/\/+$/, '')}/editor` }).toString()}`;
    },
  };
}
