// The frame of every console page: the site layout, the console's tabs, sign-out, and the flash message. Every
// console form is a plain POST carrying the session's CSRF token.
import type { Child } from 'hono/jsx';
import { Layout, Notice } from '../layout.js';
import { t, type Lang } from '../i18n.js';
import { taxonomyTabLabel } from './taxonomy.js';

/** The console's tabs, in their order. */
export const editorTabs = ['items', 'sources', 'editions', 'subscribers', 'taxonomy', 'stats'] as const;
export type EditorTab = (typeof editorTabs)[number];

export interface Flash {
  kind: 'ok' | 'error';
  text: string;
}

export function Csrf(props: { token: string }) {
  return <input type="hidden" name="csrf" value={props.token} />;
}

export function EditorShell(props: { lang: Lang; title: string; tab?: EditorTab; csrf: string; flash?: Flash; altPath: string; head?: Child; children?: Child }) {
  const s = t(props.lang);
  const tabs: Array<[EditorTab, string]> = [
    ['items', s.edItems],
    ['sources', s.edSources],
    ['editions', s.edEditions],
    ['subscribers', s.edSubscribers],
    ['taxonomy', taxonomyTabLabel(props.lang)],
    ['stats', s.edStats],
  ];
  return (
    <Layout lang={props.lang} title={`${props.title} · ${s.editorTitle}`} section="editor" altPath={props.altPath} noindex head={props.head}>
      <div class="row" style="justify-content:space-between">
        <p class="muted">{s.editorTitle}</p>
        <form method="post" action={`/${props.lang}/editor/sign-out`}>
          <Csrf token={props.csrf} />
          <button type="submit" class="secondary">
            {s.signOut}
          </button>
        </form>
      </div>
      <nav aria-label={s.editorTitle}>
        <ul class="tabs">
          {tabs.map(([tab, label]) => (
            <li>
              <a href={`/${props.lang}/editor/${tab}`} aria-current={props.tab === tab ? 'page' : undefined}>
                {label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <h1>{props.title}</h1>
      {props.flash ? <Notice kind={props.flash.kind}>{props.flash.text}</Notice> : null}
      {props.children}
    </Layout>
  );
}
