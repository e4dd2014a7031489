// The editor console talks to the same JSON API the CLI and scripts use (items, sources, editions, subscribers), so
// a page can never do something the API would refuse. It calls those route modules in-process: once the page has
// checked the editor's session, the call carries the configured editor token, which never reaches the browser.
import { Hono } from 'hono';
import type { AppContext } from '../context.js';
import { handleError } from '../errors.js';
import { itemRoutes } from '../routes/items.js';
import { subscriptionRoutes } from '../routes/subscriptions.js';
import { editionRoutes } from '../routes/editions.js';

export interface ApiResult<T = unknown> {
  status: number;
  ok: boolean;
  contentType: string;
  /** Parsed JSON, or the text when the answer is not JSON. */
  body: T;
  /** The error message of a `{"error":{"code","message"}}` answer. */
  error?: { code: string; message: string };
  headers: Headers;
}

export interface EditorApi {
  call<T = unknown>(method: string, path: string, body?: unknown, options?: { contentType?: string }): Promise<ApiResult<T>>;
}

export function createEditorApi(ctx: AppContext): EditorApi {
  let app: Hono | undefined;
  const build = () => {
    const h = new Hono();
    h.onError(handleError);
    h.route('/', itemRoutes(ctx));
    h.route('/', subscriptionRoutes(ctx));
    h.route('/', editionRoutes(ctx));
    return h;
  };
  return {
    async call<T>(method: string, path: string, body?: unknown, options: { contentType?: string } = {}): Promise<ApiResult<T>> {
      app ??= build();
      const headers: Record<string, string> = { authorization: `Bearer ${ctx.config.EDITOR_TOKEN ?? ''}`, accept: 'application/json' };
      let payload: string | undefined;
      if (body !== undefined) {
        headers['content-type'] = options.contentType ?? 'application/json';
        payload = typeof body === 'string' ? body : JSON.stringify(body);
      }
      const res = await app.request(`http://internal${path}`, { method, headers, body: payload });
      const contentType = res.headers.get('content-type') ?? '';
      const text = await res.text();
      let parsed: unknown = text;
      if (contentType.includes('json') && text) {
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = text;
        }
      }
      const error =
        !res.ok && parsed && typeof parsed === 'object' && 'error' in parsed ? ((parsed as { error: { code: string; message: string } }).error) : undefined;
      return { status: res.status, ok: res.ok, contentType, body: parsed as T, headers: res.headers, ...(error ? { error } : {}) };
    },
  };
}
