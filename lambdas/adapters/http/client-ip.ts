// Who is asking: the address that per-IP limits count and consent proofs record. Only what no client can forge counts.
// In AWS the API is reached only through CloudFront (see originGuard), whose function puts the viewer's address in
// X-Viewer-Address, overwriting any value the viewer sent. Elsewhere a forwarding header is trusted only as far as the
// configuration says proxies in front of us append to it (TRUST_FORWARDED_FOR hops; none by default).
import { isIP } from 'node:net';
import type { Context, MiddlewareHandler } from 'hono';
import type { Config } from '../../config.js';
import { tokenMatches } from './auth/editor-token.js';
import { errorBody } from './errors.js';

declare module 'hono' {
  interface ContextVariableMap {
    clientIp: string;
  }
}

export const originVerifyHeader = 'x-origin-verify';
export const viewerAddressHeader = 'x-viewer-address';

export interface ClientAddressPolicy {
  /** Requests come through CloudFront (the origin secret is configured): X-Viewer-Address is the reader's address. */
  viewerHeader: boolean;
  /** Proxies in front of us that append to X-Forwarded-For (0: the header is ignored). */
  trustedHops: number;
}

const untrusted: ClientAddressPolicy = { viewerHeader: false, trustedHops: 0 };

type Incoming = { incoming?: { socket?: { remoteAddress?: string } } };
type TransportEnv = ({ requestContext?: { http?: { sourceIp?: string } }; server?: Incoming } & Incoming) | undefined;

/** The connection's own address: API Gateway's source IP in Lambda, else the socket's (the local server). */
function connectionAddress(c: Context): string | undefined {
  const env = c.env as TransportEnv;
  return env?.requestContext?.http?.sourceIp ?? (env?.server ?? env)?.incoming?.socket?.remoteAddress;
}

export function clientAddress(c: Context, policy: ClientAddressPolicy): string {
  if (policy.viewerHeader) {
    const viewer = c.req.header(viewerAddressHeader)?.trim();
    if (viewer && isIP(viewer)) return viewer;
  }
  const connection = connectionAddress(c);
  const env = c.env as TransportEnv;
  if (policy.trustedHops > 0 && !env?.requestContext) {
    // Each trusted proxy appends the address it was reached from, so the client's is `trustedHops` entries from the
    // right; entries further left are whatever the client wrote. Fewer entries, or no address there: the connection.
    const entries = (c.req.header('x-forwarded-for') ?? '').split(',').map((s) => s.trim());
    const picked = entries.length >= policy.trustedHops ? entries[entries.length - policy.trustedHops] : undefined;
    if (picked && isIP(picked)) return picked;
  }
  return connection ?? 'unknown';
}

/** The client address of a request (set once per request by clientAddressMiddleware; untrusted rules without it). */
export function clientIp(c: Context): string {
  return c.get('clientIp') ?? clientAddress(c, untrusted);
}

export function clientAddressMiddleware(config: Pick<Config, 'ORIGIN_VERIFY_SECRET' | 'TRUST_FORWARDED_FOR'>): MiddlewareHandler {
  const policy: ClientAddressPolicy = { viewerHeader: Boolean(config.ORIGIN_VERIFY_SECRET), trustedHops: config.TRUST_FORWARDED_FOR };
  return async (c, next) => {
    c.set('clientIp', clientAddress(c, policy));
    await next();
  };
}

/** With the origin secret configured, a request that did not come through CloudFront (no or a wrong X-Origin-Verify)
 *  is refused before anything else runs: its X-Viewer-Address would be the caller's own invention. The API answers
 *  with its JSON error; a page, with `refusedPage` (a person who followed the origin's raw address). */
export function originGuard(secret: string | undefined, refusedPage: (c: Context) => Response | Promise<Response>): MiddlewareHandler {
  return async (c, next) => {
    if (secret && !tokenMatches(c.req.header(originVerifyHeader), secret)) {
      if (!c.req.path.startsWith('/api/')) return refusedPage(c);
      return c.json(errorBody('request.notThroughCdn', 'This service is reached through its public address only.'), 403);
    }
    await next();
  };
}
