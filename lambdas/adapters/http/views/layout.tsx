// The page shell every page shares: language, title, autodiscovery links for the feeds that fit the page, a skip link,
// the site header with navigation and a language switch, and the footer.
import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';
import type { FeedScope } from '../../../core/items/model.js';
import { feedAutodiscoveryLinks } from '../../../core/feeds/index.js';
import { assetPaths } from './assets.js';
import { feedTitle, t, type Lang } from './i18n.js';

export type Section = 'home' | 'archive' | 'feeds' | 'editor' | 'none';

export interface LayoutProps {
  lang: Lang;
  title: string;
  /** The same page in the other language (for the switch and hreflang), when there is one. */
  altPath?: string;
  section?: Section;
  feedScope?: FeedScope;
  canonical?: string;
  /** Extra nodes for <head> (e.g. a refresh, a script). */
  head?: Child;
  narrow?: boolean;
  /** Pages holding personal links (preference centre) must not be indexed nor leak their URL. */
  noindex?: boolean;
  children?: Child;
}

export function Layout(props: LayoutProps) {
  const s = t(props.lang);
  const other: Lang = props.lang === 'es' ? 'en' : 'es';
  const current = (section: Section) => (props.section === section ? { 'aria-current': 'page' as const } : {});
  return (
    <html lang={props.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · ${s.siteName}`}</title>
        {props.noindex ? <meta name="robots" content="noindex" /> : null}
        {props.canonical ? <link rel="canonical" href={props.canonical} /> : null}
        {props.altPath ? <link rel="alternate" hreflang={other} href={props.altPath} /> : null}
        {raw(feedAutodiscoveryLinks(props.feedScope ?? { kind: 'all' }, { titleOf: (scope) => feedTitle(scope, props.lang) }))}
        <link rel="stylesheet" href={assetPaths.css} />
        {props.head ?? null}
      </head>
      <body>
        <a class="skip" href="#main">
          {s.skip}
        </a>
        <header class="site">
          <div class="bar">
            <a class="brand" href={`/${props.lang}/`}>
              {s.siteName}
            </a>
            <nav aria-label={props.lang === 'es' ? 'Principal' : 'Main'}>
              <ul>
                <li>
                  <a href={`/${props.lang}/`} {...current('home')}>
                    {s.navHome}
                  </a>
                </li>
                <li>
                  <a href={`/${props.lang}/archive`} {...current('archive')}>
                    {s.navArchive}
                  </a>
                </li>
                <li>
                  <a href={`/${props.lang}/feeds`} {...current('feeds')}>
                    {s.navFeeds}
                  </a>
                </li>
                {/* The console is for editors: named only on its own pages, not in the public navigation. */}
                {props.section === 'editor' ? (
                  <li>
                    <a href={`/${props.lang}/editor`} {...current('editor')}>
                      {s.navEditor}
                    </a>
                  </li>
                ) : null}
                {props.altPath ? (
                  <li>
                    <a href={props.altPath} hreflang={other} lang={other} aria-label={s.otherLanguageLabel}>
                      {s.otherLanguage}
                    </a>
                  </li>
                ) : null}
              </ul>
            </nav>
          </div>
        </header>
        <main id="main" class={props.narrow ? 'narrow' : undefined} tabindex={-1}>
          {props.children}
        </main>
        <footer class="site">
          <p>{s.footer}</p>
        </footer>
      </body>
    </html>
  );
}

export function Notice(props: { kind?: 'ok' | 'error'; children?: Child }) {
  return (
    <div class={props.kind === 'error' ? 'notice error' : 'notice'} role={props.kind === 'error' ? 'alert' : 'status'}>
      {props.children}
    </div>
  );
}
