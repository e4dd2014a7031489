// Answering with pages: a JSX view as a response, the page's language, form fields, and the error handler every page
// module uses (a page that fails answers with a page in its language, never the API's JSON nor a stack trace).
import type { Context, ErrorHandler } from 'hono';
import { DomainError, invalid } from '../../core/shared/errors.js';
import { statusOfKind } from './errors.js';
import { logger } from '../observability.js';
import { errorMessage, isLang, langFromAcceptLanguage, t, type Lang } from './views/i18n.js';
import { MessagePage } from './views/public.js';

export type PageStatus = 200 | 301 | 400 | 401 | 403 | 404 | 409 | 410 | 413 | 429 | 500 | 503;
type Node = { toString(): string | Promise<string> };

/** The whole document of a view. */
export async function htmlDocument(node: Node): Promise<string> {
  return `<!doctype html>\n${await node.toString()}`;
}

/** Answers with a view. Private pages (personal links, the console) are not stored, indexed, nor leak their URL. */
export async function renderPage(c: Context, node: Node, status: PageStatus = 200, options: { private?: boolean } = {}) {
  const body = await htmlDocument(node);
  c.header('Cache-Control', options.private ? 'no-store' : 'no-cache');
  if (options.private) {
    c.header('Referrer-Policy', 'no-referrer');
    c.header('X-Robots-Tag', 'noindex');
  }
  return c.html(body, status);
}

/** The language the browser prefers (Spanish when it asks for neither). */
export const preferredLang = (c: Context): Lang => langFromAcceptLanguage(c.req.header('accept-language'));

/** The language of the page: its path prefix (/es/…, /en/…), else `?lang=`, else the browser's. */
export const langOf = (c: Context): Lang => {
  // Read off the path itself, not a route parameter: middleware that answers before any route (a body limit, a
  // refusal) has no parameters, and its page must still be in the path's language.
  const fromPath = /^\/(es|en)(?:\/|$)/.exec(c.req.path)?.[1];
  if (isLang(fromPath)) return fromPath;
  const fromQuery = c.req.query('lang');
  return isLang(fromQuery) ? fromQuery : preferredLang(c);
};

/** A domain error as a page (a link that expired, a subscription that is gone…), with the error's status. */
/** Link and subscription errors whose way forward is the subscribe page (a fresh link, or subscribing again). */
const nextStepOf = (error: DomainError) => error.code.startsWith('token.') || error.code.startsWith('subscription.');

export function errorPage(c: Context, lang: Lang, error: unknown, privatePage = false) {
  if (!(error instanceof DomainError)) throw error;
  const s = t(lang);
  // A second click on a confirmation link is no failure: say so kindly.
  const page =
    error.code === 'subscription.alreadyConfirmed'
      ? MessagePage({ lang, title: s.alreadyConfirmedTitle, body: s.alreadyConfirmedBody, noindex: privatePage, action: { href: `/${lang}/`, label: s.toSubscribePage } })
      : MessagePage({ lang, title: s.linkProblem, body: errorMessage(error, lang), kind: 'error', noindex: privatePage, ...(nextStepOf(error) ? { action: { href: `/${lang}/`, label: s.toSubscribePage } } : {}) });
  // The JSON API answers a replayed confirmation 409; the page is a notice, not a failure, and says so with 200.
  return renderPage(c, page, error.code === 'subscription.alreadyConfirmed' ? 200 : statusOfKind[error.kind], { private: privatePage });
}

export function notFoundPage(c: Context, lang: Lang) {
  const s = t(lang);
  return renderPage(c, MessagePage({ lang, title: s.notFoundTitle, body: s.notFoundBody, kind: 'error' }), 404);
}

/** onError of every page module: a domain error is a private error page; anything else is logged (without the
 *  token of a personal link) and answered with a 500 page that says nothing of the cause. */
export const pageErrorHandler: ErrorHandler = async (error, c) => {
  const lang = langOf(c);
  if (error instanceof DomainError) return errorPage(c, lang, error, true);
  const path = new URL(c.req.url).pathname.replace(/\/(preferences|confirm|u)\/[^/]+/, '/$1/…');
  logger.error('page failed', { path, errorName: error.name, error: error.message });
  const s = t(lang);
  return renderPage(c, MessagePage({ lang, title: s.linkProblem, body: s.serverError, kind: 'error', noindex: true }), 500, { private: true });
};

/** Form fields, with repeated names (checkboxes) as lists. A body that is no readable form (a broken multipart
 *  boundary, bad encoding) is the sender's mistake: a 400 page, never a 500. */
export async function formFields(c: Context): Promise<Record<string, string | string[]>> {
  let body: Awaited<ReturnType<typeof c.req.parseBody>>;
  try {
    body = await c.req.parseBody({ all: true });
  } catch {
    throw invalid('request.malformedForm', t(langOf(c)).malformedForm);
  }
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(body)) {
    if (Array.isArray(v)) out[k] = v.filter((x): x is string => typeof x === 'string');
    else if (typeof v === 'string') out[k] = v;
  }
  return out;
}
export const one = (v: string | string[] | undefined) => (Array.isArray(v) ? (v[0] ?? '') : (v ?? ''));
export const many = (v: string | string[] | undefined) => (Array.isArray(v) ? v : v ? [v] : []);
